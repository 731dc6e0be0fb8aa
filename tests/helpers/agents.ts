/** Running agents in tests: their configuration files, and waiting for what they deliver. */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client.ts';
import { queryRows } from './db.ts';

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function writeAgentConfig(dir: string, name: string, config: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** Fast settings for tests: 1 s rounds, quick backoff, metrics on 127.0.0.1. */
export const fastAgent = {
  interval_seconds: 1,
  backoff_initial_ms: 100,
  backoff_max_ms: 1000,
  request_timeout_seconds: 5,
  metrics_host: '127.0.0.1',
  metrics_port: 0,
};

export interface Delivered {
  seqs: number[];
  items: number;
  samples: number;
}

/** What the server holds from an agent: its batch seqs, their item total, and its sample rows. */
export async function delivered(database: Database, agent: string): Promise<Delivered> {
  const batches = await queryRows<{ seq: number | string; item_count: number }>(
    database,
    sql`select b.seq, b.item_count from ingest_batches b join agents a on a.id = b.agent_id where a.name = ${agent} order by b.seq`,
  );
  const [samples] = await queryRows<{ n: number }>(
    database,
    sql`select count(*)::int as n from node_samples s join agents a on a.id = s.agent_id where a.name = ${agent}`,
  );
  return { seqs: batches.map((b) => Number(b.seq)), items: batches.reduce((n, b) => n + b.item_count, 0), samples: samples?.n ?? 0 };
}

/** 1..n without a gap: every batch arrived, none twice. */
export const contiguous = (seqs: number[], from = 1) => seqs.every((s, i) => s === from + i);

/** A counter or gauge value from a prom-client text exposition. */
export function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

export interface RecordingApi {
  url: string;
  /** Every batch posted, in arrival order (replays included). */
  batches: { agent: string; seq: number; items: Record<string, unknown>[] }[];
  /** The status to answer with (200 by default); 503 plays an outage. */
  status: number;
  close(): Promise<void>;
}

/** A stand-in ingest API on 127.0.0.1 that records the batches it is sent and answers as told. */
export async function startRecordingApi(): Promise<RecordingApi> {
  const api: RecordingApi = { url: '', batches: [], status: 200, close: async () => {} };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (api.status !== 200) {
      res.writeHead(api.status, { 'Content-Type': 'application/json' });
      res.end('{}');
      return;
    }
    const batch = JSON.parse(Buffer.concat(chunks).toString()) as RecordingApi['batches'][number];
    api.batches.push(batch);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'applied', seq: batch.seq }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  api.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  api.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return api;
}
