/**
 * The review queue (待认定) at the national-scale bench's size: 300,000 systems (scale 200 of the
 * demo generator's departments), 15,000 private networks and 3,000 data centres on a throwaway
 * PostgreSQL, 30 % of each awaiting 认定 as at the start of a campaign, and some of them sent
 * back by a failed re-review. Asks GET /api/v1/review-queue for its first page (50 rows) as a
 * reviewer would — the whole province, a city, a department subtree, one kind older than a
 * year, a text search — and prints p50/p95/p99 beside GET /livez and `select count(*) from
 * systems` measured in the same run. Results go to bench/REVIEW-QUEUE.md.
 *
 * The records are written with one INSERT … SELECT each, not through the importer: what is
 * measured is the queue's read, and the importer's row cap is issue 20's to lift.
 *
 *   node --import tsx bench/review-queue.ts      (BENCH_SYSTEMS=300000, BENCH_ROUNDS=30)
 */

import { sql } from 'drizzle-orm';
import { createApp } from '../src/app.ts';
import { queryRows } from '../src/db/raw.ts';
import { regions } from '../src/db/schema/index.ts';
import { generateDemoDataset } from '../src/demo/generate.ts';
import { rootActor } from '../src/identity/actor.ts';
import { createToken } from '../src/identity/tokens.ts';
import { createUser } from '../src/identity/users.ts';
import { writeExportFile } from '../src/imports/format.ts';
import { importFile } from '../src/imports/service.ts';
import { loadDivisions } from '../src/regions/service.ts';
import { withBenchDatabase } from './postgres.ts';
import { ms, percentile, resultsPage } from './report.ts';

