import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestBatch, IngestItem } from '../../agents/client/protocol.ts';
import { exitRoundFailed, exitSpoolNotEmpty, type RunnerConfig, type RunningAgent, startAgent } from '../../agents/client/runner.ts';
import { waitFor } from '../helpers/agents.ts';
import { closedPort } from '../helpers/targets.ts';

/** A stand-in API that records the batches and answers as told. */
let received: { batch: IngestBatch; auth: string | undefined; agent: string | undefined }[] = [];
let answer: (batch: IngestBatch) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 });
let api: Server;
let apiUrl: string;
let dir: string;

beforeAll(async () => {
  api = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const batch = JSON.parse(Buffer.concat(chunks).toString()) as IngestBatch;
    received.push({ batch, auth: req.headers.authorization, agent: req.headers['user-agent'] });
    const { status, headers } = answer(batch);
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify({ status: 'applied', seq: batch.seq }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', () => resolve()));
  const address = api.address();
  apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  dir = await mkdtemp(path.join(tmpdir(), 'yunwang-runner-'));
});
afterAll(async () => {
  await new Promise<void>((resolve) => api.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
const config = (extra: Partial<RunnerConfig> = {}): RunnerConfig => ({
  api_url: apiUrl,
  token: 'ywa_test',
  name: 'runner-test',
  interval_seconds: 30,
  spool_dir: path.join(dir, `spool-${++counter}`),
  spool_max_bytes: 1024 * 1024,
  spool_max_age_hours: 72,
  max_batch_items: 1000,
  request_timeout_seconds: 2,
  backoff_initial_ms: 10,
  backoff_max_ms: 50,
  metrics_enabled: false,
  metrics_host: '127.0.0.1',
  metrics_port: 0,
  ...extra,
});
const sample = (i: number): IngestItem => ({
  kind: 'node_sample',
  node: `N${i}`,
  at: new Date().toISOString(),
  up: true,
  latency_ms: 1,
  loss: 0,
});

describe('the agent runner, --once', () => {
  it('splits a large round into batches of max_batch_items, in seq order, with the token and its version', async () => {
    received = [];
    answer = () => ({ status: 200 });
    const agent = await startAgent({
      kind: 'network',
      config: config({ max_batch_items: 4 }),
      collect: async () => Array.from({ length: 10 }, (_, i) => sample(i)),
      once: true,
      log: () => {},
    });
    expect(await agent.done).toBe(0);
    expect(received.map((r) => [r.batch.seq, r.batch.items.length])).toEqual([
      [1, 4],
      [2, 4],
      [3, 2],
    ]);
    expect(received[0]).toMatchObject({ auth: 'Bearer ywa_test', agent: 'yunwang-agent/0.1.0 (network)' });
    expect(received[0]?.batch).toMatchObject({ agent: 'runner-test', next_report_seconds: 30 });
  });

  it('sends an empty round as a heartbeat, and nothing when the round fails (exit 1)', async () => {
    received = [];
    const quiet = await startAgent({ kind: 'cloud', config: config(), collect: async () => [], once: true, log: () => {} });
    expect(await quiet.done).toBe(0);
    expect(received.map((r) => r.batch.items.length)).toEqual([0]);

    received = [];
    const failing = await startAgent({
      kind: 'cloud',
      config: config(),
      collect: async () => {
        throw new Error('cluster unreachable');
      },
      once: true,
      log: () => {},
    });
    expect(await failing.done).toBe(exitRoundFailed);
    expect(received).toEqual([]);
  });

  it('honours Retry-After on 429 and 503, then delivers', async () => {
    received = [];
    let refusals = 2;
    answer = () => (refusals-- > 0 ? { status: refusals ? 429 : 503, headers: { 'Retry-After': '1' } } : { status: 200 });
    const started = Date.now();
    const agent = await startAgent({ kind: 'network', config: config(), collect: async () => [sample(1)], once: true, log: () => {} });
    expect(await agent.done).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(received.map((r) => r.batch.seq)).toEqual([1, 1, 1]);
    expect(await agent.metrics.registry.getSingleMetricAsString('yunwang_agent_batches_retried_total')).toContain(
      'yunwang_agent_batches_retried_total 2',
    );
    answer = () => ({ status: 200 });
  });

  it('leaves the batch in the spool when the API stays away (exit 75), and the next run sends it first', async () => {
    const port = await closedPort();
    const shared = config({ api_url: `http://127.0.0.1:${port}` });
    const away = await startAgent({
      kind: 'network',
      config: shared,
      collect: async () => [sample(1)],
      once: true,
      onceDeadlineMs: 300,
      log: () => {},
    });
    expect(await away.done).toBe(exitSpoolNotEmpty);

    received = [];
    const back = await startAgent({
      kind: 'network',
      config: { ...shared, api_url: apiUrl },
      collect: async () => [sample(2)],
      once: true,
      log: () => {},
    });
    expect(await back.done).toBe(0);
    expect(received.map((r) => [r.batch.seq, r.batch.items[0]?.kind === 'node_sample' ? r.batch.items[0].node : ''])).toEqual([
      [1, 'N1'],
      [2, 'N2'],
    ]);
  });
});

describe('a round whose source keeps it until it is spooled (exchange-agent)', () => {
  it('calls afterSpooled once every batch of the round is in the spool, before any is sent', async () => {
    received = [];
    answer = () => ({ status: 200 });
    let agent: RunningAgent | undefined;
    const seen: { spooled: number; sent: number }[] = [];
    agent = await startAgent({
      kind: 'exchange',
      config: config({ max_batch_items: 4 }),
      collect: async () => ({
        items: Array.from({ length: 10 }, (_, i) => sample(i)),
        afterSpooled: async () => {
          seen.push({ spooled: agent?.spool.stats().batches ?? -1, sent: received.length });
        },
      }),
      once: true,
      log: () => {},
    });
    expect(await agent.done).toBe(0);
    expect(seen).toEqual([{ spooled: 3, sent: 0 }]);
    expect(received.map((r) => r.batch.items.length)).toEqual([4, 4, 2]);
  });

  it('never calls it when the spool cannot take the round, and counts nothing dropped: the source still has it', async () => {
    received = [];
    const lines: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let called = false;
    let collected = false;
    const agent = await startAgent({
      kind: 'exchange',
      config: config(),
      collect: async () => {
        await gate;
        collected = true;
        return {
          items: [sample(1)],
          afterSpooled: async () => {
            called = true;
          },
        };
      },
      log: (line) => lines.push(line),
    });
    // The spool goes away while the round is collecting: its append fails.
    await agent.spool.close();
    release();
    await waitFor('the round to end', () => lines.some((l) => l.includes('the source keeps the round')));
    await agent.stop();
    expect(collected).toBe(true);
    expect(called).toBe(false);
    expect(await agent.metrics.registry.getSingleMetricAsString('yunwang_agent_batches_dropped_total')).toContain(
      'yunwang_agent_batches_dropped_total{reason="error"} 0',
    );
    expect(received).toEqual([]);
  });
});
