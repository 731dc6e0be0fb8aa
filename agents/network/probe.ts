import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

export interface ProbeResult {
  ok: boolean;
  /** Milliseconds to connect (tcp) or to the response headers (http), when ok. */
  latencyMs?: number;
  error?: string;
}

/** `host:port` (or `[v6]:port`) into its parts; the config schema has checked the shape. */
export function splitHostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(at + 1)) };
}

/** A TCP connect: reachable when the handshake completes within the timeout. */
export function probeTcp(address: string, timeoutMs: number): Promise<ProbeResult> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ host, port });
    const finish = (result: ProbeResult) => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish({ ok: false, error: 'timeout' }));
    socket.once('connect', () => finish({ ok: true, latencyMs: performance.now() - started }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: error.code ?? error.message }));
  });
}

/**
 * An HTTP GET on a fresh connection (no keep-alive, so each attempt measures the network
 * and not a pooled socket): reachable when a response below 500 arrives in time.
 */
export function probeHttp(url: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = request(
      url,
      { method: 'GET', agent: false, headers: { 'User-Agent': 'yunwang-network-agent', Connection: 'close' } },
      (res) => {
        const latencyMs = performance.now() - started;
        res.resume();
        const status = res.statusCode ?? 0;
        finish(status < 500 ? { ok: true, latencyMs } : { ok: false, error: `HTTP ${status}` });
      },
    );
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: error.code ?? error.message }));
    req.end();
  });
}
