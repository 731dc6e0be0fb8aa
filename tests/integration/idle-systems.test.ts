import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { systems } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { writeVolumes } from '../../src/interconnection/volumes.ts';
import { businessDate } from '../../src/kernel/dates.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { createCloud } from '../../src/registry/clouds.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { recordSightings } from '../../src/registry/workload-reports.ts';
import { type ApiClient, apiClient, type Json } from '../helpers/api.ts';
import { type Cast, callerWith, createCast } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';

// 僵尸系统: idle candidates (no workload seen, no exchange traffic for N days), counted by
// department, and decommissioned by a department's request and a reviewer's confirmation.

const actor = rootActor('test');
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

describeEachBackend('idle systems (僵尸系统)', (getDb) => {
  let app: App;
  let cast: Cast;
  let api: ApiClient;
  let cloudId: number;

  const codesOf = (answer: { body: Json }) => (answer.body.items as { code: string }[]).map((s) => s.code).sort();
  const sighting = async (code: string, at: Date) =>
    recordSightings(getDb().db, cloudId, [{ tenant: 'idle-tenant', system: code, workload: `${code}-web`, at: at.toISOString() }]);

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    app = createApp({ database: getDb(), config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 } });
    cast = await createCast(app, db, { code: 'IDLE-HOME', name: '闲置测试主管部门', region_code: '450100' });
    api = apiClient(app, cast);
    await upsertRecords(
      db,
      'departments',
      [{ code: 'IDLE-OTHER', name: '柳州某局', region_code: '450200', kind: 'government', extranet_connected: false }],
      actor,
    );
    const cloud = await createCloud(
      db,
      { code: 'IDLE-C1', name: '云', kind: 'city', role: 'primary', provider: 'h3c', region_code: '450100' } as never,
      actor,
    );
    cloudId = cloud.id;
    const system = (code: string, department_code: string, state: string, state_at: string | null) => ({
      code,
      name: `系统${code}`,
      department_code,
      classification: 'non_classified' as const,
      state: state as 'migrated',
      state_at,
      cloud_code: 'IDLE-C1',
      tenant: 'idle-tenant',
    });
    await upsertRecords(
      db,
      'systems',
      [
        system('IDLE-A', 'IDLE-HOME', 'migrated', '2020-01-01'), // last seen 200 days ago
        system('IDLE-B', 'IDLE-HOME', 'migrated', '2020-01-01'), // seen 10 days ago
        system('IDLE-C', 'IDLE-HOME', 'not_migrated', null), // registered today
        system('IDLE-D', 'IDLE-HOME', 'retired', '2020-06-01'),
        system('IDLE-E', 'IDLE-HOME', 'migrating', '2020-03-01'), // never seen
        system('IDLE-F', 'IDLE-OTHER', 'migrated', '2019-05-01'), // never seen, another city
        system('IDLE-G', 'IDLE-HOME', 'migrated', '2020-01-01'), // never seen, provides a service used 5 days ago
        system('IDLE-H', 'IDLE-HOME', 'migrated', '2020-01-01'), // never seen, consumes that service
        system('IDLE-I', 'IDLE-HOME', 'migrated', '2020-01-01'), // never seen, its service last used 120 days ago
      ],
      actor,
    );
    await sighting('IDLE-A', daysAgo(200));
    await sighting('IDLE-B', daysAgo(10));
    const service = (code: string, provider: string, consumers: string[]) => ({
      code,
      name: `接口${code}`,
      provider_system_code: provider,
      consumer_system_codes: consumers,
      state: 'active' as const,
      state_at: null,
    });
    await upsertRecords(db, 'interface-services', [service('IDLE-SV1', 'IDLE-G', ['IDLE-H']), service('IDLE-SV2', 'IDLE-I', [])], actor);
    const day = (n: number) => businessDate(daysAgo(n));
    await writeVolumes(
      db,
      [
        { service_code: 'IDLE-SV1', date: day(5), count: 12 },
        { service_code: 'IDLE-SV2', date: day(120), count: 3 },
        // A day with no traffic is no evidence of use.
        { service_code: 'IDLE-SV2', date: day(2), count: 0 },
      ],
      actor,
      { source: 'idle-systems test' },
    );
  });

  it('lists the systems in use with no evidence of use for 90 days, and for another number of days', async () => {
    expect(codesOf(await api.get('/api/v1/systems?idle=true&limit=100'))).toEqual(['IDLE-A', 'IDLE-E', 'IDLE-F', 'IDLE-I']);
    // Over 300 days, A (seen 200 days ago) and I (exchanged 120 days ago) are no candidates.
    expect(codesOf(await api.get('/api/v1/systems?idle=true&idle_days=300&limit=100'))).toEqual(['IDLE-E', 'IDLE-F']);
    const notIdle = codesOf(await api.get('/api/v1/systems?idle=false&department=IDLE-HOME&limit=100'));
    expect(notIdle).toEqual(['IDLE-B', 'IDLE-C', 'IDLE-D', 'IDLE-G', 'IDLE-H']);
    const a = await api.get('/api/v1/systems/IDLE-A');
    expect(Date.parse(a.body.last_seen_at as string)).toBeCloseTo(daysAgo(200).getTime(), -5);
  });

  it('keeps the sighting to the hour and only for a system on the reporting cloud', async () => {
    const { db } = getDb();
    const seenAt = async (code: string) => (await db.select({ at: systems.lastSeenAt }).from(systems).where(eq(systems.code, code)))[0]?.at;
    const before = await seenAt('IDLE-B');
    await sighting('IDLE-B', new Date((before as Date).getTime() + 30 * 60_000));
    expect(await seenAt('IDLE-B')).toEqual(before);
    await recordSightings(db, cloudId + 1000, [{ tenant: 't', system: 'IDLE-E', workload: 'w', at: new Date().toISOString() }]);
    expect(await seenAt('IDLE-E')).toBeNull();
  });

  it('counts the candidates by department for a region and a department scope', async () => {
    const province = await api.get('/api/v1/idle-systems?scope=450000');
    expect(province.status).toBe(200);
    const counts = (province.body.departments as { department_code: string; candidates: number }[]).filter((d) =>
      d.department_code.startsWith('IDLE-'),
    );
    expect(counts).toEqual([
      expect.objectContaining({ department_code: 'IDLE-HOME', candidates: 3 }),
      expect.objectContaining({ department_code: 'IDLE-OTHER', candidates: 1 }),
    ]);
    const nanning = await api.get('/api/v1/idle-systems?scope=450100&days=300');
    expect(nanning.body).toMatchObject({ days: 300, total: 1, departments: [{ department_code: 'IDLE-HOME', candidates: 1 }] });
    // A department user counts only its own department.
    const own = await api.as(cast.callers.department).get('/api/v1/idle-systems?scope=dept:IDLE-HOME');
    expect(own.body).toMatchObject({ total: 3 });
    expect((await api.as(cast.callers.department).get('/api/v1/idle-systems?scope=450000')).status).toBe(403);
  });

  describe('decommissioning (下线)', () => {
    let requestId: number;

    it('a department asks for an idle system of its own, with the evidence recorded', async () => {
      const asked = await api.as(cast.callers.department).post('/api/v1/systems/IDLE-A/decommission-requests', { reason: '业务已停用' });
      expect(asked.status).toBe(201);
      expect(asked.body).toMatchObject({ system_code: 'IDLE-A', status: 'open', evidence: { idle_days: 90, last_exchange_on: null } });
      expect((asked.body.evidence as { last_seen_at: string }).last_seen_at).not.toBeNull();
      requestId = asked.body.id as number;
      const again = await api.as(cast.callers.department).post('/api/v1/systems/IDLE-A/decommission-requests', { reason: '再次' });
      expect(again.status).toBe(409);
      expect(again.text).toContain(`#${requestId}`);
    });

    it('is refused for a system in use, and another department’s system does not exist for the asker', async () => {
      const inUse = await api.as(cast.callers.department).post('/api/v1/systems/IDLE-B/decommission-requests', { reason: '试试' });
      expect(inUse.status).toBe(409);
      expect(inUse.text).toContain('not an idle candidate');
      const other = await api.as(cast.callers.department).post('/api/v1/systems/IDLE-F/decommission-requests', { reason: '试试' });
      expect(other.status).toBe(404);
      const blank = await api.as(cast.callers.department).post('/api/v1/systems/IDLE-E/decommission-requests', { reason: ' ' });
      expect(blank.status).toBe(422);
      expect(blank.text).toContain('reason');
    });

    it('only a reviewer decides; confirmed, the system is retired by the normal transition, noted with the request', async () => {
      const byDepartment = await api
        .as(cast.callers.department)
        .post(`/api/v1/decommission-requests/${requestId}/decision`, { result: 'confirmed', note: '同意' });
      expect(byDepartment.status).toBe(403);
      const confirmed = await api
        .as(cast.callers.reviewer)
        .post(`/api/v1/decommission-requests/${requestId}/decision`, { result: 'confirmed', note: '核实无访问' });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ status: 'confirmed', decided_by: cast.callers.reviewer.name, retired_on: businessDate() });
      const system = await api.get('/api/v1/systems/IDLE-A');
      expect(system.body).toMatchObject({ state: 'retired', state_at: businessDate() });
      const history = await api.get('/api/v1/systems/IDLE-A/transitions');
      const last = (history.body.items as { to: string; actor: string; note: string }[]).at(-1);
      expect(last).toMatchObject({ to: 'retired', actor: cast.callers.reviewer.name });
      expect(last?.note).toContain(`#${requestId}`);
      const twice = await api
        .as(cast.callers.reviewer)
        .post(`/api/v1/decommission-requests/${requestId}/decision`, { result: 'rejected', note: '改主意' });
      expect(twice.status).toBe(409);
      expect(codesOf(await api.get('/api/v1/systems?idle=true&limit=100'))).toEqual(['IDLE-E', 'IDLE-F', 'IDLE-I']);
    });

    it('is not confirmed for a system used again since the request', async () => {
      const asked = await api.as(cast.callers.department).post('/api/v1/systems/IDLE-E/decommission-requests', { reason: '疑似停用' });
      expect(asked.status).toBe(201);
      await sighting('IDLE-E', new Date());
      const refused = await api
        .as(cast.callers.reviewer)
        .post(`/api/v1/decommission-requests/${asked.body.id}/decision`, { result: 'confirmed', note: '同意' });
      expect(refused.status).toBe(409);
      expect(refused.text).toContain('no longer idle');
      const rejected = await api
        .as(cast.callers.reviewer)
        .post(`/api/v1/decommission-requests/${asked.body.id}/decision`, { result: 'rejected', note: '仍在使用' });
      expect(rejected.body).toMatchObject({ status: 'rejected', retired_on: null });
      expect((await api.get('/api/v1/systems/IDLE-E')).body).toMatchObject({ state: 'migrating' });
    });

    it('lists the requests newest first; a department user sees only its own', async () => {
      const all = await api.as(cast.callers.reviewer).get('/api/v1/decommission-requests');
      expect(all.status).toBe(200);
      const mine = (all.body.items as { system_code: string; status: string }[]).filter((r) => r.system_code.startsWith('IDLE-'));
      expect(mine.map((r) => [r.system_code, r.status])).toEqual([
        ['IDLE-E', 'rejected'],
        ['IDLE-A', 'confirmed'],
      ]);
      const outsider = await callerWith(getDb().db, ['department'], { department: 'IDLE-OTHER' });
      const theirs = await api.as(outsider).get('/api/v1/decommission-requests');
      expect(theirs.body.total).toBe(0);
    });

    it('records the last exchange traffic as evidence', async () => {
      const asked = await api.as(cast.callers.department).post('/api/v1/systems/IDLE-I/decommission-requests', { reason: '接口无调用' });
      expect(asked.status).toBe(201);
      expect(asked.body).toMatchObject({ evidence: { last_seen_at: null, last_exchange_on: businessDate(daysAgo(120)) } });
    });
  });
});
