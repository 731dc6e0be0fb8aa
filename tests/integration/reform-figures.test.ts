import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { computeIndicators, listIndicatorItems } from '../../src/indicators/service.ts';
import { AppError } from '../../src/kernel/errors.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { cloudBuildOut, createCloud, listClouds } from '../../src/registry/clouds.ts';
import { listTransitions } from '../../src/registry/transitions.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type ApiClient, apiClient } from '../helpers/api.ts';
import { type Cast, createCast } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

// 网上可办率, 最多跑一次率, 等保测评率, 灾备覆盖率 and the clouds' build-out, each computed from a
// handful of rows whose every figure is worked out by hand in the comments below.

const actor = rootActor('test');
const today = '2021-01-01';

describeEachBackend('reform figures on hand-built cases', (getDb) => {
  const counts = async (scope: string, at: string, key: string) => {
    const report = await computeIndicators(getDb().db, { scope, at });
    const f = report.indicators.find((i) => i.key === key);
    if (!f) throw new Error(`${key} missing for ${scope}`);
    return [f.numerator, f.denominator, f.pending];
  };

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    const dept = (code: string, region_code: string) => ({
      code,
      name: `部门${code}`,
      region_code,
      kind: 'government' as const,
      extranet_connected: false,
    });
    await upsertRecords(
      db,
      'departments',
      [dept('R-PROV', '450000'), dept('R-NN', '450100'), dept('R-XX', '450102'), dept('R-LZ', '450200')],
      actor,
      { today },
    );
    for (const code of ['R-C1', 'R-C1-DR']) {
      await createCloud(
        db,
        { code, name: code, kind: 'provincial', role: 'primary', provider: 'huawei', region_code: '450000' } as never,
        actor,
      );
    }

    const item = (code: string, department_code: string, service_level: string, service_level_since: string | null) => ({
      code,
      name: `事项${code}`,
      department_code,
      system_type: 'provincial' as const,
      integration_required: true,
      integrated: false,
      service_level: service_level as 'full_online',
      service_level_since,
    });
    await upsertRecords(
      db,
      'service-items',
      [
        item('R-I1', 'R-PROV', 'full_online', '2020-03-01'),
        item('R-I2', 'R-PROV', 'online_one_visit', '2020-09-01'),
        item('R-I3', 'R-NN', 'offline_one_visit', '2019-05-01'),
        item('R-I4', 'R-NN', 'multiple_visits', null),
        item('R-I5', 'R-XX', 'full_online', '2020-10-01'),
        item('R-I6', 'R-LZ', 'full_online', null),
      ],
      actor,
      { today },
    );
    // Later, R-I4 goes fully online as of 2020-12-01: a change of an existing item, kept in its history.
    await upsertRecords(db, 'service-items', [item('R-I4', 'R-NN', 'full_online', '2020-12-01')], actor, { today });

    const system = (
      code: string,
      department_code: string,
      more: { classification?: string; security_level?: number; assessed_on?: string; dr_site?: string; state?: string; state_at?: string },
    ) => ({
      code,
      name: `系统${code}`,
      department_code,
      classification: (more.classification ?? 'non_classified') as 'non_classified',
      state: (more.state ?? 'not_migrated') as 'not_migrated',
      state_at: more.state_at ?? null,
      cloud_code: 'R-C1',
      security_level: more.security_level ?? null,
      assessed_on: more.assessed_on ?? null,
      dr_site: (more.dr_site ?? null) as 'same_city' | null,
      dr_cloud_code: more.dr_site ? 'R-C1-DR' : null,
    });
    const systems = [
      system('R-S1', 'R-PROV', { security_level: 3, assessed_on: '2019-11-15', dr_site: 'same_city' }),
      system('R-S2', 'R-PROV', { security_level: 3, assessed_on: '2020-08-01' }),
      system('R-S3', 'R-NN', { security_level: 4, dr_site: 'remote' }),
      system('R-S4', 'R-NN', { security_level: 2, assessed_on: '2020-05-01' }),
      system('R-S5', 'R-XX', { security_level: 3, assessed_on: '2019-06-30', state: 'retired', state_at: '2020-10-01' }),
      system('R-S6', 'R-LZ', { security_level: 3, assessed_on: '2020-01-01', classification: 'pending' }),
      system('R-S7', 'R-NN', { security_level: 3, assessed_on: '2020-01-01', classification: 'classified' }),
    ];
    await upsertRecords(db, 'systems', systems, actor, { today });
    // R-S1 is assessed again on 2020-11-20; R-S2 gains a DR site, a change recorded today (2021-01-01).
    await upsertRecords(
      db,
      'systems',
      [
        { ...systems[0], assessed_on: '2020-11-20' } as (typeof systems)[number],
        { ...systems[1], dr_site: 'same_city', dr_cloud_code: 'R-C1-DR' } as (typeof systems)[number],
      ],
      actor,
      { today },
    );
  });

  describe('网上可办率 and 最多跑一次率', () => {
    // On 2020-06-30: I1 full online (since 03-01); I2 not yet (its level holds from 09-01, so it
    // needed several visits); I3 one visit offline; I4 several visits; I5 not yet (10-01); I6 full
    // online since always. Online: I1, I6. At most one visit: I1, I3, I6.
    it('counts the level each item had on the date, for the province, a city and a department', async () => {
      expect(await counts('450000', '2020-06-30', 'online_service')).toEqual([2, 6, 0]);
      expect(await counts('450000', '2020-06-30', 'one_visit')).toEqual([3, 6, 0]);
      // Nanning (R-NN and R-XX under it): I3, I4, I5.
      expect(await counts('450100', '2020-06-30', 'online_service')).toEqual([0, 3, 0]);
      expect(await counts('450100', '2020-06-30', 'one_visit')).toEqual([1, 3, 0]);
      expect(await counts('dept:R-PROV', '2020-06-30', 'online_service')).toEqual([1, 2, 0]);
      expect(await counts('dept:R-PROV', '2020-06-30', 'one_visit')).toEqual([1, 2, 0]);
    });

    // On 2020-12-31 every item but I3 (offline) is online — I4 since 12-01 — and all six need at most one visit.
    it('follows a level changed later, from the date it took effect', async () => {
      expect(await counts('450000', '2020-12-31', 'online_service')).toEqual([5, 6, 0]);
      expect(await counts('450000', '2020-12-31', 'one_visit')).toEqual([6, 6, 0]);
      expect(await counts('450100', '2020-12-31', 'online_service')).toEqual([2, 3, 0]);
      expect(await counts('450100', '2020-12-31', 'one_visit')).toEqual([3, 3, 0]);
      expect(await counts('dept:R-PROV', '2020-12-31', 'online_service')).toEqual([2, 2, 0]);
      expect(await counts('450000', '2020-11-30', 'online_service')).toEqual([4, 6, 0]);
    });

    it('lists the items behind the figure with the level each had on the date', async () => {
      const items = await listIndicatorItems(getDb().db, 'online_service', { scope: '450100', at: '2020-11-30', limit: 50, offset: 0 });
      const levels = Object.fromEntries(items.items.map((i) => [i.code, [i.service_level, i.done]]));
      expect(levels).toEqual({
        'R-I3': ['offline_one_visit', false],
        'R-I4': ['multiple_visits', false],
        'R-I5': ['full_online', true],
      });
    });
  });

  describe('等保测评率 and 灾备覆盖率 (level 3+ systems)', () => {
    // In the figures: non-classified systems of level 3 or 4 not retired on the date. S4 is level 2,
    // S7 classified, S6 pending (counted apart); S5 retires on 2020-10-01.
    // 2020-06-30, assessments since 2019-06-30 count: S1 (2019-11-15) and S5 (2019-06-30, the
    // boundary day); S2 is first assessed on 2020-08-01; S3 never. DR: S1 and S3.
    it('counts the systems assessed within the 12 months up to the date', async () => {
      expect(await counts('450000', '2020-06-30', 'security_assessment')).toEqual([2, 4, 1]);
      expect(await counts('450100', '2020-06-30', 'security_assessment')).toEqual([1, 2, 0]);
      expect(await counts('dept:R-PROV', '2020-06-30', 'security_assessment')).toEqual([1, 2, 0]);
      // 2020-12-31, since 2019-12-31: S1 (again on 2020-11-20), S2 (2020-08-01); S3 not; S5 retired.
      expect(await counts('450000', '2020-12-31', 'security_assessment')).toEqual([2, 3, 1]);
      expect(await counts('450100', '2020-12-31', 'security_assessment')).toEqual([0, 1, 0]);
      expect(await counts('dept:R-PROV', '2020-12-31', 'security_assessment')).toEqual([2, 2, 0]);
      // The earlier assessment still holds for earlier dates: on 2019-12-31 S1 (2019-11-15) counts.
      expect(await counts('dept:R-PROV', '2019-12-31', 'security_assessment')).toEqual([1, 2, 0]);
      // …and on 2020-11-19, a year and four days after it, it no longer does: only S2 counts.
      expect(await counts('dept:R-PROV', '2020-11-19', 'security_assessment')).toEqual([1, 2, 0]);
    });

    it('counts the systems with a disaster-recovery site on the date', async () => {
      expect(await counts('450000', '2020-06-30', 'dr_coverage')).toEqual([2, 4, 1]);
      expect(await counts('450100', '2020-06-30', 'dr_coverage')).toEqual([1, 2, 0]);
      expect(await counts('dept:R-PROV', '2020-06-30', 'dr_coverage')).toEqual([1, 2, 0]);
      expect(await counts('450000', '2020-12-31', 'dr_coverage')).toEqual([2, 3, 1]);
      expect(await counts('450100', '2020-12-31', 'dr_coverage')).toEqual([1, 1, 0]);
      // S2's DR site was recorded today: it counts from today on.
      expect(await counts('dept:R-PROV', '2020-12-31', 'dr_coverage')).toEqual([1, 2, 0]);
      expect(await counts('dept:R-PROV', today, 'dr_coverage')).toEqual([2, 2, 0]);
    });

    it('keeps each change of an attribute in the history, and the intervals it makes', async () => {
      const history = await listTransitions(getDb().db, 'systems', 'R-S1', actor);
      const assessments = history.items
        .filter((t) => t.field === 'assessed_on')
        .map((t) => [t.to, t.effective_at, t.superseded_at === null]);
      expect(assessments).toEqual([
        ['2019-11-15', '2019-11-15', true],
        ['2020-11-20', '2020-11-20', true],
      ]);
      expect(history.timeline.map((iv) => [iv.valid_from, iv.attributes?.assessed_on ?? null])).toEqual([
        [null, null],
        ['2019-11-15', '2019-11-15'],
        ['2020-11-20', '2020-11-20'],
      ]);
    });

    it('records nothing when the same rows come again', async () => {
      const { db } = getDb();
      const before = (await listTransitions(db, 'systems', 'R-S1', actor)).items.length;
      const again = await listTransitions(db, 'service-items', 'R-I4', actor);
      const result = await upsertRecords(
        db,
        'service-items',
        [
          {
            code: 'R-I4',
            name: '事项R-I4',
            department_code: 'R-NN',
            system_type: 'provincial',
            integration_required: true,
            integrated: false,
            service_level: 'full_online',
            service_level_since: '2020-12-01',
          },
        ],
        actor,
        { today },
      );
      expect(result).toEqual({ created: 0, updated: 0, unchanged: 1 });
      expect((await listTransitions(db, 'service-items', 'R-I4', actor)).items).toEqual(again.items);
      expect((await listTransitions(db, 'systems', 'R-S1', actor)).items).toHaveLength(before);
    });
  });

  describe('the clouds build-out', () => {
    beforeAll(async () => {
      const { db } = getDb();
      const city = (code: string, region_code: string, dates: Record<string, string>) =>
        createCloud(db, { code, name: code, kind: 'city', role: 'primary', provider: 'h3c', region_code, ...dates } as never, actor);
      await city('R-CA', '450100', { planned_on: '2018-01-01', building_on: '2018-06-01', in_service_on: '2019-01-01' });
      await city('R-CB', '450200', { planned_on: '2018-09-01', building_on: '2019-06-01', in_service_on: '2020-09-01' });
      await city('R-CC', '450300', { planned_on: '2020-01-01' });
    });

    it('gives each cloud its state on the date, and counts them by kind', async () => {
      const { db } = getDb();
      const states = async (at: string) =>
        Object.fromEntries((await listClouds(db, { limit: 50, offset: 0, kind: 'city', at }, actor)).items.map((c) => [c.code, c.state]));
      expect(await states('2020-06-30')).toEqual({ 'R-CA': 'in_service', 'R-CB': 'building', 'R-CC': 'planned' });
      expect(await states('2020-12-31')).toEqual({ 'R-CA': 'in_service', 'R-CB': 'in_service', 'R-CC': 'planned' });
      const city = async (at: string) => (await cloudBuildOut(db, actor, at)).items.find((r) => r.kind === 'city' && r.role === 'primary');
      expect(await city('2020-06-30')).toMatchObject({ planned: 1, building: 1, in_service: 1, retired: 0, total: 3 });
      expect(await city('2020-12-31')).toMatchObject({ planned: 1, building: 0, in_service: 2, retired: 0, total: 3 });
      // Clouds registered without milestones predate them: in service on any date.
      const provincial = (await cloudBuildOut(db, actor, '2000-01-01')).items.find((r) => r.kind === 'provincial');
      expect(provincial).toMatchObject({ in_service: 2, total: 2 });
    });

    it('refuses milestones out of order, naming the one that comes too early', async () => {
      const attempt = createCloud(
        getDb().db,
        {
          code: 'R-BAD',
          name: 'x',
          kind: 'city',
          role: 'primary',
          provider: 'h3c',
          region_code: '450400',
          building_on: '2020-01-01',
          in_service_on: '2019-12-31',
        } as never,
        actor,
      );
      await expect(attempt).rejects.toBeInstanceOf(AppError);
      await expect(attempt).rejects.toMatchObject({
        errors: [{ field: 'in_service_on', message: '2019-12-31 is before building_on 2020-01-01' }],
      });
    });
  });

  describe('over HTTP', () => {
    let app: App;
    let cast: Cast;
    let api: ApiClient;
    beforeAll(async () => {
      app = createApp({ database: getDb(), config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 } });
      cast = await createCast(app, getDb().db, { code: 'R-HOME', name: '测试主管部门', region_code: '450000' });
      api = apiClient(app, cast);
    });

    it('GET /api/v1/clouds?at= and /api/v1/cloud-build-out?at= answer the states on that date', async () => {
      const list = await api.get('/api/v1/clouds?kind=city&at=2020-06-30&state=building');
      expect(list.status).toBe(200);
      expect((list.body.items as { code: string; state: string }[]).map((c) => [c.code, c.state])).toEqual([['R-CB', 'building']]);
      const buildOut = await api.get('/api/v1/cloud-build-out?at=2020-12-31');
      expect(buildOut.status).toBe(200);
      expect(buildOut.body.at).toBe('2020-12-31');
      const bad = await api.get('/api/v1/cloud-build-out?at=2020-02-30');
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('at');
    });

    it('the extranet carries its 等保 level: recorded by ops, audited, read by the registry readers', async () => {
      const before = await api.get('/api/v1/extranet');
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({ name: '电子政务外网', security_level: null, updated_at: null });
      const protection = { name: '广西电子政务外网', security_level: 3, filing_number: '45010099001-30001', assessed_on: '2020-09-20' };
      const put = await api.put('/api/v1/extranet', protection);
      expect(put.status, put.text).toBe(200);
      expect(put.body).toMatchObject(protection);
      expect((await api.as(cast.callers.leader).get('/api/v1/extranet')).body).toMatchObject(protection);
      expect((await api.as(cast.callers.leader).put('/api/v1/extranet', protection)).status).toBe(403);
      expect((await api.as(cast.callers.department).get('/api/v1/extranet')).status).toBe(403);
      const bad = await api.put('/api/v1/extranet', { ...protection, security_level: 5 });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('security_level');
      const future = await api.put('/api/v1/extranet', { ...protection, assessed_on: '2999-01-01' });
      expect(future.status).toBe(422);
      expect(future.text).toContain('in the future');
      const [entry] = await queryRows<{ actor: string }>(
        getDb(),
        sql`select actor from audit_log where action = 'extranet.update' order by id desc limit 1`,
      );
      expect(entry?.actor).toBe(cast.callers.ops.name);
    });

    it('refuses a bad 等保 level or DR site with the field named, writing nothing', async () => {
      const post = await api.post('/api/v1/systems', {
        code: 'R-S9',
        name: '系统R-S9',
        department_code: 'R-HOME',
        security_level: 5,
        dr_site: 'moon',
      });
      expect(post.status).toBe(422);
      expect(post.text).toContain('security_level');
      expect(post.text).toContain('dr_site');
      const noSite = await api.post('/api/v1/systems', {
        code: 'R-S9',
        name: '系统R-S9',
        department_code: 'R-HOME',
        dr_cloud_code: 'R-C1-DR',
        assessed_on: '2020-01-01',
      });
      expect(noSite.status).toBe(422);
      expect(noSite.text).toContain('dr_site is empty');
      expect(noSite.text).toContain('security_level is empty');
      expect((await api.get('/api/v1/systems/R-S9')).status).toBe(404);
      const future = await api.post('/api/v1/systems', {
        code: 'R-S9',
        name: '系统R-S9',
        department_code: 'R-HOME',
        security_level: 3,
        assessed_on: '2999-01-01',
      });
      expect(future.status).toBe(422);
      expect(future.text).toContain('assessed_on');
      expect(future.text).toContain('in the future');
    });

    it('a department changes an item’s level with PATCH; the change is history, dated as given', async () => {
      const created = await api.post('/api/v1/service-items', {
        code: 'R-I9',
        name: '事项R-I9',
        department_code: 'R-HOME',
        system_type: 'city',
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ service_level: 'multiple_visits', service_level_since: null });
      const patched = await api.patch('/api/v1/service-items/R-I9', { service_level: 'full_online', service_level_since: '2020-05-01' });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body).toMatchObject({ service_level: 'full_online', service_level_since: '2020-05-01' });
      const history = await api.get('/api/v1/service-items/R-I9/transitions');
      const changes = (history.body.items as { field: string; from: string | null; to: string; effective_at: string }[]).filter(
        (t) => t.field === 'service_level',
      );
      expect(changes.map((t) => [t.from, t.to, t.effective_at])).toEqual([['multiple_visits', 'full_online', '2020-05-01']]);
      const figure = async (at: string) =>
        (await computeIndicators(getDb().db, { scope: 'dept:R-HOME', at })).indicators.find((i) => i.key === 'online_service');
      expect(await figure('2020-04-30')).toMatchObject({ numerator: 0, denominator: 1 });
      expect(await figure('2020-05-01')).toMatchObject({ numerator: 1, denominator: 1 });
    });
  });
});
