/**
 * Interconnection (互联互通): interface services with consumers answerable on any date, the daily
 * exchange counts (one writer for the import and the ingest) and the figures, worked by hand
 * from the rows each test inserts.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { resolveScope } from '../../src/indicators/scope.ts';
import { issueAgentToken } from '../../src/ingest/agents.ts';
import { computeFigures } from '../../src/interconnection/service.ts';
import { writeVolumes } from '../../src/interconnection/volumes.ts';
import { businessDate } from '../../src/kernel/dates.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { transitionRecord } from '../../src/registry/transitions.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type ApiClient, apiClient, fileForm } from '../helpers/api.ts';
import { testAppConfig } from '../helpers/api-server.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';
import { newAgent, problemOf, sendBatch, type TestAgent } from '../helpers/ingest.ts';

const actor = rootActor('test');

/**
 * The hand-built case. Departments: T-PROV (province level, 450000), T-NN (南宁, 450100) with
 * T-NN-SUB under it (450100), T-XX (兴宁区, 450102), T-LZ (柳州, 450200). Systems: providers P1
 * (T-NN), P2 (T-NN-SUB), P3 (T-LZ), P4 (T-PROV); consumers C1 (T-XX), C2 (T-LZ), C3 (T-PROV),
 * C4 (T-NN).
 *
 * Services, recorded on 2020-03-01 (their consumer links date from it):
 *   IF1 P1 → C1, C2   active since 2020-01-10; on 2020-04-01 C2 is dropped and C4 added
 *   IF2 P2 → C3       active since 2020-02-01
 *   IF3 P3 → C4, C1   active since 2020-01-01
 *   IF4 P4 → C2       planned; published (active) on 2020-04-15
 *   IF5 P1 → C3       active since 2020-01-01; taken offline (retired) on 2020-05-01
 *
 * Daily counts:
 *   IF1 03-30: 100, 03-31: 200, 04-30: 50, 06-30: 10
 *   IF2 03-31: 1000, 06-30: 30
 *   IF3 03-31: 7, 06-30: 3
 *   IF4 06-30: 500
 *   IF5 03-31: 40, 04-30: 60
 */
async function seedCase(db: Parameters<typeof upsertRecords>[0]): Promise<void> {
  const today = '2020-03-01';
  await upsertRecords(
    db,
    'departments',
    [
      { code: 'T-PROV', name: '区直部门', region_code: '450000', kind: 'government', extranet_connected: false },
      { code: 'T-NN', name: '南宁市直部门', region_code: '450100', kind: 'government', extranet_connected: false },
      {
        code: 'T-NN-SUB',
        name: '南宁二层机构',
        region_code: '450100',
        parent_code: 'T-NN',
        kind: 'institution',
        extranet_connected: false,
      },
      { code: 'T-XX', name: '兴宁区部门', region_code: '450102', kind: 'government', extranet_connected: false },
      { code: 'T-LZ', name: '柳州市直部门', region_code: '450200', kind: 'government', extranet_connected: false },
    ],
    actor,
    { today },
  );
  const system = (code: string, department_code: string) => ({
    code,
    name: `系统${code}`,
    department_code,
    classification: 'non_classified' as const,
    state: 'not_migrated' as const,
  });
  await upsertRecords(
    db,
    'systems',
    [
      system('P1', 'T-NN'),
      system('P2', 'T-NN-SUB'),
      system('P3', 'T-LZ'),
      system('P4', 'T-PROV'),
      system('C1', 'T-XX'),
      system('C2', 'T-LZ'),
      system('C3', 'T-PROV'),
      system('C4', 'T-NN'),
    ],
    actor,
    { today },
  );
  const service = (code: string, provider: string, consumers: string[], state: 'planned' | 'active', state_at: string | null) => ({
    code,
    name: `接口${code}`,
    provider_system_code: provider,
    consumer_system_codes: consumers,
    state,
    state_at,
  });
  await upsertRecords(
    db,
    'interface-services',
    [
      service('IF1', 'P1', ['C1', 'C2'], 'active', '2020-01-10'),
      service('IF2', 'P2', ['C3'], 'active', '2020-02-01'),
      service('IF3', 'P3', ['C4', 'C1'], 'active', '2020-01-01'),
      service('IF4', 'P4', ['C2'], 'planned', null),
      service('IF5', 'P1', ['C3'], 'active', '2020-01-01'),
    ],
    actor,
    { today },
  );
  await upsertRecords(db, 'interface-services', [service('IF1', 'P1', ['C4', 'C1'], 'active', '2020-01-10')], actor, {
    today: '2020-04-01',
  });
  await transitionRecord(db, 'interface-services', 'IF4', { to: 'active', effective_at: '2020-04-15' }, actor, { today: '2020-06-30' });
  await transitionRecord(db, 'interface-services', 'IF5', { to: 'retired', effective_at: '2020-05-01' }, actor, { today: '2020-06-30' });
  const count = (service_code: string, date: string, n: number) => ({ service_code, date, count: n });
  await writeVolumes(
    db,
    [
      count('IF1', '2020-03-30', 100),
      count('IF1', '2020-03-31', 200),
      count('IF1', '2020-04-30', 50),
      count('IF1', '2020-06-30', 10),
      count('IF2', '2020-03-31', 1000),
      count('IF2', '2020-06-30', 30),
      count('IF3', '2020-03-31', 7),
      count('IF3', '2020-06-30', 3),
      count('IF4', '2020-06-30', 500),
      count('IF5', '2020-03-31', 40),
      count('IF5', '2020-04-30', 60),
    ],
    actor,
    { source: 'test', today: '2020-06-30' },
  );
}

