/**
 * Snapshot backfill benchmark: freezes 2019-01..2020-07 (19 months, every scope through
 * computeIndicators) at demo scale on PGlite — what a fresh `npm start` does in the
 * background — and at province scale (BENCH_SCALE, 8 by default: ~2,100 departments) on a
 * throwaway PostgreSQL, at concurrency 1 and at the configured default. Writes bench/SNAPSHOTS.md.
 *
 *   npm run bench:snapshots
 */

import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { leadershipSettings } from '../src/config.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { loadDemoData } from '../src/demo/load.ts';
import { rootActor } from '../src/identity/actor.ts';
import { DEMO_HISTORY } from '../src/leadership/demo.ts';
import { freezeMonth, freezeMonths } from '../src/leadership/freeze.ts';
import { monthRange } from '../src/leadership/months.ts';
import { buildRanking } from '../src/leadership/ranking.ts';
import { buildSupervisionReport } from '../src/leadership/report.ts';
import { supervisionXlsx } from '../src/leadership/report-xlsx.ts';
import { loadDivisions } from '../src/regions/service.ts';
import { withBenchDatabase } from './postgres.ts';

const scale = Number(process.env.BENCH_SCALE ?? 8);
const months = monthRange(DEMO_HISTORY.from, DEMO_HISTORY.to);
const actor = rootActor('bench');
const settings = leadershipSettings();
const lines: string[] = [];
const say = (line: string) => {
  console.log(line);
  lines.push(line);
};
const seconds = (t: number) => `${(t / 1000).toFixed(1)} s`;
const ms = (t: number) => `${Math.round(t)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

/** A re-freeze recomputes everything: the same work as the first freeze, on the same data. */
async function refreezeAll(database: Database, concurrency: number) {
  const results = [];
  for (const month of months) results.push(await freezeMonth(database.db, month, { actor, concurrency, refreeze: true, reason: 'bench' }));
  return results;
}

async function measure(label: string, database: Database, demoScale: number, concurrencies: number[]) {
  await database.migrate();
  await loadDivisions(database.db);
  const [, loadMs] = await timed(() => loadDemoData(database.db, { scale: demoScale }));
  let first = true;
  for (const concurrency of concurrencies) {
    const [results, ms] = await timed(() =>
      first ? freezeMonths(database.db, months, { actor, concurrency }) : refreezeAll(database, concurrency),
    );
    first = false;
    const scopes = results[0]?.snapshot.scope_count ?? 0;
    const figures = results[0]?.snapshot.figure_count ?? 0;
    const perMonth = results.map((r) => r.snapshot.duration_ms ?? 0);
    say(
      `| ${label} | ${concurrency} | ${scopes} | ${figures} | ${seconds(ms)} | ${seconds(ms / months.length)} | ${seconds(Math.max(...perMonth))} | ${Math.round((scopes * months.length) / (ms / 1000))} | ${seconds(loadMs)} |`,
    );
  }
  const [, rankingMs] = await timed(() => buildRanking(database.db, months.at(-1) as string, settings));
  const [, reportMs] = await timed(async () =>
    supervisionXlsx(await buildSupervisionReport(database.db, months.at(-1) as string, settings)),
  );
  return { rankingMs, reportMs };
}

async function main() {
  say(`# Snapshot backfill (${new Date().toISOString().slice(0, 10)}, ${process.arch}, ${cpus().length} cores, Node ${process.version})`);
  say('');
  say(
    `Freezing ${months[0]}..${months.at(-1)} (${months.length} months): every indicator of the province, every city, county and department, all at once from the rollups (computeIndicatorsForScopes, which the tests hold to computeIndicators).`,
  );
  say('');
  say('| database, scale | concurrency | scopes/month | figures/month | 19 months | per month | slowest month | scopes/s | demo load |');
  say('|---|---|---|---|---|---|---|---|---|');

  const embedded = await openDatabase({});
  let demo: { rankingMs: number; reportMs: number };
  try {
    demo = await measure('PGlite, demo (scale 1)', embedded, 1, [settings.snapshotConcurrency]);
  } finally {
    await embedded.close();
  }

  await withBenchDatabase('snapshots', async (database) => {
    const province = await measure(`PostgreSQL 15, province (scale ${scale})`, database, scale, [settings.snapshotConcurrency, 1]);
    say('');
    say(
      `Reading a frozen month: the red/black list ${ms(demo.rankingMs)} (demo) / ${ms(province.rankingMs)} (province); the supervision report as XLSX ${ms(demo.reportMs)} / ${ms(province.reportMs)}.`,
    );
    // Other work on a shared machine slows every figure alike: say how busy it was.
    say('');
    say(
      `Load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')} (1, 5, 15 min).`,
    );
  });
  await writeFile(fileURLToPath(new URL('./SNAPSHOTS.md', import.meta.url)), `${lines.join('\n')}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
