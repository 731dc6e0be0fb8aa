/**
 * Indicators at a given scale on a throwaway PostgreSQL server (or BENCH_DATABASE_URL): imports
 * the demo dataset at `--scale` through the real importer (CSV files, as `yunwang import` reads
 * them), then measures, uncached, the full indicator set for province, city, county and
 * department scopes as of today, two years back and the demo's last history day; a /metrics
 * scrape; the map's layers; memory. Every figure stands beside a reference measured in the same
 * run (COPY of the same file into a bare table; GET /livez; `select count(*) from systems`).
 * The run rewrites its own scale's section of bench/RESULTS.md and leaves the others.
 *
 *   npm run bench                      (scale 8, 20 rounds)
 *   npm run bench -- --scale 200       (BENCH_SCALE, BENCH_ROUNDS work too)
 */

import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createApp } from '../src/app.ts';
import { queryRows } from '../src/db/raw.ts';
import { regions } from '../src/db/schema/index.ts';
import { generateDemoDataset } from '../src/demo/generate.ts';
import { upsertClouds } from '../src/demo/load.ts';
import { rootActor } from '../src/identity/actor.ts';
import { createToken } from '../src/identity/tokens.ts';
import { createUser } from '../src/identity/users.ts';
import { writeExportFile } from '../src/imports/format.ts';
import { importFile } from '../src/imports/service.ts';
import { indicatorKeys } from '../src/indicators/definitions.ts';
import { addDays, businessDate } from '../src/kernel/dates.ts';
import { loadDivisions } from '../src/regions/service.ts';
import { withBenchDatabase } from './postgres.ts';
import { ms, percentile, resultsSection } from './report.ts';

const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const scale = Number(flag('scale') ?? process.env.BENCH_SCALE ?? 8);
/**
 * BENCH_READS_ONLY=1 with BENCH_DATABASE_URL naming a database an earlier run kept (BENCH_KEEP=1):
 * no import, the reads measured again on the registry it holds, in their own section.
 */
const readsOnly = process.env.BENCH_READS_ONLY === '1';
const rounds = Number(flag('rounds') ?? process.env.BENCH_ROUNDS ?? (scale >= 60 ? 5 : 20));
/** Counties and departments sampled (deterministically: every n-th by code). */
const SAMPLE = 20;
const historyDay = '2020-07-31';
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

async function highWaterMark(): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

const every = <T>(xs: readonly T[], n: number) => (xs.length <= n ? [...xs] : xs.filter((_, i) => i % Math.ceil(xs.length / n) === 0));