describeEachBackend('interconnection figures on a hand-built case', (getDb) => {
  beforeAll(async () => {
    await loadDivisions(getDb().db);
    await seedCase(getDb().db);
  });

  const figures = async (scope: string, from: string, to: string) =>
    computeFigures(getDb().db, await resolveScope(getDb().db, scope, false), from, to);

  // [services, systems_served, connected_units, volume_total, days, volume_daily_average]
  const row = async (scope: string, from: string, to: string) => {
    const f = await figures(scope, from, to);
    return [f.services, f.systems_served, f.connected_units, f.volume_total, f.days, f.volume_daily_average];
  };

  it('the province on 2020-03-31 over March', async () => {
    // Active: IF1, IF2, IF3, IF5 (IF4 planned). Consumers C1, C2 (IF1), C3 (IF2, IF5), C4, C1 (IF3): 4.
    // Units: providers T-NN, T-NN-SUB, T-LZ; consumers T-XX, T-LZ, T-PROV, T-NN: 5.
    // Volume: IF1 100 + 200, IF2 1000, IF3 7, IF5 40 = 1347 over 31 days = 43.45.
    expect(await row('450000', '2020-03-01', '2020-03-31')).toEqual([4, 4, 5, 1347, 31, 43.45]);
  });

  it('the province on 2020-06-30 over April to June', async () => {
    // Active: IF1, IF2, IF3, IF4 (IF5 retired on 05-01). Consumers: IF1 C1, C4 (C2 dropped 04-01),
    // IF2 C3, IF3 C4, C1, IF4 C2: 4. Units: providers T-NN, T-NN-SUB, T-LZ, T-PROV; consumers
    // T-XX, T-NN, T-PROV, T-LZ: 5. Volume of the active ones: IF1 50 + 10, IF2 30, IF3 3, IF4 500 = 593
    // (IF5's 60 on 04-30 is not counted: it is not a service on 06-30); 91 days; 6.52 a day.
    expect(await row('450000', '2020-04-01', '2020-06-30')).toEqual([4, 4, 5, 593, 91, 6.52]);
  });

  it('南宁 (450100) on both dates', async () => {
    // Providers in 450100's departments (T-NN, T-NN-SUB, T-XX): IF1, IF2, IF5.
    // 03-31: 3 services; consumers C1, C2, C3: 3; units T-NN, T-NN-SUB + T-XX, T-LZ, T-PROV: 5;
    // volume 300 + 1000 + 40 = 1340 over 31 days = 43.23.
    expect(await row('450100', '2020-03-01', '2020-03-31')).toEqual([3, 3, 5, 1340, 31, 43.23]);
    // 06-30: IF1, IF2 (IF5 retired); consumers C1, C4, C3: 3; units T-NN, T-NN-SUB, T-XX, T-PROV: 4;
    // volume 60 + 30 = 90 over 91 days = 0.99.
    expect(await row('450100', '2020-04-01', '2020-06-30')).toEqual([2, 3, 4, 90, 91, 0.99]);
  });

  it('a department (with and without its sub-department) on both dates', async () => {
    // T-NN-SUB provides IF2 only: consumer C3 (T-PROV); units T-NN-SUB, T-PROV.
    expect(await row('dept:T-NN-SUB', '2020-03-01', '2020-03-31')).toEqual([1, 1, 2, 1000, 31, 32.26]);
    expect(await row('dept:T-NN-SUB', '2020-04-01', '2020-06-30')).toEqual([1, 1, 2, 30, 91, 0.33]);
    // T-NN with T-NN-SUB: IF1, IF2, IF5 on 03-31 and IF1, IF2 on 06-30, as 南宁 above.
    expect(await row('dept:T-NN', '2020-03-01', '2020-03-31')).toEqual([3, 3, 5, 1340, 31, 43.23]);
    expect(await row('dept:T-NN', '2020-04-01', '2020-06-30')).toEqual([2, 3, 4, 90, 91, 0.99]);
    // 柳州's department: IF3 (P3 → C4 T-NN, C1 T-XX) on both dates.
    expect(await row('dept:T-LZ', '2020-03-01', '2020-03-31')).toEqual([1, 2, 3, 7, 31, 0.23]);
  });

  it('consumers are answered as of the date: a dropped consumer still counts before it was dropped', async () => {
    // On 03-31 IF1 had C1, C2; on 04-01 C1, C4. dept:T-NN on 04-01 over that day: IF1, IF2, IF5 active;
    // consumers C1, C4, C3: 3; units T-NN, T-NN-SUB + T-XX, T-PROV (C4 is T-NN's): 4.
    expect(await row('dept:T-NN', '2020-04-01', '2020-04-01')).toEqual([3, 3, 4, 0, 1, 0]);
    const links = await queryRows<{ code: string; added_at: string; removed_at: string | null }>(
      getDb(),
      sql`select s.code, c.added_at::text, c.removed_at::text from interface_service_consumers c
          join systems s on s.id = c.system_id join interface_services i on i.id = c.service_id
          where i.code = 'IF1' order by s.code`,
    );
    // The dropped link is closed, not deleted.
    expect(links).toEqual([
      { code: 'C1', added_at: '2020-03-01', removed_at: null },
      { code: 'C2', added_at: '2020-03-01', removed_at: '2020-04-01' },
      { code: 'C4', added_at: '2020-04-01', removed_at: null },
    ]);
  });

  it('the API: defaults, the cumulative period, validation and the trend', async () => {
    const app = createApp({ database: getDb(), config: testAppConfig });
    const leader = await callerWith(getDb().db, ['leader']);
    const api = apiClient(app, leader);
    const got = await api.get('/api/v1/interconnection?scope=450000&from=2020-04-01&to=2020-06-30');
    expect(got.status, got.text).toBe(200);
    expect(got.body).toEqual({
      scope: '450000',
      from: '2020-04-01',
      to: '2020-06-30',
      connected_units: 5,
      services: 4,
      systems_served: 4,
      volume_total: 593,
      volume_daily_average: 6.52,
      days: 91,
    });
    // Cumulative: from the first day any count exists (2020-03-30): IF1 100+200+50+10, IF2 1030,
    // IF3 10, IF4 500 = 1900 over 93 days = 20.43.
    const cumulative = await api.get('/api/v1/interconnection?scope=450000&to=2020-06-30');
    expect(cumulative.body).toMatchObject({
      from: '2020-03-30',
      to: '2020-06-30',
      volume_total: 1900,
      days: 93,
      volume_daily_average: 20.43,
    });
    // `to` defaults to today.
    expect((await api.get('/api/v1/interconnection?scope=450000')).body).toMatchObject({ from: '2020-03-30', to: businessDate() });

    const reversed = await api.get('/api/v1/interconnection?scope=450000&from=2020-07-01&to=2020-06-30');
    expect(reversed.status).toBe(422);
    expect(problemOf(reversed).errors).toEqual([{ field: 'from', message: '2020-07-01 is after to (2020-06-30)' }]);
    expect((await api.get('/api/v1/interconnection?scope=450000&from=2020-02-30')).status).toBe(422);
    expect((await api.get('/api/v1/interconnection?scope=450000&from=1990-01-01&to=2020-06-30')).status).toBe(422);
    expect((await api.get('/api/v1/interconnection?scope=999999')).status).toBe(404);

    const trend = await api.get<{ points: Record<string, unknown>[] }>(
      '/api/v1/interconnection/trend?scope=450000&from=2020-03-15&to=2020-06-30&interval=month',
    );
    expect(trend.status, trend.text).toBe(200);
    // One point a month, the first cut to the period; each is the figures over its own days.
    expect(trend.body.points.map((p) => [p.from, p.to, p.services, p.volume_total, p.days])).toEqual([
      ['2020-03-15', '2020-03-31', 4, 1347, 17],
      // April: IF1, IF2, IF3, IF5, IF4 (from 04-15) active on 04-30: 5; IF1 50 + IF5 60 = 110.
      ['2020-04-01', '2020-04-30', 5, 110, 30],
      // May: IF5 retired on 05-01: 4 services; no counts.
      ['2020-05-01', '2020-05-31', 4, 0, 31],
      ['2020-06-01', '2020-06-30', 4, 543, 30],
    ]);
    const tooMany = await api.get('/api/v1/interconnection/trend?scope=450000&from=2000-01-01&to=2009-12-31&interval=day');
    expect(tooMany.status).toBe(422);
  });

  it('a department user reads his own department subtree only', async () => {
    const app = createApp({ database: getDb(), config: testAppConfig });
    const user = await callerWith(getDb().db, ['department'], { department: 'T-NN' });
    const api = apiClient(app, user);
    const own = await api.get('/api/v1/interconnection?scope=dept:T-NN-SUB&from=2020-03-01&to=2020-03-31');
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ services: 1, volume_total: 1000 });
    expect((await api.get('/api/v1/interconnection?scope=450000')).status).toBe(403);
    const other = await api.get('/api/v1/interconnection?scope=dept:T-LZ');
    const unknown = await api.get('/api/v1/interconnection?scope=dept:NO-SUCH');
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    // The services list is confined too, and each service names its owning department.
    const list = await api.get<{ items: { code: string; department_code: string }[] }>('/api/v1/interface-services?limit=50');
    expect(list.body.items.map((i) => [i.code, i.department_code])).toEqual([
      ['IF1', 'T-NN'],
      ['IF2', 'T-NN-SUB'],
      ['IF5', 'T-NN'],
    ]);
  });
});