const systemCount = Number(process.env.BENCH_SYSTEMS ?? 300_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
/** The generator's scale whose departments the records are spread over (scale 200: national). */
const scale = 200;

async function main() {
  const { say, write } = resultsPage(new URL('./REVIEW-QUEUE.md', import.meta.url));
  await withBenchDatabase('review_queue', async (database) => {
    await database.migrate();
    const { db } = database;
    await loadDivisions(db);
    const regionRows = await db
      .select({ code: regions.code, name: regions.name, level: regions.level, parentCode: regions.parentCode })
      .from(regions);
    const dataset = generateDemoDataset(regionRows, { scale });
    await importFile(
      db,
      'departments',
      await writeExportFile('departments', dataset.departments as never, 'csv'),
      'csv',
      rootActor('bench'),
    );

    const t0 = performance.now();
    // Spread over every department; created over six years; 30 % pending; names searchable.
    const spread = (table: string, count: number, prefix: string, extra = sql``, extraValues = sql``) => sql`
      with d as (select array_agg(id order by id) as ids from departments)
      insert into ${sql.raw(table)} (code, name, department_id, classification, created_at, pending_since ${extra})
      select ${prefix} || lpad(g::text, 7, '0'), ${`${prefix}业务系统`} || g,
             d.ids[1 + (g::bigint * 7919) % array_length(d.ids, 1)],
             case when g % 10 < 3 then 'pending' else 'non_classified' end,
             timestamptz '2019-01-01 08:00+08' + ((g::bigint * 104729) % 2190) * interval '1 day',
             date '2019-01-01' + ((g::bigint * 104729) % 2190)::int ${extraValues}
      from generate_series(1, ${count}) g, d`;
    await db.execute(spread('systems', systemCount, 'SYS'));
    await db.execute(spread('private_networks', Math.round(systemCount / 20), 'PN'));
    await db.execute(spread('data_centres', Math.round(systemCount / 100), 'DC', sql`, region_code`, sql`, '450100'`));
    // One pending system in twenty was certified, then sent back by a failed re-review.
    await db.execute(sql`
      insert into transitions (kind, entity_id, field, from_value, to_value, effective_at, actor, note)
      select 'system', id, 'classification', 'non_classified', 'pending',
             date '2024-01-01' + (id % 700), 'bench', '回头看未通过'
      from systems where classification = 'pending' and id % 20 = 0`);
    // As the registry keeps it (src/registry/pending-since.ts): waiting since it was sent back.
    await db.execute(
      sql`update systems set pending_since = date '2024-01-01' + (id % 700) where classification = 'pending' and id % 20 = 0`,
    );
    // As autovacuum leaves a table after a bulk load: statistics and the visibility map current.
    await db.execute(sql`vacuum analyze`);
    const built = performance.now() - t0;

    const [counts] = await queryRows<Record<string, number>>(
      db,
      sql`select (select count(*) from systems)::int as systems,
                 (select count(*) from systems where classification = 'pending')::int as pending_systems,
                 (select count(*) from private_networks)::int as private_networks,
                 (select count(*) from data_centres)::int as data_centres,
                 (select count(*) from departments)::int as departments,
                 (select count(*) from transitions)::int as transitions`,
    );
    const [city] = await queryRows<{ code: string }>(db, sql`select code from regions where level = 'city' order by code limit 1`);
    // A department with sub-departments, the largest subtree below the province.
    const [subtree] = await queryRows<{ code: string; n: number }>(
      db,
      sql`select p.code, count(*)::int as n from departments p join departments c on c.path like p.path || '%'
          where p.parent_id is null group by p.code order by n desc limit 1`,
    );

    const app = createApp({ database, config: { YUNWANG_BODY_LIMIT_BYTES: 1 << 20, YUNWANG_IMPORT_LIMIT_BYTES: 64 << 20 } });
    await createUser(db, { name: 'bench-reviewer', roles: ['reviewer'], password: 'Bench-Passw0rd!' }, rootActor('bench'));
    const { token } = await createToken(db, 'bench-reviewer', { name: 'bench', scope: 'read', expires_in_days: 1 }, rootActor('bench'));
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const timeRequest = async (url: string) => {
      const started = performance.now();
      const res = await app.request(url, auth);
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { total: number };
      return { elapsed: performance.now() - started, total: body.total };
    };
    const refLivez: number[] = [];
    const refCount: number[] = [];
    for (let i = 0; i < rounds * 3; i++) {
      refLivez.push((await timeRequest('/livez').catch(() => ({ elapsed: Number.NaN }))).elapsed);
      const started = performance.now();
      await db.execute(sql`select count(*) from systems`);
      refCount.push(performance.now() - started);
    }

    say(
      `# Review queue (待认定) at national size (${new Date().toISOString().slice(0, 10)}, PostgreSQL, ${process.arch}, Node ${process.version})`,
    );
    say('');
    say('`node --import tsx bench/review-queue.ts`');
    say('');
    say(
      `Registry: ${Object.entries(counts ?? {})
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}; written in ${(built / 1000).toFixed(1)} s.`,
    );
    say('');
    say(`## First page (50 rows, oldest first, with the total), ${rounds} rounds each, through app.request() as a reviewer`);
    say('');
    say('| queue | total | p50 | p95 | p99 | reference GET /livez p95 | reference `select count(*) from systems` p95 |');
    say('|---|---|---|---|---|---|---|');
    for (const [label, query] of [
      ['whole province', ''],
      [`one city (${city?.code})`, `&region=${city?.code}`],
      [`department subtree (${subtree?.code}, ${subtree?.n} departments)`, `&department=${subtree?.code}`],
      ['systems waiting over a year', '&kind=systems&older_than_days=365'],
      ['text search', `&q=${encodeURIComponent('业务系统12')}`],
      ['page 200 of the whole province', '&offset=9950'],
      ['the last page of the whole province', '&offset=95350'],
    ] as const) {
      const url = `/api/v1/review-queue?limit=50${query}`;
      const { total } = await timeRequest(url); // warm-up
      const samples: number[] = [];
      for (let round = 0; round < rounds; round++) samples.push((await timeRequest(url)).elapsed);
      say(
        `| ${label} | ${total} | ${ms(percentile(samples, 50))} | ${ms(percentile(samples, 95))} | ${ms(percentile(samples, 99))} | ${ms(percentile(refLivez, 95))} | ${ms(percentile(refCount, 95))} |`,
      );
    }
    await write();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