async function main() {
  const page = resultsSection(new URL('./RESULTS.md', import.meta.url), readsOnly ? `scale ${scale} reads` : `scale ${scale}`);
  const { say } = page;
  await withBenchDatabase('indicators', async (database, url) => {
    await database.migrate();
    const { db } = database;
    if (!readsOnly) await loadDivisions(db);
    const regionRows = await db
      .select({ code: regions.code, name: regions.name, level: regions.level, parentCode: regions.parentCode })
      .from(regions);
    async function importDataset() {
      const dataset = generateDemoDataset(regionRows, { scale });
      say('### Import (CLI/API path: CSV file → validate → upsert → transitions → timeline → rollups → audit)');
      say('');
      say('| kind | rows | file | import | rows/s | COPY of the same file into a bare table | ratio |');
      say('|---|---|---|---|---|---|---|');
      const copier = new pg.Client({ connectionString: url });
      await copier.connect();
      const kinds = [
        ['departments', dataset.departments],
        ['network-nodes', dataset['network-nodes']],
        ['systems', dataset.systems],
        ['private-networks', dataset['private-networks']],
        ['service-items', dataset['service-items']],
      ] as const;
      let itemRows = 0;
      let itemMs = 0;
      for (const [kind, rows] of kinds) {
        const file = await writeExportFile(kind, rows as never, 'csv');
        const t0 = performance.now();
        const report = await importFile(db, kind, file, 'csv', rootActor('bench'));
        const elapsed = performance.now() - t0;
        if (kind === 'systems' || kind === 'service-items' || kind === 'private-networks') {
          itemRows += report.rows;
          itemMs += elapsed;
        }
        const copied = await copyReference(copier, kind, file);
        // Tenants name departments, and systems name clouds: clouds go in right after departments.
        if (kind === 'departments') await upsertClouds(db, dataset, rootActor('bench'));
        say(
          `| ${kind} | ${report.rows} | ${mib(file.byteLength)} | ${ms(elapsed)} | ${Math.round(report.rows / (elapsed / 1000))} | ${ms(copied)} | ${(elapsed / copied).toFixed(1)}× |`,
        );
      }
      await copier.end();
      say('');
      say(
        `Items (systems, private networks, service items): ${itemRows} rows in ${(itemMs / 1000).toFixed(1)} s, ${Math.round(itemRows / (itemMs / 1000))} rows/s.`,
      );
    }
    const today = businessDate();
    const twoYearsBack = addDays(today, -730);

    const load = loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ');
    say(
      `## Scale ${scale}${readsOnly ? ', reads again on the same registry' : ''} (${new Date().toISOString().slice(0, 10)}, PostgreSQL, ${process.arch}, Node ${process.version}, load average ${load} at the start)`,
    );
    say('');
    say(
      readsOnly
        ? `Command: \`BENCH_READS_ONLY=1 BENCH_DATABASE_URL=… npm run bench -- --scale ${scale}\` (${rounds} rounds) on the database the scale-${scale} run above kept (BENCH_KEEP=1): no import.`
        : `Command: \`npm run bench -- --scale ${scale}\` (${rounds} rounds).`,
    );
    say('');
    if (!readsOnly) await importDataset();
    const [counts] = await queryRows<Record<string, number>>(
      db,
      sql`select (select count(*) from systems)::int as systems, (select count(*) from service_items)::int as service_items,
                 (select count(*) from private_networks)::int as private_networks, (select count(*) from departments)::int as departments,
                 (select count(*) from network_nodes)::int as network_nodes, (select count(*) from timeline)::int as timeline`,
    );
    say('');
    say(
      `Registry: ${Object.entries(counts ?? {})
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}.`,
    );

    const app = createApp({ database, config: { YUNWANG_BODY_LIMIT_BYTES: 1 << 20, YUNWANG_IMPORT_LIMIT_BYTES: 64 << 20 } });
    // Uncached: a registry write between requests expires the figures' cache.
    const expire = () => db.execute(sql`update registry_version set version = version + 1`);
    // A real reader: the leader role, with an API token, as a dashboard would call it.
    // Its own reader each run: a kept database already has the earlier runs'.
    const reader = `bench-leader-${Date.now()}`;
    await createUser(db, { name: reader, roles: ['leader'], password: 'Bench-Passw0rd!' }, rootActor('bench'));
    const { token } = await createToken(db, reader, { name: 'bench', scope: 'read', expires_in_days: 1 }, rootActor('bench'));
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const timeRequest = async (target: { request: typeof app.request }, path: string, cold = false) => {
      if (cold) await expire();
      const t0 = performance.now();
      const res = await target.request(path, auth);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      return performance.now() - t0;
    };

    const refLivez: number[] = [];
    const refCount: number[] = [];
    for (let i = 0; i < rounds * 10; i++) {
      refLivez.push(await timeRequest(app, '/livez'));
      const t0 = performance.now();
      await db.execute(sql`select count(*) from systems`);
      refCount.push(performance.now() - t0);
    }
    say('');
    say(
      `### Reference (same run): GET /livez p50 ${ms(percentile(refLivez, 50))} / p95 ${ms(percentile(refLivez, 95))}; \`select count(*) from systems\` p50 ${ms(percentile(refCount, 50))} / p95 ${ms(percentile(refCount, 95))}`,
    );

    const byLevel = (level: string) =>
      regionRows
        .filter((r) => r.level === level)
        .map((r) => r.code)
        .sort();
    const provinceCode = byLevel('province')[0] as string;
    const [deptRows] = [await queryRows<{ code: string }>(db, sql`select d.code from departments d order by d.path`)];
    const scopeClasses = [
      ['province', [provinceCode]],
      ['city (14)', byLevel('city')],
      [`county (${SAMPLE} sampled)`, every(byLevel('county'), SAMPLE)],
      [
        `department (${SAMPLE} sampled, with sub-departments)`,
        every(
          deptRows.map((d) => `dept:${d.code}`),
          SAMPLE,
        ),
      ],
    ] as const;
    say('');
    say(`### Full indicator set (${indicatorKeys.length} indicators) per request, uncached, through app.request()`);
    say('');
    say('| scope | as of | n | p50 | p95 | p99 |');
    say('|---|---|---|---|---|---|');
    const slowest: number[] = [];
    for (const [label, scopes] of scopeClasses) {
      for (const [dateLabel, at] of [
        [`today (${today})`, today],
        [`two years back (${twoYearsBack})`, twoYearsBack],
        [`history (${historyDay})`, historyDay],
      ] as const) {
        for (const scope of scopes) await timeRequest(app, `/api/v1/indicators?scope=${scope}&at=${at}`, true); // warm-up
        const samples: number[] = [];
        for (let round = 0; round < rounds; round++) {
          for (const scope of scopes) samples.push(await timeRequest(app, `/api/v1/indicators?scope=${scope}&at=${at}`, true));
        }
        slowest.push(percentile(samples, 95));
        say(
          `| ${label} | ${dateLabel} | ${samples.length} | ${ms(percentile(samples, 50))} | ${ms(percentile(samples, 95))} | ${ms(percentile(samples, 99))} |`,
        );
      }
    }
    const cached: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const scope of byLevel('city')) cached.push(await timeRequest(app, `/api/v1/indicators?scope=${scope}&at=${historyDay}`));
    }
    say(
      `| city (14), cached | ${historyDay} | ${cached.length} | ${ms(percentile(cached, 50))} | ${ms(percentile(cached, 95))} | ${ms(percentile(cached, 99))} |`,
    );
    say('');
    say(`Worst p95 of the uncached rows: ${ms(Math.max(...slowest))}.`);

    // The drill-down: the first page of the exact items behind a figure (the item SQL, not the rollups).
    say('');
    say('### Drill-down: first page (50) of the items behind a figure, with its total');
    say('');
    say('| figure | scope | n | p50 | p95 |');
    say('|---|---|---|---|---|');
    for (const [indicator, scope, missing] of [
      ['cloud_migration', provinceCode, false],
      ['cloud_migration', provinceCode, true],
      ['service_integration', provinceCode, false],
      ['cloud_migration', byLevel('city')[0] as string, false],
    ] as const) {
      const path = `/api/v1/indicators/${indicator}/items?scope=${scope}&at=${historyDay}&limit=50${missing ? '&missing=true' : ''}`;
      await timeRequest(app, path);
      const samples: number[] = [];
      for (let i = 0; i < rounds; i++) samples.push(await timeRequest(app, path));
      say(
        `| ${indicator}${missing ? ' (missing only)' : ''} | ${scope} | ${samples.length} | ${ms(percentile(samples, 50))} | ${ms(percentile(samples, 95))} |`,
      );
    }

    // /metrics: a new app computes its gauges on the first scrape (later ones reuse them while fresh).
    const scrapes: number[] = [];
    const warmScrapes: number[] = [];
    for (let i = 0; i < Math.max(3, Math.round(rounds / 2)); i++) {
      const fresh = createApp({ database, config: { YUNWANG_BODY_LIMIT_BYTES: 1 << 20, YUNWANG_IMPORT_LIMIT_BYTES: 64 << 20 } });
      scrapes.push(await timeRequest(fresh, '/metrics', true));
      warmScrapes.push(await timeRequest(fresh, '/metrics'));
    }
    // The map: every city (or one city's counties) coloured by an indicator as of a date.
    const maps: Record<string, number[]> = { cities: [], counties: [] };
    const capital = byLevel('city')[0] as string;
    for (let i = 0; i < rounds; i++) {
      maps.cities?.push(await timeRequest(app, `/geo/guangxi-cities.json?indicator=cloud_migration&at=${historyDay}`, true));
      maps.counties?.push(
        await timeRequest(app, `/geo/guangxi-counties.json?indicator=cloud_migration&at=${historyDay}&city=${capital}`, true),
      );
    }
    say('');
    say('### /metrics and the map, uncached');
    say('');
    say('| request | n | p50 | p95 |');
    say('|---|---|---|---|');
    say(
      `| /metrics, first scrape of a new app (computes every gauge) | ${scrapes.length} | ${ms(percentile(scrapes, 50))} | ${ms(percentile(scrapes, 95))} |`,
    );
    say(
      `| /metrics, next scrape (gauges fresh) | ${warmScrapes.length} | ${ms(percentile(warmScrapes, 50))} | ${ms(percentile(warmScrapes, 95))} |`,
    );
    say(
      `| map: the 14 cities by 上云率 | ${maps.cities?.length} | ${ms(percentile(maps.cities ?? [], 50))} | ${ms(percentile(maps.cities ?? [], 95))} |`,
    );
    say(
      `| map: one city's counties by 上云率 | ${maps.counties?.length} | ${ms(percentile(maps.counties ?? [], 50))} | ${ms(percentile(maps.counties ?? [], 95))} |`,
    );

    const [size] = await queryRows<{ bytes: string }>(db, sql`select pg_database_size(current_database())::text as bytes`);
    say('');
    say(
      `Memory: the bench process peaked at ${mib(await highWaterMark())} resident (it holds the generated dataset and each CSV file); now ${mib(process.memoryUsage().rss)}. Database: ${mib(Number(size?.bytes ?? 0))}.`,
    );
    const province = await (await app.request(`/api/v1/indicators?scope=${provinceCode}&at=${historyDay}`, auth)).json();
    say('');
    say(
      `Province figures as of ${historyDay}: ${(province as { indicators: { key: string; percent: number }[] }).indicators.map((i) => `${i.key} ${i.percent}%`).join(', ')}.`,
    );
  });
  await page.write();
}

/** The reference for an import: COPY of the same CSV file into an unlogged table of text columns. */
async function copyReference(client: pg.Client, kind: string, file: Uint8Array): Promise<number> {
  const text = Buffer.from(file);
  const [header] = parse(text.subarray(0, text.indexOf(10)), { bom: true }) as string[][];
  const columns = header?.length ?? 0;
  const table = `bench_copy_${kind.replaceAll('-', '_')}`;
  await client.query(`create unlogged table ${table} (${Array.from({ length: columns }, (_, i) => `c${i} text`).join(', ')})`);
  const t0 = performance.now();
  await pipeline(Readable.from([text]), client.query(copyFrom(`copy ${table} from stdin with (format csv, header true)`)));
  const elapsed = performance.now() - t0;
  await client.query(`drop table ${table}`);
  return elapsed;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
