import { connect, isIP, type Socket } from 'node:net';
import { monotonicMs } from '../client/clock.ts';

// node:tls (and the crypto it loads) is imported when the first https target is probed:
// a few MiB that an agent probing only TCP and plain HTTP never needs. Its default export
// (the module itself): the agents' build gives a dynamic import of a built-in nothing else.
let tls: Promise<typeof import('node:tls')> | undefined;

export interface ProbeResult {
  ok: boolean;
  /** Milliseconds to connect (tcp) or to the response's status line (http), when ok. */
  latencyMs?: number;
  error?: string;
}

/** `host:port` (or `[v6]:port`) into its parts; the config schema has checked the shape. */
export function splitHostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(at + 1)) };
}

/**
 * Connects, and settles once: `onConnect` may write and `onData` may settle with a result;
 * an error, the peer closing first, or the timeout settle as failures. The socket is
 * destroyed whatever happens, so a round leaves nothing open.
 */
function probeSocket(
  open: () => Socket,
  connectEvent: 'connect' | 'secureConnect',
  timeoutMs: number,
  onConnect: (socket: Socket, started: number, finish: (r: ProbeResult) => void) => void,
  onData?: (chunk: Buffer, started: number, finish: (r: ProbeResult) => void) => void,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const started = monotonicMs();
    const socket = open();
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish({ ok: false, error: 'timeout' }));
    socket.once(connectEvent, () => onConnect(socket, started, finish));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: error.code ?? error.message }));
    if (onData) {
      socket.on('data', (chunk: Buffer) => onData(chunk, started, finish));
      socket.once('end', () => finish({ ok: false, error: 'closed without an answer' }));
    }
  });
}

/** A TCP connect: reachable when the handshake completes within the timeout. */
export function probeTcp(address: string, timeoutMs: number): Promise<ProbeResult> {
  const { host, port } = splitHostPort(address);
  return probeSocket(
    () => connect({ host, port }),
    'connect',
    timeoutMs,
    (_socket, started, finish) => finish({ ok: true, latencyMs: monotonicMs() - started }),
  );
}

/** What an HTTP probe sends where, worked out once per target. */
export interface HttpTarget {
  host: string;
  port: number;
  tls: boolean;
  /** The TLS server name (SNI): the host unless it is an IP address. */
  servername: string | undefined;
  request: Buffer;
}

export function httpTarget(url: string): HttpTarget {
  const u = new URL(url);
  const tls = u.protocol === 'https:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const auth = u.username
    ? `Authorization: Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}\r\n`
    : '';
  const request =
    `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: yunwang-network-agent\r\nAccept: */*\r\n` +
    `${auth}Connection: close\r\n\r\n`;
  return {
    host,
    port: Number(u.port) || (tls ? 443 : 80),
    tls,
    servername: isIP(host) ? undefined : host,
    request: Buffer.from(request, 'latin1'),
  };
}

/** A status line is short; a peer that sends this much without one is not speaking HTTP. */
const maxStatusLineBytes = 1024;
const statusLine = /^HTTP\/\d(?:\.\d)? (\d{3})/;

/**
 * An HTTP GET on a fresh connection (no keep-alive, so each attempt measures the network
 * and not a pooled socket): reachable when a status below 500 arrives in time. Written on
 * a plain socket and read only to the status line: node:http's request and response
 * objects cost ~27 KB of garbage a probe against ~8 KB here, and at 4,500 probes a round
 * that garbage is most of the agent's memory (bench/INGEST.md).
 */
export async function probeHttpTarget(target: HttpTarget, timeoutMs: number): Promise<ProbeResult> {
  if (target.tls) tls ??= import('node:tls').then((m) => m.default);
  const secure = target.tls ? await tls : undefined;
  let head = '';
  return probeSocket(
    secure
      ? () => secure.connect({ host: target.host, port: target.port, servername: target.servername })
      : () => connect({ host: target.host, port: target.port }),
    target.tls ? 'secureConnect' : 'connect',
    timeoutMs,
    (socket) => socket.write(target.request),
    (chunk, started, finish) => {
      head += chunk.toString('latin1', 0, Math.min(chunk.length, maxStatusLineBytes));
      if (!head.includes('\r\n')) {
        if (head.length >= maxStatusLineBytes) finish({ ok: false, error: 'not an HTTP answer' });
        return;
      }
      const status = Number(statusLine.exec(head)?.[1] ?? 0);
      if (status === 0) finish({ ok: false, error: 'not an HTTP answer' });
      else if (status < 500) finish({ ok: true, latencyMs: monotonicMs() - started });
      else finish({ ok: false, error: `HTTP ${status}` });
    },
  );
}

export function probeHttp(url: string, timeoutMs: number): Promise<ProbeResult> {
  return probeHttpTarget(httpTarget(url), timeoutMs);
}
