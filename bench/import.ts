/**
 * Import throughput and memory (issue 20, item 3) on a throwaway PostgreSQL server (or
 * BENCH_DATABASE_URL): the demo's systems at scale 8 (12,000 rows) and a file of
 * BENCH_IMPORT_ROWS systems (1,000,000 by default) go through the real importer from a CSV on
 * disk, as `yunwang import` reads one — the large file by `yunwang import` itself, in a process
 * of its own, whose high-water mark (VmHWM) is its peak memory. Beside each, in the same run,
 * COPY of the same file into a bare table of text columns: the ratio is what the import costs
 * over moving the bytes. Results go to bench/IMPORT.md.
 *
 *   node --import tsx bench/import.ts        (BENCH_IMPORT_ROWS=1000000, BENCH_SCALE=8)
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from '../src/db/client.ts';
import { queryRows } from '../src/db/raw.ts';
import { regions } from '../src/db/schema/index.ts';
import { generateDemoDataset } from '../src/demo/generate.ts';
import { upsertClouds } from '../src/demo/load.ts';
import { rootActor } from '../src/identity/actor.ts';
import { writeExportFile } from '../src/imports/format.ts';
import { importFile } from '../src/imports/service.ts';
import { loadDivisions } from '../src/regions/service.ts';
import type { SystemInput } from '../src/registry/kinds/systems.ts';
import { withBenchDatabase } from './postgres.ts';
import { ms, resultsPage } from './report.ts';

const scale = Number(process.env.BENCH_SCALE ?? 8);
const bigRows = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** The process's peak resident set so far (Linux), in bytes. */
async function highWaterMark(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib ? Number(kib) * 1024 : Number.NaN;
}

/** Runs `fn`, sampling the resident set every 50 ms; answers its result, the time and the largest sample. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; elapsed: number; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const t0 = performance.now();
  try {
    const result = await fn();
    return { result, elapsed: performance.now() - t0, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

/** COPY of the CSV file as it is into a fresh table of text columns: the bare cost of moving the rows in. */
async function copyReference(database: Database, path: string, columns: number): Promise<number> {
  const table = `bench_copy_${columns}_${Date.now()}`;
  await database.db.execute(sql.raw(`create table ${table} (${Array.from({ length: columns }, (_, i) => `c${i} text`).join(', ')})`));
  const pool = (database.db as unknown as { $client: pg.Pool }).$client;
  const client = await pool.connect();
  try {
    const t0 = performance.now();
    await pipeline(createReadStream(path), client.query(copyFrom(`copy ${table} from stdin (format csv, header true)`)));
    return performance.now() - t0;
  } finally {
    client.release();
    await database.db.execute(sql.raw(`drop table ${table}`));
  }
}

/** Runs `yunwang import <path> --kind systems`, polling its high-water mark (VmHWM) until it exits. */
async function cliImport(path: string, env: Record<string, string | undefined>) {
  const cli = fileURLToPath(new URL('../bin/yunwang.mjs', import.meta.url));
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'import', path, '--kind', 'systems'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  let peakRss = 0;
  const poll = setInterval(async () => {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
    const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    if (kib) peakRss = Math.max(peakRss, Number(kib) * 1024);
  }, 100);
  const [code] = await once(child, 'exit');
  clearInterval(poll);
  if (code !== 0) throw new Error(`yunwang import exited ${code}: ${stderr}`);
  return { elapsed: performance.now() - t0, peakRss, stdout, stderr };
}

