/**
 * exchange-agent's CSV source through faults, against a stand-in API (the real server's
 * variant is in agent-outages.test.ts, waiting for the server side):
 * - killed with -9 after a file's rows are fsynced in the spool but before the file moved
 *   to done/: the restart sends the spooled batches and reads the file again, so every row
 *   arrives (some twice, which the server's replace-by-(service, date) absorbs), and only
 *   then is the file done;
 * - the API refusing with 503 for 20 s while files keep arriving: every batch once, in order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../agents/client/runner.ts';
import { Spool } from '../../agents/client/spool.ts';
import { exchangeCollector } from '../../agents/exchange/agent.ts';
import { exchangeAgent } from '../../agents/exchange/program.ts';
import { addDays } from '../../agents/exchange/volumes.ts';
import { type RecordingApi, sleep, startRecordingApi, waitFor } from '../helpers/agents.ts';
import { closedPort } from '../helpers/targets.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = path.join(root, 'tests/e2e/fixtures/exchange-crash.ts');

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('exchange-agent killed between spooling a CSV file and moving it', () => {
  let dir: string;
  let api: RecordingApi;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-exchange-crash-'));
    api = await startRecordingApi();
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses no row: the restart sends the spooled batch, reads the file again, and only then moves it to done/', {
    timeout: 60_000,
  }, async () => {
    const drop = path.join(dir, 'drop');
    await mkdir(drop);
    const rows = Array.from({ length: 40 }, (_, i) => [`GX-IF-${String(i).padStart(3, '0')}`, `2026-12-0${1 + (i % 5)}`, i * 3] as const);
    const csv = path.join(drop, 'volumes-20261205.csv');
    await writeFile(csv, `service_code,date,count\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const past = new Date(Date.now() - 60_000);
    await utimes(csv, past, past);
    const config = (apiUrl: string) => ({
      api_url: apiUrl,
      token: 'ywa_test',
      name: 'exchange-crash',
      spool_dir: path.join(dir, 'spool'),
      max_batch_items: 15,
      metrics_enabled: false,
      csv: { dir: drop, settle_seconds: 1 },
    });
    // The first run's API is down: what it spooled stays in the spool.
    const file = path.join(dir, 'exchange.json');
    await writeFile(file, JSON.stringify(config(`http://127.0.0.1:${await closedPort()}`)));

    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    try {
      await waitFor('the round to be spooled', () => output.includes('spooled 40'), 30_000);
      child.kill('SIGKILL');
      await exited(child);
    } finally {
      child.kill('SIGKILL');
    }
    expect(child.signalCode).toBe('SIGKILL');
    // The crash window: the rows are in the spool, the file is still where the platform put it.
    expect(await readdir(drop)).toContain('volumes-20261205.csv');
    expect(await readdir(path.join(drop, 'done'))).toEqual([]);
    const { spool, report } = await Spool.open({ dir: path.join(dir, 'spool'), maxBytes: 1024 ** 2, maxAgeMs: 3600_000 });
    expect(report.pending).toBe(3);
    await spool.close();

    // The restart, with the API back.
    await writeFile(file, JSON.stringify(config(api.url)));
    const loaded = exchangeAgent.load(file);
    const agent = await startAgent({
      kind: 'exchange',
      config: loaded,
      collect: exchangeCollector(loaded, { log: () => {} }),
      once: true,
      log: () => {},
    });
    expect(await agent.done).toBe(0);

    // seq 1–3 from the spool, 4–6 from the file read again: each row twice, none missing.
    expect(api.batches.map((b) => b.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const sent = api.batches.flatMap((b) => b.items).map((i) => [i.service, i.date, i.count]);
    expect(sent).toEqual([...rows, ...rows].map((r) => [...r]));
    // What the server keeps after replace-by-(service, date): exactly the file.
    const kept = new Map(sent.map(([s, d, c]) => [`${s}|${d}`, c]));
    expect(kept.size).toBe(rows.length);
    for (const [s, d, c] of rows) expect(kept.get(`${s}|${d}`)).toBe(c);
    expect(await readdir(path.join(drop, 'done'))).toEqual(['volumes-20261205.csv']);
    expect(await readdir(drop)).not.toContain('volumes-20261205.csv');
  });
});

describe('exchange-agent through a 20 s outage of a stand-in API', () => {
  let dir: string;
  let api: RecordingApi;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-exchange-standin-'));
    api = await startRecordingApi();
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps taking files while the API answers 503; then every batch arrives once, in order, and each day ends with its last count', {
    timeout: 90_000,
  }, async () => {
    const drop = path.join(dir, 'drop');
    await mkdir(drop);
    const services = ['GX-IF-A', 'GX-IF-B', 'GX-IF-C'];
    const expected = new Map<string, number>();
    let rowsWritten = 0;
    let files = 0;
    const dropDay = async (date: string, bump: number) => {
      const rows = services.map((service, i) => {
        const count = 100 * (i + 1) + bump;
        expected.set(`${service}|${date}`, count);
        return `${service},${date},${count}`;
      });
      const name = `v-${String(++files).padStart(4, '0')}.csv`;
      await writeFile(path.join(dir, name), `service_code,date,count\n${rows.join('\n')}\n`);
      await rename(path.join(dir, name), path.join(drop, name));
      rowsWritten += rows.length;
    };
    const file = path.join(dir, 'exchange.json');
    await writeFile(
      file,
      JSON.stringify({
        api_url: api.url,
        token: 'ywa_test',
        name: 'exchange-standin',
        spool_dir: path.join(dir, 'spool'),
        interval_seconds: 1,
        backoff_initial_ms: 100,
        backoff_max_ms: 1000,
        metrics_enabled: false,
        csv: { dir: drop, settle_seconds: 0 },
      }),
    );
    const config = exchangeAgent.load(file);
    const agent = await startAgent({ kind: 'exchange', config, collect: exchangeCollector(config, { log: () => {} }), log: () => {} });
    const done = async () => (await readdir(path.join(drop, 'done')).catch(() => [])).length;
    try {
      await dropDay('2026-11-01', 0);
      await waitFor('the first file done', async () => (await done()) === 1);
      api.status = 503;
      const started = Date.now();
      for (let s = 0; Date.now() - started < 20_000; s++) {
        // Every third file sends an earlier day again with a grown count.
        await dropDay(addDays('2026-11-02', s % 3 === 2 ? s - 1 : s), s % 3 === 2 ? s : 0);
        await sleep(1000);
      }
      // Files still move to done/ during the outage: their rows are safe in the spool.
      expect(await done()).toBeGreaterThanOrEqual(files - 1);
      expect(agent.spool.stats().batches).toBeGreaterThanOrEqual(15);
      api.status = 200;
      await waitFor('every file done', async () => (await done()) === files);
      await waitFor('the spool to drain', () => agent.spool.stats().batches === 0, 30_000);
    } finally {
      await agent.stop();
    }
    const seqs = api.batches.map((b) => b.seq);
    expect(seqs).toEqual(Array.from({ length: agent.spool.stats().nextSeq - 1 }, (_, i) => i + 1));
    const items = api.batches.flatMap((b) => b.items);
    expect(items).toHaveLength(rowsWritten);
    // What replace-by-(service, date) leaves: every day once, with the last count written.
    const kept = new Map(items.map((i) => [`${i.service}|${i.date}`, i.count]));
    expect(kept).toEqual(expected);
    expect(rowsWritten).toBeGreaterThan(expected.size);
  });
});
