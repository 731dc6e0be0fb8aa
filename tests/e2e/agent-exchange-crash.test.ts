/**
 * exchange-agent killed with -9 after a CSV file's rows are fsynced in the spool but before
 * the file moved to done/: the restarted agent sends the spooled batch and reads the file
 * again, so every row arrives (some twice, which the server's replace-by-(service, date)
 * absorbs), and only then is the file done.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../agents/client/runner.ts';
import { Spool } from '../../agents/client/spool.ts';
import { exchangeCollector } from '../../agents/exchange/agent.ts';
import { exchangeAgent } from '../../agents/exchange/program.ts';
import { type RecordingApi, startRecordingApi, waitFor } from '../helpers/agents.ts';
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
