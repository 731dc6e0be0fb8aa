/**
 * Province-scale benchmark on a throwaway PostgreSQL server (or BENCH_DATABASE_URL):
 * imports the demo dataset at DESIGN.md's province scale through the real importer, then
 * asks the API for the full indicator set of the province and each of its 14 cities.
 * Each figure stands beside a reference measured in the same run, and the results are
 * written to bench/RESULTS.md.
 *
 *   npm run bench            (BENCH_SCALE=8 by default; BENCH_ROUNDS=20)
 */

import { sql } from 'drizzle-orm';
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
import { loadDivisions } from '../src/regions/service.ts';
import { withBenchDatabase } from './postgres.ts';
import { ms, percentile, resultsPage } from './report.ts';

const scale = Number(process.env.BENCH_SCALE ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 20);
const at = '2020-07-31';

async function main() {
  const { say, write } = resultsPage(new URL('./RESULTS.md', import.meta.url));
  await withBenchDatabase('indicators', async (database) => {
    await database.migrate();
    const { db } = database;
    await loadDivisions(db);
    const regionRows = await db
      .select({ code: regions.code, name: regions.name, level: regions.level, parentCode: regions.parentCode })
      .from(regions);
    const dataset = generateDemoDataset(regionRows, { scale });

    say(
      `# Benchmark results (${new Date().toISOString().slice(0, 10)}, scale ${scale}, PostgreSQL, ${process.arch}, Node ${process.version})`,
    );
    say('');
    say('## Import (CLI/API path: parse file → validate → upsert → transitions → timeline → audit)');
    say('');
    say('| kind | rows | file | import | rows/s | raw INSERT of same rows | ratio |');
    say('|---|---|---|---|---|---|---|');
    const kinds = [
      ['departments', dataset.departments],
      ['network-nodes', dataset['network-nodes']],
      ['systems', dataset.systems],
      ['private-networks', dataset['private-networks']],
      ['service-items', dataset['service-items']],
    ] as const;
    for (const [kind, rows] of kinds) {
      const file = await writeExportFile(kind, rows as never, 'csv');
      const t0 = performance.now();
      const report = await importFile(db, kind, file, 'csv', rootActor('bench'));
      const elapsed = performance.now() - t0;
      // Reference: the bare cost of writing the same rows as JSON into a scratch table.
      await db.execute(sql`create temporary table if not exists bench_raw (doc jsonb)`);
      const r0 = performance.now();
      for (let i = 0; i < rows.length; i += 1000) {
        await db.execute(sql`insert into bench_raw (doc) select jsonb_array_elements(${JSON.stringify(rows.slice(i, i + 1000))}::jsonb)`);
      }
      const raw = performance.now() - r0;
      // Tenants name departments, and systems name clouds: clouds go in right after departments.
      if (kind === 'departments') await upsertClouds(db, dataset, rootActor('bench'));
      say(
        `| ${kind} | ${report.rows} | ${(file.byteLength / 1024).toFixed(0)} KiB | ${ms(elapsed)} | ${Math.round(report.rows / (elapsed / 1000))} | ${ms(raw)} | ${(elapsed / raw).toFixed(1)}× |`,
      );
    }

    const app = createApp({ database, config: { YUNWANG_BODY_LIMIT_BYTES: 1 << 20, YUNWANG_IMPORT_LIMIT_BYTES: 64 << 20 } });
    // Cold: every request computes (a registry write between requests expires the cache).
    const expire = () => db.execute(sql`update registry_version set version = version + 1`);
    const scopes = [
      '450000',
      ...regionRows
        .filter((r) => r.level === 'city')
        .map((r) => r.code)
        .sort(),
    ];
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
    say('');
    say(
      `## Full indicator set (${indicatorKeys.length} indicators) per request, province + 14 cities, ${rounds} rounds, through app.request()`,
    );
    say('');
    say('| request | n | p50 | p95 | p99 | reference GET /livez p95 | reference `select count(*) from systems` p95 |');
    say('|---|---|---|---|---|---|---|');
    // A real reader: the leader role, with an API token, as a dashboard would call it.
    await createUser(db, { name: 'bench-leader', roles: ['leader'], password: 'Bench-Passw0rd!' }, rootActor('bench'));
    const { token } = await createToken(db, 'bench-leader', { name: 'bench', scope: 'read', expires_in_days: 1 }, rootActor('bench'));
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const timeRequest = async (url: string, cold = false) => {
      if (cold) await expire();
      const t0 = performance.now();
      const res = await app.request(url, auth);
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      return performance.now() - t0;
    };
    const refLivez: number[] = [];
    const refCount: number[] = [];
    for (let i = 0; i < rounds * 5; i++) {
      refLivez.push(await timeRequest('/livez'));
      const t0 = performance.now();
      await db.execute(sql`select count(*) from systems`);
      refCount.push(performance.now() - t0);
    }
    for (const [label, query, cold] of [
      [`as of ${at}, computed`, `&at=${at}`, true],
      ['as of today, computed', '', true],
      ['本级 (self=true), computed', `&at=${at}&self=true`, true],
      [`as of ${at}, cached (registry unchanged)`, `&at=${at}`, false],
    ] as const) {
      for (const scope of scopes) await timeRequest(`/api/v1/indicators?scope=${scope}${query}`, cold); // warm-up
      const samples: number[] = [];
      for (let round = 0; round < rounds; round++) {
        for (const scope of scopes) samples.push(await timeRequest(`/api/v1/indicators?scope=${scope}${query}`, cold));
      }
      say(
        `| ${label} | ${samples.length} | ${ms(percentile(samples, 50))} | ${ms(percentile(samples, 95))} | ${ms(percentile(samples, 99))} | ${ms(percentile(refLivez, 95))} | ${ms(percentile(refCount, 95))} |`,
      );
    }
    const province = await (await app.request(`/api/v1/indicators?scope=450000&at=${at}`, auth)).json();
    say('');
    say(
      `Province figures as of ${at}: ${(province as { indicators: { key: string; percent: number }[] }).indicators.map((i) => `${i.key} ${i.percent}%`).join(', ')}.`,
    );
    await write();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