async function main() {
  const { say, write } = resultsPage(new URL('./IMPORT.md', import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'yunwang-bench-import-'));
  try {
    await withBenchDatabase('import', async (database, url) => {
      await database.migrate();
      const { db } = database;
      await loadDivisions(db);
      const regionRows = await db
        .select({ code: regions.code, name: regions.name, level: regions.level, parentCode: regions.parentCode })
        .from(regions);
      const dataset = generateDemoDataset(regionRows, { scale });
      const actor = rootActor('bench');
      await importFile(db, 'departments', await writeExportFile('departments', dataset.departments, 'csv'), 'csv', actor);
      await upsertClouds(db, dataset, actor);
      const columns = (await import('../src/registry/kinds/index.ts')).kindFor('systems').columns.length;

      say(`# Import benchmark (${new Date().toISOString().slice(0, 10)}, PostgreSQL, ${process.arch}, Node ${process.version})`);
      say('');
      say(`Command: \`BENCH_SCALE=${scale} BENCH_IMPORT_ROWS=${bigRows} node --import tsx bench/import.ts\``);
      say('');
      say('The systems file goes through `importFile` from a CSV on disk (what `yunwang import` and the API, after streaming the');
      say('upload to a temporary file, do): read as a stream → per-row checks → COPY into import_staging → repeated codes in SQL →');
      say('5,000 rows at a time: registry checks, authorization, upsert, transitions, timeline, audit — in one transaction.');
      say('Reference: COPY of the same CSV file into a bare table of text columns, in the same run.');
      say('');
      say('| file | rows | size | import | rows/s | COPY of the same file | ratio | peak RSS (sampled) |');
      say('|---|---|---|---|---|---|---|---|');

      const row = async (label: string, path: string, rows: number, expected: { created: number }) => {
        const size = (await stat(path)).size;
        const { result, elapsed, peakRss } = await measured(() => importFile(db, 'systems', { path }, 'csv', actor));
        if (result.created !== expected.created) throw new Error(`${label}: created ${result.created}, expected ${expected.created}`);
        const copy = await copyReference(database, path, columns);
        say(
          `| ${label} | ${rows} | ${mib(size)} | ${ms(elapsed)} | ${Math.round(rows / (elapsed / 1000))} | ${ms(copy)} | ${(elapsed / copy).toFixed(1)}× | ${mib(peakRss)} |`,
        );
        return result;
      };

      // Scale 8: the demo's systems, as bench/indicators.ts imports them.
      const demoPath = join(dir, 'systems-demo.csv');
      await writeFile(demoPath, await writeExportFile('systems', dataset.systems, 'csv'));
      await row(`demo systems, scale ${scale}, new`, demoPath, dataset.systems.length, { created: dataset.systems.length });
      await row(`demo systems, scale ${scale}, again (unchanged)`, demoPath, dataset.systems.length, { created: 0 });

      // A national-size file: the demo's systems again and again under new codes, written a part at a time.
      const bigPath = join(dir, 'systems-big.csv');
      const part = 10_000;
      for (let at = 0; at < bigRows; at += part) {
        const rows = Array.from({ length: Math.min(part, bigRows - at) }, (_, i) => {
          const base = dataset.systems[(at + i) % dataset.systems.length] as SystemInput;
          return { ...base, code: `${base.code}-N${at + i}` };
        });
        const text = new TextDecoder().decode(await writeExportFile('systems', rows, 'csv'));
        await writeFile(bigPath, at === 0 ? text : text.slice(text.indexOf('\n') + 1), { flag: at === 0 ? 'w' : 'a' });
      }
      // The national-size file through `yunwang import`, in a process of its own, so its peak RSS is the import's.
      const tinyPath = join(dir, 'systems-one.csv');
      await writeFile(tinyPath, await writeExportFile('systems', [{ ...(dataset.systems[0] as SystemInput), code: 'BENCH-ONE' }], 'csv'));
      const env = { PATH: process.env.PATH, DATABASE_URL: url, YUNWANG_DATA_DIR: dir, YUNWANG_AUDIT_KEY: randomBytes(32).toString('hex') };
      const tiny = await cliImport(tinyPath, env);
      const big = await cliImport(bigPath, env);
      if (!big.stdout.includes(`${bigRows} created`)) throw new Error(`yunwang import: ${big.stdout} ${big.stderr}`);
      const copy = await copyReference(database, bigPath, columns);
      const size = (await stat(bigPath)).size;
      say(
        `| ${bigRows} systems, new, by \`yunwang import\` (own process) | ${bigRows} | ${mib(size)} | ${ms(big.elapsed)} | ${Math.round(bigRows / (big.elapsed / 1000))} | ${ms(copy)} | ${(big.elapsed / copy).toFixed(1)}× | ${mib(big.peakRss)} (VmHWM; a 1-row import: ${mib(tiny.peakRss)}) |`,
      );
      const [counts] = await queryRows<Record<string, number>>(
        db,
        sql`select (select count(*) from systems)::int as systems, (select count(*) from transitions)::int as transitions,
                   (select count(*) from timeline)::int as timeline, (select count(*) from audit_log)::int as audit_log,
                   (select count(*) from import_staging)::int as import_staging`,
      );
      say('');
      say(
        `After: ${Object.entries(counts ?? {})
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}. Process high-water mark (VmHWM, whole run): ${mib(await highWaterMark())}.`,
      );
    });
    await write();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
