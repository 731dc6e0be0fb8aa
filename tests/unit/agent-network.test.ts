import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeRound } from '../../agents/network/agent.ts';
import { runPool } from '../../agents/network/pool.ts';
import { httpTarget, probeHttp, probeTcp, splitHostPort } from '../../agents/network/probe.ts';
import { IngestBatch } from '../../src/ingest/schemas.ts';
import { startTargets, type Targets } from '../helpers/targets.ts';

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

describe('network probes against local listeners', () => {
  let targets: Targets;
  beforeAll(async () => {
    targets = await startTargets();
  });
  afterAll(async () => {
    await targets.close();
  });

  it('a TCP connect succeeds on a listener and fails on a closed port', async () => {
    const up = await probeTcp(targets.tcpUp, 1000);
    expect(up.ok).toBe(true);
    expect(up.latencyMs).toBeGreaterThan(0);
    expect(await probeTcp(targets.closed, 1000)).toEqual({ ok: false, error: 'ECONNREFUSED' });
  });

  it('an HTTP GET is up below 500, down on 503 and on a closed port', async () => {
    expect((await probeHttp(targets.httpUp, 1000)).ok).toBe(true);
    expect(await probeHttp(targets.http503, 1000)).toEqual({ ok: false, error: 'HTTP 503' });
    expect((await probeHttp(`http://${targets.closed}/`, 1000)).ok).toBe(false);
  });

  it('an HTTP probe sends a GET of the path with the Host header, and reads only the status line', async () => {
    const seen: { url?: string; host?: string; method?: string }[] = [];
    const server = createHttpServer((req, res) => {
      seen.push({ url: req.url, host: req.headers.host, method: req.method });
      res.writeHead(301, { Location: '/elsewhere' });
      res.end('x'.repeat(50_000));
    });
    const port = await listen(server);
    try {
      expect((await probeHttp(`http://127.0.0.1:${port}/health/z?deep=1`, 1000)).ok).toBe(true);
      expect(seen).toEqual([{ url: '/health/z?deep=1', host: `127.0.0.1:${port}`, method: 'GET' }]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('an HTTP probe is down when the peer closes without an answer or does not speak HTTP', async () => {
    const silent = createTcpServer((socket) => socket.once('data', () => socket.end()));
    const ssh = createTcpServer((socket) => socket.resume().end('SSH-2.0-OpenSSH_9.2\r\n'));
    const silentPort = await listen(silent);
    const sshPort = await listen(ssh);
    try {
      expect(await probeHttp(`http://127.0.0.1:${silentPort}/`, 1000)).toEqual({ ok: false, error: 'closed without an answer' });
      expect(await probeHttp(`http://127.0.0.1:${sshPort}/`, 1000)).toEqual({ ok: false, error: 'not an HTTP answer' });
    } finally {
      for (const s of [silent, ssh]) await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('an HTTP target on IPv6 loopback is probed at [::1]', async (context) => {
    const server = createHttpServer((_req, res) => res.writeHead(204).end());
    const port = await new Promise<number | undefined>((resolve) => {
      server.once('error', () => resolve(undefined));
      server.listen(0, '::1', () => resolve((server.address() as { port: number }).port));
    });
    if (port === undefined) context.skip(); // no IPv6 on this machine
    try {
      expect(httpTarget(`http://[::1]:${port}/`)).toMatchObject({ host: '::1', port, servername: undefined });
      expect((await probeHttp(`http://[::1]:${port}/`, 1000)).ok).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('times out an unresponsive target', async () => {
    // 192.0.2.0/24 is TEST-NET-1: nothing answers, the connect hangs until the timeout.
    const started = Date.now();
    const result = await probeTcp('192.0.2.1:9', 200);
    expect(result.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a round gives each node up/loss/latency, and the samples are what the server accepts', async () => {
    const nodes = [
      { code: 'TCP-UP', address: targets.tcpUp, method: 'tcp' as const },
      { code: 'HTTP-UP', address: targets.httpUp, method: 'http' as const },
      { code: 'HTTP-503', address: targets.http503, method: 'http' as const },
      { code: 'CLOSED', address: targets.closed, method: 'tcp' as const },
    ];
    const samples = await probeRound({ nodes, attempts: 3, timeout_ms: 1000, concurrency: 4 });
    expect(samples.map((s) => [s.node, s.up, s.loss])).toEqual([
      ['TCP-UP', true, 0],
      ['HTTP-UP', true, 0],
      ['HTTP-503', false, 1],
      ['CLOSED', false, 1],
    ]);
    expect(samples[0]?.latency_ms).toBeGreaterThan(0);
    expect(samples[3]?.latency_ms).toBeNull();
    const parsed = IngestBatch.safeParse({
      agent: 'n',
      seq: 1,
      sent_at: new Date().toISOString(),
      next_report_seconds: 30,
      items: samples,
    });
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it('a flaky node is up with partial loss, and latency is the median of the successes', async () => {
    let calls = 0;
    const samples = await probeRound(
      { nodes: [{ code: 'FLAKY', address: 'h:1', method: 'tcp' }], attempts: 4, timeout_ms: 100, concurrency: 1 },
      async () => {
        calls++;
        return calls === 2 ? { ok: false, error: 'timeout' } : { ok: true, latencyMs: [0, 10, 0, 30, 20][calls] };
      },
    );
    expect(samples[0]).toMatchObject({ up: true, loss: 0.25, latency_ms: 20 });
  });
});

describe('the probe pool', () => {
  it('never runs more than its bound at once and keeps result order', async () => {
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 50 }, (_, i) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      return i;
    });
    expect(await runPool(tasks, 7)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(7);
  });

  it('splits IPv6 and IPv4 host:port', () => {
    expect(splitHostPort('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(splitHostPort('10.0.0.1:80')).toEqual({ host: '10.0.0.1', port: 80 });
  });
});
