/**
 * Certification (认定) and re-review (回头看) over HTTP, as the roles that do them: the
 * reviewer certifies a classification with evidence and the indicators follow from the
 * certification date; a department user can neither certify nor set a classification any
 * other way; a failed re-review reverts the classification; the queue is ordered by due
 * date; every step is in the audit trail.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { businessDate } from '../../src/kernel/dates.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type Answer, type ApiClient, apiClient, fileForm, type Json } from '../helpers/api.ts';
import { type Cast, createCast, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };

interface Figure {
  key: string;
  numerator: number;
  denominator: number;
  pending: number;
}

let counter = 0;
const uid = (prefix: string) => `RV-${prefix}-${++counter}`;

describeEachBackend('certification and re-review', (getDb) => {
  let app: App;
  let cast: Cast;
  let reviewer: TestCaller;
  let department: TestCaller;
  let api: ApiClient;
  const dept = uid('D');

  const ok = async (who: TestCaller, method: string, path: string, json?: unknown, status = 200): Promise<Json> => {
    const a = await api.as(who).send(method, path, json);
    expect(a.status, `${method} ${path}: ${JSON.stringify(a.body)}`).toBe(status);
    return a.body;
  };
  const fields = (a: Answer) => ((a.body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);

  /** 上云率 or 专网打通率 of the test department, as the leader reads it. */
  const figure = async (key: string, at?: string): Promise<[number, number, number]> => {
    const body = await ok(cast.callers.leader, 'GET', `/api/v1/indicators?scope=dept:${dept}${at ? `&at=${at}` : ''}`);
    const f = (body.indicators as Figure[]).find((i) => i.key === key);
    return [f?.numerator ?? -1, f?.denominator ?? -1, f?.pending ?? -1];
  };
  const newSystem = async (extra: Json = {}) =>
    String(
      (await ok(department, 'POST', '/api/v1/systems', { code: uid('S'), name: '待认定系统', department_code: dept, ...extra }, 201)).code,
    );
  const certify = (code: string, body: Json, kind = 'systems', who = reviewer) =>
    api.as(who).post(`/api/v1/${kind}/${code}/certifications`, { evidence: '桂政办发〔2020〕12号', ...body });
  const auditOf = (code: string) =>
    queryRows<{ actor: string; action: string; result: string; after: Json | null }>(
      getDb(),
      sql`select actor, action, result, after from audit_log where entity_code = ${code} or entity_code like ${`%/${code}%`} order by id`,
    );

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config });
    cast = await createCast(app, getDb().db, { code: dept, name: '防城港市大数据局', region_code: '450600' });
    reviewer = cast.callers.reviewer;
    department = cast.callers.department;
    api = apiClient(app);
  });

  describe('certification (认定)', () => {
    it('a reviewer certifies a pending system with evidence; from that date it counts in 上云率', async () => {
      const code = await newSystem({ state: 'migrated', state_at: '2019-06-01' });
      expect(await figure('cloud_migration', '2020-06-30')).toEqual([0, 0, 1]);

      const noEvidence = await certify(code, { classification: 'non_classified', evidence: '  ' });
      expect(noEvidence.status).toBe(422);
      expect(fields(noEvidence)).toEqual(['evidence']);
      const future = await certify(code, { classification: 'non_classified', certified_at: '2999-01-01' });
      expect(future.status).toBe(422);
      expect(fields(future)).toEqual(['certified_at']);

      const certified = await certify(code, { classification: 'non_classified', certified_at: '2020-03-01' });
      expect(certified.status).toBe(201);
      expect(certified.body).toMatchObject({
        kind: 'system',
        code,
        classification: 'non_classified',
        previous_classification: 'pending',
        evidence: '桂政办发〔2020〕12号',
        certified_by: reviewer.name,
        certified_at: '2020-03-01',
        status: 'active',
        reverted_reason: null,
      });
      expect((await ok(cast.callers.leader, 'GET', `/api/v1/systems/${code}`)).classification).toBe('non_classified');
      // In the denominator (and, migrated, the numerator) from the certification date, not before.
      expect(await figure('cloud_migration', '2020-06-30')).toEqual([1, 1, 0]);
      expect(await figure('cloud_migration', '2020-03-01')).toEqual([1, 1, 0]);
      expect(await figure('cloud_migration', '2020-02-29')).toEqual([0, 0, 1]);

      const history = await ok(cast.callers.leader, 'GET', `/api/v1/systems/${code}/transitions`);
      expect((history.items as Json[]).filter((t) => t.field === 'classification')).toMatchObject([
        { from: 'pending', to: 'non_classified', effective_at: '2020-03-01', actor: reviewer.name, note: expect.stringContaining('认定') },
      ]);
      const listed = await ok(cast.callers.leader, 'GET', '/api/v1/certifications?status=active');
      expect((listed.items as Json[]).map((c) => c.code)).toContain(code);

      // A private network likewise, for 专网打通率.
      const network = String(
        (await ok(department, 'POST', '/api/v1/private-networks', { code: uid('PN'), name: '专网', department_code: dept }, 201)).code,
      );
      expect((await certify(network, { classification: 'non_classified', certified_at: '2020-01-01' }, 'private-networks')).status).toBe(
        201,
      );
      expect(await figure('private_network_interconnection', '2020-06-30')).toEqual([0, 1, 0]);
    });

    it('a data centre counts in 数据中心整合率 once certified, and still counts as done once closed', async () => {
      const centre = String(
        (
          await ok(
            department,
            'POST',
            '/api/v1/data-centres',
            { code: uid('DC'), name: '中心机房', department_code: dept, region_code: '450602', racks: 12 },
            201,
          )
        ).code,
      );
      // Pending: outside the figure, counted as pending.
      expect(await figure('data_centre_consolidation')).toEqual([0, 0, 1]);
      const certified = await certify(centre, { classification: 'non_classified', certified_at: '2020-01-01' }, 'data-centres');
      expect(certified.status).toBe(201);
      expect(certified.body).toMatchObject({ kind: 'data_centre', code: centre, previous_classification: 'pending' });
      expect(await figure('data_centre_consolidation')).toEqual([0, 1, 0]);
      for (const to of ['consolidating', 'consolidated']) {
        expect((await api.as(department).post(`/api/v1/data-centres/${centre}/transitions`, { to })).status).toBe(200);
      }
      expect(await figure('data_centre_consolidation')).toEqual([1, 1, 0]);
      expect((await api.as(department).post(`/api/v1/data-centres/${centre}/transitions`, { to: 'in_use' })).status).toBe(409);
      expect((await api.as(department).post(`/api/v1/data-centres/${centre}/transitions`, { to: 'closed' })).status).toBe(200);
      expect(await figure('data_centre_consolidation')).toEqual([1, 1, 0]);
      expect((await ok(cast.callers.leader, 'GET', `/api/v1/data-centres/${centre}`)).state).toBe('closed');
    });

    it('refuses racks or a floor area beyond any machine room with 422 naming the field, not a database error', async () => {
      const centre = { code: uid('DC'), name: '超大机房', department_code: dept, region_code: '450602' };
      for (const [field, value] of [
        ['racks', 3_000_000_000],
        ['racks', 1.5],
        ['floor_area_m2', 1e12],
        ['floor_area_m2', -1],
      ] as const) {
        const a = await api.as(department).post('/api/v1/data-centres', { ...centre, [field]: value });
        expect(a.status, `${field}=${value}`).toBe(422);
        expect(fields(a)).toEqual([field]);
      }
    });

    it('a later certification dated earlier replaces the earlier one from its own date', async () => {
      const code = await newSystem({ state: 'migrated', state_at: '2019-06-01' });
      const first = await certify(code, { classification: 'non_classified', certified_at: '2020-03-01' });
      expect(first.status).toBe(201);
      const before = await figure('cloud_migration', '2020-06-30');
      // The reviewer finds the system was classified all along, since 2020-01-01.
      const second = await certify(code, { classification: 'classified', certified_at: '2020-01-01' });
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({ previous_classification: 'non_classified', status: 'active' });
      expect((await ok(cast.callers.leader, 'GET', `/api/v1/systems/${code}`)).classification).toBe('classified');
      const certifications = (await ok(cast.callers.leader, 'GET', '/api/v1/certifications')).items as Json[];
      expect(certifications.filter((c) => c.code === code).map((c) => c.status)).toEqual(['reverted', 'active']);
      // Classified systems are in no denominator: from 2020-01-01 the system has left 上云率.
      expect(await figure('cloud_migration', '2020-06-30')).toEqual([before[0] - 1, before[1] - 1, before[2]]);
      const history = await ok(cast.callers.leader, 'GET', `/api/v1/systems/${code}/transitions`);
      expect(history.timeline).toEqual([
        // A system's tracked attributes (等保 level, assessment, DR site): none recorded here.
        { valid_from: null, valid_to: '2019-06-01', state: 'not_migrated', classification: 'pending', attributes: {} },
        { valid_from: '2019-06-01', valid_to: '2020-01-01', state: 'migrated', classification: 'pending', attributes: {} },
        { valid_from: '2020-01-01', valid_to: null, state: 'migrated', classification: 'classified', attributes: {} },
      ]);
      // The contradicted classification stays in the history, superseded.
      expect((history.items as Json[]).filter((t) => t.field === 'classification')).toMatchObject([
        { to: 'non_classified', effective_at: '2020-03-01', superseded_at: expect.any(String) },
        { from: 'pending', to: 'classified', effective_at: '2020-01-01', superseded_at: null },
      ]);
    });

    it('a department user can neither certify nor set a classification by POST, PATCH or import (403 naming the field)', async () => {
      const code = await newSystem();
      const count = async () => (await queryRows<{ n: number }>(getDb(), sql`select count(*)::int as n from systems`))[0]?.n;
      const before = await count();

      expect((await certify(code, { classification: 'non_classified' }, 'systems', department)).status).toBe(403);

      const posted = await api.as(department).post('/api/v1/systems', {
        code: uid('S'),
        name: 'x',
        department_code: dept,
        classification: 'non_classified',
      });
      expect(posted.status).toBe(403);
      expect(fields(posted)).toEqual(['classification']);
      const network = await api.as(department).post('/api/v1/private-networks', {
        code: uid('PN'),
        name: 'x',
        department_code: dept,
        classification: 'classified',
      });
      expect(network.status).toBe(403);
      expect(fields(network)).toEqual(['classification']);

      const patched = await api.as(department).patch(`/api/v1/systems/${code}`, { classification: 'classified' });
      expect(patched.status).toBe(403);
      expect(fields(patched)).toEqual(['classification']);

      const file = `编码,名称,部门编码,密级\r\n${uid('S')},导入系统,${dept},待认定\r\n${uid('S')},导入涉密系统,${dept},涉密\r\n`;
      const imported = await api.as(department).post('/api/v1/import/systems', fileForm(file, 'systems.csv'));
      expect(imported.status).toBe(403);
      expect(imported.body.errors).toEqual([expect.objectContaining({ row: 3, column: '密级', field: 'classification' })]);

      expect(await count()).toBe(before);
      expect((await ok(cast.callers.leader, 'GET', `/api/v1/systems/${code}`)).classification).toBe('pending');
    });
  });

  describe('re-review (回头看)', () => {
    it('a failed re-review reverts the classification, and the indicator follows', async () => {
      const code = await newSystem({ state: 'migrated', state_at: '2019-06-01' });
      const today = businessDate();
      const before = await figure('cloud_migration');
      const certification = (await certify(code, { classification: 'non_classified', certified_at: '2020-03-01' })).body;
      expect(await figure('cloud_migration')).toEqual([before[0] + 1, before[1] + 1, before[2] - 1]);
      const pastFigure = await figure('cloud_migration', '2020-06-30');

      const scheduled = await ok(reviewer, 'POST', `/api/v1/certifications/${certification.id}/re-reviews`, { due_at: '2030-06-30' }, 201);
      expect(scheduled).toMatchObject({ certification_id: certification.id, due_at: '2030-06-30', result: null });
      expect((await api.as(department).post(`/api/v1/re-reviews/${scheduled.id}/result`, { result: 'failed', reason: 'x' })).status).toBe(
        403,
      );
      const noReason = await api.as(reviewer).post(`/api/v1/re-reviews/${scheduled.id}/result`, { result: 'failed' });
      expect(noReason.status).toBe(422);
      expect(fields(noReason)).toEqual(['reason']);

      // Registered years ago: once sent back, it waits from the day it failed, not from then.
      await getDb().db.execute(
        sql`update systems set created_at = '2019-01-01T00:00:00Z', pending_since = '2019-01-01' where code = ${code}`,
      );
      const failed = await ok(reviewer, 'POST', `/api/v1/re-reviews/${scheduled.id}/result`, {
        result: 'failed',
        reason: '系统含涉密数据，认定有误',
      });
      expect(failed).toMatchObject({ result: 'failed', reason: '系统含涉密数据，认定有误', reviewed_at: expect.any(String) });
      expect((await ok(cast.callers.leader, 'GET', `/api/v1/systems/${code}`)).classification).toBe('pending');
      const reverted = ((await ok(cast.callers.leader, 'GET', '/api/v1/certifications?status=reverted')).items as Json[]).find(
        (c) => c.id === certification.id,
      );
      expect(reverted).toMatchObject({ status: 'reverted', reverted_reason: '系统含涉密数据，认定有误' });
      // From today the system is pending again; the figures already reported for the past stand.
      expect(await figure('cloud_migration')).toEqual(before);
      expect(await figure('cloud_migration', today)).toEqual(before);
      expect(await figure('cloud_migration', '2020-06-30')).toEqual(pastFigure);
      // …and it is back in the review queue, waiting since the day it failed.
      const queued = (await ok(reviewer, 'GET', `/api/v1/review-queue?q=${code}`)).items as Json[];
      expect(queued).toEqual([expect.objectContaining({ kind: 'systems', code, waiting_since: today })]);

      // Recorded once; a reverted certification is not re-reviewed again.
      expect((await api.as(reviewer).post(`/api/v1/re-reviews/${scheduled.id}/result`, { result: 'passed' })).status).toBe(409);
      expect((await api.as(reviewer).post(`/api/v1/certifications/${certification.id}/re-reviews`, { due_at: '2031-01-01' })).status).toBe(
        409,
      );
    });

    it('a passed re-review leaves the certification in force', async () => {
      const code = await newSystem();
      const certification = (await certify(code, { classification: 'non_classified' })).body;
      const scheduled = await ok(reviewer, 'POST', `/api/v1/certifications/${certification.id}/re-reviews`, { due_at: '2030-01-01' }, 201);
      expect(await ok(reviewer, 'POST', `/api/v1/re-reviews/${scheduled.id}/result`, { result: 'passed' })).toMatchObject({
        result: 'passed',
      });
      expect((await ok(cast.callers.leader, 'GET', `/api/v1/systems/${code}`)).classification).toBe('non_classified');
    });

    it('the queue lists the open re-reviews, soonest due first', async () => {
      const due = ['2031-09-01', '2031-03-01', '2031-12-01', '2031-06-01'];
      const ids: number[] = [];
      for (const at of due) {
        const certification = (await certify(await newSystem(), { classification: 'non_classified' })).body;
        ids.push(Number((await ok(reviewer, 'POST', `/api/v1/certifications/${certification.id}/re-reviews`, { due_at: at }, 201)).id));
      }
      // One of them is done.
      await ok(reviewer, 'POST', `/api/v1/re-reviews/${ids[2]}/result`, { result: 'passed' });

      const queue = (await ok(cast.callers.leader, 'GET', '/api/v1/re-reviews?open=true')).items as Json[];
      const mine = queue.filter((r) => ids.includes(Number(r.id)));
      expect(mine.map((r) => r.due_at)).toEqual(['2031-03-01', '2031-06-01', '2031-09-01']);
      expect(queue.every((r) => r.result === null)).toBe(true);
      const dueAts = queue.map((r) => String(r.due_at));
      expect(dueAts).toEqual([...dueAts].sort());
      const soon = (await ok(reviewer, 'GET', '/api/v1/re-reviews?open=true&due_before=2031-06-01')).items as Json[];
      expect(soon.filter((r) => ids.includes(Number(r.id))).map((r) => r.due_at)).toEqual(['2031-03-01', '2031-06-01']);
      const all = (await ok(reviewer, 'GET', '/api/v1/re-reviews')).items as Json[];
      expect(all.filter((r) => ids.includes(Number(r.id)))).toHaveLength(4);
      // The department does not read the review queue.
      expect((await api.as(department).get('/api/v1/re-reviews')).status).toBe(403);
    });

    it('pages the re-reviews and the certifications: limit, offset and the total', async () => {
      const whole = await ok(reviewer, 'GET', '/api/v1/re-reviews?limit=1000');
      const total = Number(whole.total);
      expect(total).toBe((whole.items as Json[]).length);
      expect(total).toBeGreaterThanOrEqual(4);
      const first = await ok(reviewer, 'GET', '/api/v1/re-reviews?limit=2');
      const second = await ok(reviewer, 'GET', '/api/v1/re-reviews?limit=2&offset=2');
      expect(first).toMatchObject({ total, limit: 2, offset: 0 });
      expect([...(first.items as Json[]), ...(second.items as Json[])].map((r) => r.id)).toEqual(
        (whole.items as Json[]).slice(0, 4).map((r) => r.id),
      );
      const certifications = await ok(cast.callers.leader, 'GET', '/api/v1/certifications?limit=3&offset=1');
      const all = await ok(cast.callers.leader, 'GET', '/api/v1/certifications?limit=1000');
      expect(certifications).toMatchObject({ total: all.total, limit: 3, offset: 1 });
      expect((certifications.items as Json[]).map((c) => c.id)).toEqual((all.items as Json[]).slice(1, 4).map((c) => c.id));
      const tooMany = await api.as(reviewer).get('/api/v1/re-reviews?limit=5000');
      expect(tooMany.status).toBe(422);
    });

    it('every step is in the audit trail, refusals included', async () => {
      const code = await newSystem();
      expect((await certify(code, { classification: 'non_classified' }, 'systems', department)).status).toBe(403);
      expect((await api.as(department).patch(`/api/v1/systems/${code}`, { classification: 'non_classified' })).status).toBe(403);
      const certification = (await certify(code, { classification: 'non_classified' })).body;
      const scheduled = await ok(reviewer, 'POST', `/api/v1/certifications/${certification.id}/re-reviews`, { due_at: '2030-01-01' }, 201);
      await ok(reviewer, 'POST', `/api/v1/re-reviews/${scheduled.id}/result`, { result: 'failed', reason: '证据不足' });

      const trail = await auditOf(code);
      expect(trail.map((r) => [r.actor, r.action, r.result])).toEqual([
        [department.name, 'system.create', 'ok'],
        [department.name, 'certifySystem', 'denied'],
        [department.name, 'updateSystem', 'denied'],
        [reviewer.name, 'system.certify', 'ok'],
        [reviewer.name, 're_review.schedule', 'ok'],
        [reviewer.name, 're_review.failed', 'ok'],
      ]);
      expect(trail[2]?.after).toMatchObject({ reason: expect.stringContaining('classification') });
      expect(trail[3]?.after).toMatchObject({ classification: 'non_classified', evidence: '桂政办发〔2020〕12号' });
      expect(trail[5]?.after).toMatchObject({ result: 'failed', reason: '证据不足' });
    });
  });
  describe('the review queue (待认定)', () => {
    const other = uid('D');
    beforeAll(async () => {
      const { db } = getDb();
      const actor = rootActor('test');
      await upsertRecords(
        db,
        'departments',
        [{ code: other, name: '南宁市某局', region_code: '450102', kind: 'government', extranet_connected: false }],
        actor,
      );
      const system = (code: string, department_code: string, classification = 'pending') => ({
        code,
        name: `排队系统${code}`,
        department_code,
        classification: classification as 'pending',
        state: 'not_migrated' as const,
        state_at: null,
      });
      await upsertRecords(db, 'systems', [system('RQ-S1', dept), system('RQ-S2', other), system('RQ-S3', dept, 'non_classified')], actor);
      await upsertRecords(
        db,
        'private-networks',
        [{ code: 'RQ-P1', name: '排队专网', department_code: dept, classification: 'pending', state: 'not_started', state_at: null }],
        actor,
      );
      await upsertRecords(
        db,
        'data-centres',
        [
          {
            code: 'RQ-C1',
            name: '排队机房',
            department_code: other,
            classification: 'pending',
            state: 'in_use',
            state_at: null,
            region_code: '450102',
          },
        ],
        actor,
      );
      // RQ-S2 was registered long before the campaign.
      await getDb().db.execute(
        sql`update systems set created_at = '2020-01-01T00:00:00Z', pending_since = '2020-01-01' where code = 'RQ-S2'`,
      );
    });
    const queue = async (query: string, who: TestCaller = reviewer) => ok(who, 'GET', `/api/v1/review-queue?q=RQ-&${query}`);
    const codes = (page: Json) => (page.items as { code: string }[]).map((i) => i.code).sort();

    it('lists every certified kind’s pending records, each with its department, region and the day it began to wait', async () => {
      const all = await queue('');
      expect(codes(all)).toEqual(['RQ-C1', 'RQ-P1', 'RQ-S1', 'RQ-S2']);
      expect(all.total).toBe(4);
      // Oldest first.
      expect((all.items as Json[])[0]).toMatchObject({ code: 'RQ-S2', waiting_since: '2020-01-01' });
      expect((all.items as Json[]).find((i) => i.code === 'RQ-C1')).toEqual({
        kind: 'data-centres',
        code: 'RQ-C1',
        name: '排队机房',
        department_code: other,
        region_code: '450102',
        waiting_since: businessDate(),
      });
    });

    it('filters by kind, department, region, text and age, and pages', async () => {
      expect(codes(await queue('kind=systems'))).toEqual(['RQ-S1', 'RQ-S2']);
      expect(codes(await queue(`department=${dept}`))).toEqual(['RQ-P1', 'RQ-S1']);
      expect(codes(await queue('region=450100'))).toEqual(['RQ-C1', 'RQ-S2']);
      expect(codes(await queue('region=450600&kind=private-networks'))).toEqual(['RQ-P1']);
      expect(codes(await queue('older_than_days=0'))).toHaveLength(4);
      expect(codes(await queue('older_than_days=1'))).toEqual(['RQ-S2']);
      const page = await queue('limit=3&offset=2');
      expect(page).toMatchObject({ total: 4, limit: 3, offset: 2 });
      expect(page.items as Json[]).toHaveLength(2);
      const bad = await api.as(reviewer).get('/api/v1/review-queue?kind=service-items');
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('kind');
    });

    it('certifies a batch all or nothing: one refused record rejects it, named by its place', async () => {
      const before = await queue('');
      const refused = await api.as(reviewer).post('/api/v1/certifications/batch', {
        items: [
          { kind: 'systems', code: 'RQ-S1' },
          { kind: 'systems', code: 'RQ-NOPE' },
        ],
        classification: 'non_classified',
        evidence: '专项行动认定 2026-1',
      });
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ errors: [{ index: 1, field: 'code' }] });
      expect(refused.text).toContain('nothing was certified');
      expect(codes(await queue(''))).toEqual(codes(before));
      const byDepartment = await api.as(department).post('/api/v1/certifications/batch', {
        items: [{ kind: 'systems', code: 'RQ-S1' }],
        classification: 'non_classified',
        evidence: 'x',
      });
      expect(byDepartment.status).toBe(403);
      const both = await api.as(reviewer).post('/api/v1/certifications/batch', {
        items: [{ kind: 'systems', code: 'RQ-S1' }],
        filter: { q: 'RQ-' },
        classification: 'non_classified',
        evidence: 'x',
      });
      expect(both.status).toBe(422);
    });

    it('certifies what a filter of the queue selects, each record audited on its own, and the figures follow', async () => {
      const pendingBefore = await figure('cloud_migration');
      const done = await ok(reviewer, 'POST', '/api/v1/certifications/batch', {
        filter: { q: 'RQ-', department: dept },
        classification: 'non_classified',
        evidence: '专项行动认定 2026-1',
      });
      expect(done.certified).toBe(2);
      expect((done.items as Json[]).map((c) => [c.kind, c.code, c.classification]).sort()).toEqual([
        ['private_network', 'RQ-P1', 'non_classified'],
        ['system', 'RQ-S1', 'non_classified'],
      ]);
      expect(codes(await queue(''))).toEqual(['RQ-C1', 'RQ-S2']);
      const [afterNumerator, afterDenominator, afterPending] = await figure('cloud_migration');
      expect([afterDenominator, afterPending]).toEqual([pendingBefore[1] + 1, pendingBefore[2] - 1]);
      expect(afterNumerator).toBe(pendingBefore[0]);
      const trail = await auditOf('RQ-S1');
      expect(trail.filter((e) => e.action === 'system.certify').map((e) => e.actor)).toEqual([reviewer.name]);
    });

    it('schedules a 回头看 campaign for a seeded sample of each department, then for the rest; the seed is on record', async () => {
      const before = (await ok(reviewer, 'GET', '/api/v1/re-reviews?open=true&limit=1000')).total as number;
      const sample = await ok(reviewer, 'POST', '/api/v1/re-reviews/batch', {
        filter: { department: dept },
        sample_percent: 50,
        seed: 42,
        due_at: '2031-12-31',
      });
      expect(sample.seed).toBe(42);
      const drawn = sample.scheduled as number;
      expect(drawn).toBeGreaterThan(0);
      const rest = await ok(reviewer, 'POST', '/api/v1/re-reviews/batch', { filter: { department: dept }, due_at: '2031-12-31' });
      expect(typeof rest.seed).toBe('number');
      // The sample took half of the department's certifications without an open re-review, rounded up.
      const all = drawn + (rest.scheduled as number);
      expect(drawn).toBe(Math.ceil(all / 2));
      expect((await ok(reviewer, 'GET', '/api/v1/re-reviews?open=true&limit=1000')).total).toBe(before + all);
      const [campaign] = await queryRows<{ after: Json }>(
        getDb(),
        sql`select after from audit_log where action = 're_review.campaign' and entity_code = 'campaign:42'`,
      );
      expect(campaign?.after).toMatchObject({ seed: 42, sample_percent: 50 });
      expect([...((campaign?.after.certifications as number[] | undefined) ?? [])].sort()).toEqual(
        (sample.items as Json[]).map((r) => Number(r.certification_id)).sort(),
      );
      const past = await api.as(reviewer).post('/api/v1/re-reviews/batch', { due_at: '2020-01-01' });
      expect(past.status).toBe(422);
      expect((await api.as(department).post('/api/v1/re-reviews/batch', { due_at: '2031-12-31' })).status).toBe(403);
    });

    it('is read by reviewers, leaders and ops; a department user is refused', async () => {
      expect(codes(await queue('', cast.callers.leader))).toHaveLength(2);
      expect((await api.as(department).get('/api/v1/review-queue')).status).toBe(403);
      expect((await api.get('/api/v1/review-queue')).status).toBe(401);
    });
  });
});
