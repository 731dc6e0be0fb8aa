import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { regions } from '../../src/db/schema/index.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const expectedTables = [
  'agents',
  'audit_log',
  'cloud_tenants',
  'clouds',
  'data_centres',
  'departments',
  'exchange_volumes',
  'ingest_batches',
  'interface_service_consumers',
  'interface_services',
  'network_nodes',
  'node_samples',
  'private_networks',
  'regions',
  'service_items',
  'systems',
  'timeline',
  'transitions',
];

/** The PostgreSQL error under drizzle's DrizzleQueryError wrapper (pg and PGlite alike). */
function databaseError(err: unknown): { code?: unknown; constraint?: unknown; message: string } {
  let current: unknown = err;
  while (current instanceof Error) {
    if ('code' in current && typeof current.code === 'string') {
      return { code: current.code, constraint: 'constraint' in current ? current.constraint : undefined, message: current.message };
    }
    current = current.cause;
  }
  return { message: String(err) };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the statement to fail');
}

describeEachBackend('migrations', (getDb) => {
  const publicTables = async () =>
    (
      await queryRows<{ table_name: string }>(
        getDb(),
        sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
      )
    ).map((row) => row.table_name);

  const appliedMigrations = async () =>
    queryRows<{ hash: string; created_at: string }>(getDb(), sql`select hash, created_at from drizzle.__drizzle_migrations order by id`);

  it('creates every table', async () => {
    expect(await publicTables()).toEqual(expect.arrayContaining(expectedTables));
  });

  it('records every migration of the journal', async () => {
    const journal: { entries: unknown[] } = JSON.parse(
      await readFile(new URL('../../drizzle/meta/_journal.json', import.meta.url), 'utf8'),
    );
    expect(await appliedMigrations()).toHaveLength(journal.entries.length);
  });

  it('enforces the enum CHECK constraints', async () => {
    const { db } = getDb();
    await db.insert(regions).values({ code: '450000', name: '广西壮族自治区', level: 'province', path: '/450000/' });

    const err = await caught(
      db.execute(sql`insert into regions (code, name, level, path) values ('990000', 'Andromeda', 'galaxy', '/990000/')`),
    );
    expect(databaseError(err)).toMatchObject({ code: '23514', constraint: 'regions_level_check' });

    const rows = await db.select({ code: regions.code }).from(regions);
    expect(rows).toEqual([{ code: '450000' }]);
  });

  it('holds the interconnection tables to their invariants: one count per service and day, not negative; one open link per consumer', async () => {
    const { db } = getDb();
    await db.execute(
      sql`insert into regions (code, name, level, path) values ('450900', '玉林市', 'city', '/450900/') on conflict do nothing`,
    );
    await db.execute(
      sql`insert into departments (code, name, region_code, kind, path) values ('M-D', '部门', '450900', 'government', '/M-D/')`,
    );
    await db.execute(
      sql`insert into systems (code, name, department_id) select s, s, id from departments, (values ('M-S1'), ('M-S2')) v(s) where code = 'M-D'`,
    );
    await db.execute(sql`insert into interface_services (code, name, department_id, provider_system_id)
      select 'M-IF', '接口', d.id, s.id from departments d, systems s where d.code = 'M-D' and s.code = 'M-S1'`);
    const count = (n: number) =>
      db.execute(
        sql`insert into exchange_volumes (service_id, date, count) select id, '2020-01-01', ${n} from interface_services where code = 'M-IF'`,
      );
    await count(5);
    expect(databaseError(await caught(count(6)))).toMatchObject({ code: '23505', constraint: 'exchange_volumes_pkey' });
    await db.execute(sql`delete from exchange_volumes`);
    expect(databaseError(await caught(count(-1)))).toMatchObject({ code: '23514', constraint: 'exchange_volumes_count_check' });
    const link = (removed: string | null) =>
      db.execute(sql`insert into interface_service_consumers (service_id, system_id, added_at, removed_at)
        select i.id, s.id, '2020-01-02', ${removed}::date from interface_services i, systems s where i.code = 'M-IF' and s.code = 'M-S2'`);
    await link('2020-01-05');
    await link(null);
    expect(databaseError(await caught(link(null)))).toMatchObject({ code: '23505', constraint: 'interface_service_consumers_open_key' });
    expect(databaseError(await caught(link('2020-01-01')))).toMatchObject({
      code: '23514',
      constraint: 'interface_service_consumers_dates_check',
    });
  });

  it('treats a second migrate() as a no-op', async () => {
    const { db } = getDb();
    await db.insert(regions).values({ code: '450100', name: '南宁市', level: 'city', parentCode: '450000', path: '/450000/450100/' });
    const tablesBefore = await publicTables();
    const migrationsBefore = await appliedMigrations();
    const regionsBefore = await db.select().from(regions).orderBy(regions.code);

    await getDb().migrate();

    expect(await appliedMigrations()).toEqual(migrationsBefore);
    expect(await publicTables()).toEqual(tablesBefore);
    // Data written before is untouched.
    expect(await db.select().from(regions).orderBy(regions.code)).toEqual(regionsBefore);
  });
});