describeEachBackend('interface services and exchange volumes through the API, the files and the ingest', (getDb) => {
  let app: App;
  let api: ApiClient;
  let ops: TestCaller;
  let department: TestCaller;
  const volumeOf = async (service: string) =>
    queryRows<{ date: string; count: number }>(
      getDb(),
      sql`select e.date::text, e.count::int from exchange_volumes e join interface_services s on s.id = e.service_id
          where s.code = ${service} order by e.date`,
    );

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    await upsertRecords(
      db,
      'departments',
      [
        { code: 'A-DEPT', name: '甲部门', region_code: '450100', kind: 'government', extranet_connected: false },
        { code: 'B-DEPT', name: '乙部门', region_code: '450200', kind: 'government', extranet_connected: false },
      ],
      actor,
    );
    await upsertRecords(
      db,
      'systems',
      ['A1', 'A2', 'A3'].map((code) => ({
        code,
        name: `系统${code}`,
        department_code: 'A-DEPT',
        classification: 'pending' as const,
        state: 'not_migrated' as const,
      })),
      actor,
    );
    await upsertRecords(
      db,
      'systems',
      [{ code: 'B1', name: '系统B1', department_code: 'B-DEPT', classification: 'pending', state: 'not_migrated' }],
      actor,
    );
    app = createApp({ database: getDb(), config: testAppConfig });
    api = apiClient(app);
    ops = await callerWith(db, ['ops']);
    department = await callerWith(db, ['department'], { department: 'A-DEPT' });
  });

  it('a department registers a service of its system, and a PATCH dropping a consumer closes its link', async () => {
    const created = await api
      .as(department)
      .post('/api/v1/interface-services', { code: 'S-A', name: '甲接口', provider_system_code: 'A1', consumer_system_codes: ['B1', 'A2'] });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ department_code: 'A-DEPT', consumer_system_codes: ['A2', 'B1'], state: 'planned' });
    const patched = await api.as(department).patch('/api/v1/interface-services/S-A', { consumer_system_codes: ['A2'] });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ consumer_system_codes: ['A2'] });
    const links = await queryRows<{ code: string; removed: boolean }>(
      getDb(),
      sql`select s.code, c.removed_at is not null as removed from interface_service_consumers c join systems s on s.id = c.system_id
          join interface_services i on i.id = c.service_id where i.code = 'S-A' order by s.code`,
    );
    expect(links).toEqual([
      { code: 'A2', removed: false },
      { code: 'B1', removed: true },
    ]);
    // A PATCH that leaves the consumers out leaves them alone.
    const renamed = await api.as(department).patch('/api/v1/interface-services/S-A', { name: '甲接口（改）' });
    expect(renamed.body).toMatchObject({ name: '甲接口（改）', consumer_system_codes: ['A2'] });
    const moved = await api.as(department).post('/api/v1/interface-services/S-A/transitions', { to: 'active' });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ state: 'active' });
  });

  it('a service follows its provider system to another department (a move by the command line)', async () => {
    const { db } = getDb();
    await upsertRecords(
      db,
      'systems',
      [{ code: 'A9', name: '系统A9', department_code: 'A-DEPT', classification: 'pending', state: 'not_migrated' }],
      actor,
    );
    await upsertRecords(
      db,
      'interface-services',
      [{ code: 'S-MOVE', name: '搬迁接口', provider_system_code: 'A9', consumer_system_codes: [], state: 'planned' }],
      actor,
    );
    const departmentOf = async () => (await api.as(ops).get('/api/v1/interface-services/S-MOVE')).body.department_code;
    expect(await departmentOf()).toBe('A-DEPT');
    await upsertRecords(
      db,
      'systems',
      [{ code: 'A9', name: '系统A9', department_code: 'B-DEPT', classification: 'pending', state: 'not_migrated' }],
      actor,
    );
    expect(await departmentOf()).toBe('B-DEPT');
    // Now it is the other department's: A-DEPT's user no longer sees it.
    expect((await api.as(department).get('/api/v1/interface-services/S-MOVE')).status).toBe(404);
  });

  it('bad consumers are named: unknown, twice, the provider itself', async () => {
    const bad = await api.as(department).post('/api/v1/interface-services', {
      code: 'S-BAD',
      name: '坏接口',
      provider_system_code: 'A1',
      consumer_system_codes: ['A1', 'A2', 'A2', 'NO-SYS'],
    });
    expect(bad.status).toBe(422);
    expect(problemOf(bad).errors).toEqual([
      { field: 'consumer_system_codes', message: '"A1" is the provider system' },
      { field: 'consumer_system_codes', message: '"A2" is listed twice' },
      { field: 'consumer_system_codes', message: 'unknown system "NO-SYS"' },
    ]);
  });

  it('interface-services: export → import changes nothing', async () => {
    await api.as(department).post('/api/v1/interface-services', {
      code: 'S-B',
      name: '乙接口, "二期"',
      provider_system_code: 'A3',
      consumer_system_codes: ['A1', 'B1'],
    });
    for (const format of ['csv', 'xlsx'] as const) {
      const exported = await api.as(department).get(`/api/v1/export/interface-services?format=${format}`);
      expect(exported.status).toBe(200);
      if (format === 'csv') expect(exported.text).toContain('A1;B1');
      const imported = await api.as(department).post('/api/v1/import/interface-services', fileForm(exported.bytes, `services.${format}`));
      expect(imported.status, imported.text).toBe(200);
      expect(imported.body).toMatchObject({ rows: 2, created: 0, updated: 0, unchanged: 2 });
    }
    // Chinese headers and `;`-separated consumers (full-width too).
    const csv = '编码,名称,提供方系统编码,消费方系统编码,状态\r\nS-C,丙接口,A2,A1；B1; A3,已发布\r\n';
    const imported = await api.as(department).post('/api/v1/import/interface-services', fileForm(csv, 'services.csv'));
    expect(imported.status, imported.text).toBe(200);
    expect((await api.as(department).get('/api/v1/interface-services/S-C')).body).toMatchObject({
      consumer_system_codes: ['A1', 'A3', 'B1'],
      state: 'active',
    });
  });

  it('exchange-volumes: rows imported all-or-nothing, bad rows named by row and column, a re-import replaces', async () => {
    const bad = [
      'service_code,date,count',
      'S-A,2020-06-01,10',
      'NO-SUCH,2020-06-01,5',
      'S-A,2020-02-30,5',
      'S-A,2020-06-02,-1',
      'S-A,2020-06-03,2.5',
      'S-A,2020-06-01,11',
    ].join('\r\n');
    const refused = await api.as(ops).post('/api/v1/import/exchange-volumes', fileForm(bad, 'volumes.csv'));
    expect(refused.status).toBe(422);
    const errors = problemOf(refused).errors as { row?: number; column?: string; message: string }[];
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [3, 'service_code'],
      [4, 'date'],
      [5, 'count'],
      [6, 'count'],
      [7, 'date'],
    ]);
    expect(errors[0]?.message).toBe('unknown interface service "NO-SUCH"');
    expect(await volumeOf('S-A')).toEqual([]);

    const good = '接口服务编码,日期,交换量\r\nS-A,2020-06-01,10\r\nS-A,2020-06-02,20\r\nS-B,2020-06-01,5\r\n';
    const first = await api.as(ops).post('/api/v1/import/exchange-volumes', fileForm(good, 'volumes.csv'));
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual({ kind: 'exchange-volumes', rows: 3, created: 3, updated: 0, unchanged: 0, dry_run: false });
    const again = await api.as(ops).post('/api/v1/import/exchange-volumes', fileForm(good, 'volumes.csv'));
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    const corrected = await api
      .as(ops)
      .post('/api/v1/import/exchange-volumes', fileForm('service_code,date,count\r\nS-A,2020-06-02,25\r\n', 'v.csv'));
    expect(corrected.body).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    expect(await volumeOf('S-A')).toEqual([
      { date: '2020-06-01', count: 10 },
      { date: '2020-06-02', count: 25 },
    ]);

    // Export → import changes nothing.
    for (const format of ['csv', 'xlsx'] as const) {
      const exported = await api.as(ops).get(`/api/v1/export/exchange-volumes?format=${format}`);
      expect(exported.status).toBe(200);
      const round = await api.as(ops).post('/api/v1/import/exchange-volumes', fileForm(exported.bytes, `v.${format}`));
      expect(round.body).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3 });
    }
    // A department user reads the counts of his own services only, and may not load counts.
    const mine = await api.as(department).get('/api/v1/export/exchange-volumes');
    expect(mine.text.trim().split('\r\n')).toHaveLength(4);
    expect((await api.as(department).post('/api/v1/import/exchange-volumes', fileForm(good, 'v.csv'))).status).toBe(403);
    // One audit entry per written batch, with its counts.
    const audited = await queryRows<{ n: number }>(
      getDb(),
      sql`select count(*)::int as n from audit_log where action = 'exchange_volume.write'`,
    );
    expect(audited[0]?.n).toBe(2);
  });

  it('exchange agents: replays and repeated days never double a count; unknown services are refused per item', async () => {
    const name = `exchange-${process.pid}`;
    const issued = await issueAgentToken(getDb().db, { name, kind: 'exchange' }, actor);
    const exchange: TestAgent = { name, token: issued.token, seq: 0 };
    const item = (service: string, date: string, count: number) => ({ kind: 'exchange_volume', service, date, count });
    const items = [item('S-C', '2020-06-01', 100), item('S-C', '2020-06-02', 200)];

    const first = await sendBatch(app, exchange, items, { seq: 1 });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ status: 'applied', exchange_volumes: 2 });
    // The same batch again (a replay from the spool): acknowledged, nothing applied.
    const replay = await sendBatch(app, exchange, items, { seq: 1 });
    expect(replay.body).toMatchObject({ status: 'duplicate' });
    // The same days in a later batch: the totals replace, never add.
    const resent = await sendBatch(app, exchange, [item('S-C', '2020-06-01', 100), item('S-C', '2020-06-02', 210)], { seq: 2 });
    expect(resent.body).toMatchObject({ status: 'applied', exchange_volumes: 1 });
    // A day twice in one batch: one count, the later item's.
    const twice = await sendBatch(app, exchange, [item('S-C', '2020-06-03', 5), item('S-C', '2020-06-03', 7)], { seq: 3 });
    expect(twice.status).toBe(200);
    expect(await volumeOf('S-C')).toEqual([
      { date: '2020-06-01', count: 100 },
      { date: '2020-06-02', count: 210 },
      { date: '2020-06-03', count: 7 },
    ]);

    // An unknown service is named at its item, and nothing of the batch is written.
    const unknown = await sendBatch(app, exchange, [item('S-C', '2020-06-04', 1), item('NO-SUCH', '2020-06-04', 1)], { seq: 4 });
    expect(unknown.status).toBe(422);
    expect(problemOf(unknown).errors).toEqual([{ index: 1, field: 'service', message: 'unknown interface service "NO-SUCH"' }]);
    expect((await volumeOf('S-C')).map((v) => v.date)).not.toContain('2020-06-04');
    // A day after today is refused; counts are whole and not negative.
    const future = await sendBatch(app, exchange, [item('S-C', '2999-01-01', 1)], { seq: 5 });
    expect(future.status).toBe(422);
    expect((await sendBatch(app, exchange, [item('S-C', '2020-06-05', -1)], { seq: 6 })).status).toBe(422);

    // Only an exchange agent reports counts, and it reports nothing else.
    const network = await sendBatch(app, await newAgent(getDb(), 'network'), [item('S-C', '2020-06-06', 1)]);
    expect(network.status).toBe(403);
    expect(problemOf(network).errors).toEqual([
      { index: 0, field: 'kind', message: 'a network agent may not report exchange_volume items' },
    ]);
    const sampleFromExchange = await sendBatch(
      app,
      exchange,
      [{ kind: 'node_sample', node: 'N', at: new Date().toISOString(), up: true, latency_ms: 1, loss: 0 }],
      { seq: 7 },
    );
    expect(sampleFromExchange.status).toBe(403);
    expect(await volumeOf('S-C')).toHaveLength(3);
    // Counted by kind on /metrics: 2 + 2 + 2 accepted; rejected, the unknown service (2), the future day and the
    // network agent's item (a negative count fails the schema before any item is read).
    const metrics = (await api.get('/metrics')).text;
    expect(metrics).toContain('yunwang_ingest_items_total{kind="exchange_volume",result="accepted"} 6');
    expect(metrics).toContain('yunwang_ingest_items_total{kind="exchange_volume",result="rejected"} 4');
  });
});
