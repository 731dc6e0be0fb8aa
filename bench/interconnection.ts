/**
 * The interconnection figures (互联互通) at DESIGN.md's province scale on a throwaway
 * PostgreSQL server (or BENCH_DATABASE_URL): ~20,000 interface services, three consumers
 * each, and a year of daily counts (BENCH_DAYS), written with bulk SQL. Times the figures of
 * the province, a city and a department (cumulative and over one quarter), a monthly trend
 * over the year, and one day's counts of every service through the one volume writer (an
 * exchange agent's daily round), beside a count(*) of the counts as a reference.
 *
 *   node --import tsx bench/interconnection.ts      (BENCH_SERVICES=20000, BENCH_DAYS=365, BENCH_ROUNDS=10)
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.ts';
import { queryRows } from '../src/db/raw.ts';
import { rootActor } from '../src/identity/actor.ts';
import { resolveScope } from '../src/indicators/scope.ts';
import { computeFigures } from '../src/interconnection/service.ts';
import { writeVolumes } from '../src/interconnection/volumes.ts';
import { addDays } from '../src/kernel/dates.ts';
import { loadDivisions } from '../src/regions/service.ts';
import { withBenchDatabase } from './postgres.ts';

const services = Number(process.env.BENCH_SERVICES ?? 20_000);
const days = Number(process.env.BENCH_DAYS ?? 365);
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const last = '2020-07-31';
const first = addDays(last, -(days - 1));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function seed(db: Db): Promise<void> {
  await loadDivisions(db);
  await db.execute(sql`
    insert into departments (code, name, region_code, kind, path)
    select 'BD' || lpad(i::text, 5, '0'), '部门 ' || i, r.codes[1 + i % cardinality(r.codes)], 'government', '/BD' || lpad(i::text, 5, '0') || '/'
    from generate_series(0, 1999) i, (select array_agg(code order by code) as codes from regions where level in ('city', 'county')) r`);
  await db.execute(sql`
    insert into systems (code, name, department_id)
    select 'SYS' || lpad(i::text, 6, '0'), '系统 ' || i, d.ids[1 + (i * 31) % cardinality(d.ids)]
    from generate_series(0, 11999) i, (select array_agg(id order by id) as ids from departments) d`);
  await db.execute(sql`
    insert into interface_services (code, name, department_id, provider_system_id, state, state_at)
    select 'IF' || lpad(i::text, 6, '0'), '接口 ' || i, s.department_id, s.id,
           case when i % 10 = 9 then 'planned' else 'active' end, case when i % 10 = 9 then null else date '2019-01-01' end
    from generate_series(0, ${services - 1}) i join systems s on s.code = 'SYS' || lpad((i % 12000)::text, 6, '0')`);
  await db.execute(sql`
    insert into timeline (kind, entity_id, valid_from, valid_to, state)
    select 'interface_service', id, null, state_at, 'planned' from interface_services where state = 'active'
    union all select 'interface_service', id, state_at, null, state from interface_services`);
  await db.execute(sql`
    insert into interface_service_consumers (service_id, system_id, added_at)
    select f.id, s.id, date '2019-01-01'
    from interface_services f, generate_series(1, 3) k
    join systems s on true
    where s.code = 'SYS' || lpad(((f.id * 7 + k * 1009) % 12000)::text, 6, '0') and s.id <> f.provider_system_id`);
  await db.execute(sql`
    insert into exchange_volumes (service_id, date, count)
    select f.id, d::date, 500 + (f.id * 37 + extract(doy from d)::int * 11) % 2000
    from interface_services f, generate_series(${first}::date, ${last}::date, interval '1 day') d
    where f.state = 'active'`);
  await db.execute(sql`analyze`);
}

async function main() {
  await withBenchDatabase('interconnection', async (database) => {
    await database.migrate();
    const { db } = database;
    const seeded = await timed(() => seed(db));
    const [counts] = await queryRows<{ services: number; links: number; volumes: number }>(
      db,
      sql`select (select count(*)::int from interface_services) as services, (select count(*)::int from interface_service_consumers) as links,
                 (select count(*)::int from exchange_volumes) as volumes`,
    );
    const [dept] = await queryRows<{ code: string }>(
      db,
      sql`select d.code from departments d join interface_services s on s.department_id = d.id group by d.code order by count(*) desc limit 1`,
    );
    console.log(`# Interconnection figures (${new Date().toISOString().slice(0, 10)}, PostgreSQL, Node ${process.version})`);
    console.log('');
    console.log(
      `Dataset in ${ms(seeded)}: ${counts?.services} services, ${counts?.links} consumer links, ${counts?.volumes} daily counts (${first} … ${last}).`,
    );
    console.log('');
    console.log(`| what | median of ${rounds} | reference count(*) of the counts |`);
    console.log('|---|---|---|');
    const reference = median(
      await Promise.all(Array.from({ length: 3 }, () => timed(() => db.execute(sql`select count(*) from exchange_volumes`)))),
    );
    const quarterFrom = addDays(last, -91);
    for (const [label, key, from] of [
      ['province, cumulative', '450000', first],
      ['province, one quarter', '450000', quarterFrom],
      ['a city (450100), cumulative', '450100', first],
      [`a department (dept:${dept?.code}), cumulative`, `dept:${dept?.code}`, first],
    ] as const) {
      const scope = await resolveScope(db, key, false);
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) times.push(await timed(() => computeFigures(db, scope, from, last)));
      console.log(`| ${label} | ${ms(median(times))} | ${ms(reference)} |`);
    }
    const province = await resolveScope(db, '450000', false);
    const trend = await timed(async () => {
      for (let m = 0; m < 12; m++) {
        const start = addDays(first, m * 30);
        await computeFigures(db, province, start, addDays(start, 29));
      }
    });
    console.log(`| province, 12 monthly points (the trend) | ${ms(trend)} | ${ms(reference)} |`);
    const rows = (await queryRows<{ code: string }>(db, sql`select code from interface_services where state = 'active' order by code`)).map(
      (r, i) => ({ service_code: r.code, date: last, count: 1000 + (i % 500) }),
    );
    const write = await timed(() => writeVolumes(db, rows, rootActor('bench'), { source: 'bench', today: last }));
    const again = await timed(() => writeVolumes(db, rows, rootActor('bench'), { source: 'bench', today: last }));
    console.log(`| one day's counts of ${rows.length} services through writeVolumes (replacing) | ${ms(write)} | — |`);
    console.log(`| the same again (nothing changes) | ${ms(again)} | — |`);
  });
}

await main();
