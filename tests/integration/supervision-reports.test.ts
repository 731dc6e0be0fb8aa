/**
 * The supervision report (督查通报) from draft to publication over HTTP, as the roles that do
 * it: a reviewer drafts (and regenerates) and submits; a leader returns it with a comment or
 * signs it off; nobody signs off a report they drafted (a user holding both roles included); a
 * published report is numbered, kept byte for byte (its hash unchanged after a later registry
 * edit, its row refused any change by the database) and read by departments, while drafts and
 * the live preview are the reviewers' and leaders'; each black-listed department gets a
 * rectification order due in 30 days; a correction is a new version naming the one it supersedes.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { businessDate } from '../../src/kernel/dates.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type ApiClient, apiClient, type Json } from '../helpers/api.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';
import { actor, HISTORY_MONTHS, seedHistory } from '../helpers/leadership.ts';

const config = {
  YUNWANG_BODY_LIMIT_BYTES: 1048576,
  YUNWANG_IMPORT_LIMIT_BYTES: 67108864,
  YUNWANG_RANKING_WEIGHTS: { cloud_migration: 0.5, service_integration: 0.5 },
  YUNWANG_RANKING_CITY_LIST_SIZE: 1,
  YUNWANG_RANKING_DEPARTMENT_LIST_SIZE: 1,
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const year = businessDate().slice(0, 4);

describeEachBackend('supervision reports: review, then publish', (getDb) => {
  let app: App;
  let api: ApiClient;
  let reviewer: TestCaller;
  let otherReviewer: TestCaller;
  let leader: TestCaller;
  let both: TestCaller;
  let department: TestCaller;
  let ops: TestCaller;

  const ok = async (who: TestCaller, method: string, path: string, body?: unknown, status = 200): Promise<Json> => {
    const answer = await api.as(who).send(method, path, body);
    expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(status);
    return answer.body;
  };
  const bytes = async (who: TestCaller, id: unknown, format: 'xlsx' | 'html') => {
    const answer = await api.as(who).get(`/api/v1/supervision-reports/${id}.${format}`);
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    return answer;
  };
  const trail = (id: unknown) =>
    queryRows<{ actor: string; action: string }>(
      getDb(),
      sql`select actor, action from audit_log where entity_kind = 'supervision_report' and entity_code = ${String(id)} order by id`,
    );

  beforeAll(async () => {
    const { db } = getDb();
    await seedHistory(db);
    await freezeMonths(db, HISTORY_MONTHS, { actor });
    app = createApp({ database: getDb(), config });
    api = apiClient(app);
    reviewer = await callerWith(db, ['reviewer']);
    otherReviewer = await callerWith(db, ['reviewer']);
    leader = await callerWith(db, ['leader']);
    both = await callerWith(db, ['reviewer', 'leader']);
    department = await callerWith(db, ['department'], { department: 'T-P2' });
    ops = await callerWith(db, ['ops']);
  }, 120_000);

  it('drafts, regenerates, submits, is returned, then signed off by a leader who drafted none of it', async () => {
    expect((await api.as(leader).post('/api/v1/supervision-reports', { month: '2020-06' })).status).toBe(403);
    expect((await api.as(reviewer).post('/api/v1/supervision-reports', { month: '2020-13' })).status).toBe(422);
    // A month not frozen has no report to draft.
    expect((await api.as(reviewer).post('/api/v1/supervision-reports', { month: '2021-01' })).status).toBe(404);

    const draft = await ok(reviewer, 'POST', '/api/v1/supervision-reports', { month: '2020-06' }, 201);
    expect(draft).toMatchObject({
      month: '2020-06',
      version: 1,
      state: 'draft',
      drafted_by: [reviewer.name],
      number: null,
      supersedes: null,
    });
    const xlsx = await bytes(leader, draft.id, 'xlsx');
    expect(sha256(xlsx.bytes)).toBe(draft.sha256);
    expect(xlsx.headers.get('x-content-sha256')).toBe(draft.sha256);
    const html = await bytes(reviewer, draft.id, 'html');
    expect(sha256(html.bytes)).toBe(draft.html_sha256);
    expect(html.text).toContain('2020-06');
    // The black list of the month, as the ranking names it (one department: lists of one).
    const ranking = await ok(leader, 'GET', '/api/v1/ranking?month=2020-06');
    const black = (ranking.departments as { black: { scope: string; name: string }[] }).black;
    expect((draft.black_list as Json[]).map((d) => d.name)).toEqual(black.map((b) => b.name));
    expect(black).toHaveLength(1);

    // Drafts are the reviewers' and leaders': a department sees none, and gets 404 for its bytes.
    expect((await ok(department, 'GET', '/api/v1/supervision-reports')).items).toEqual([]);
    expect((await api.as(department).get(`/api/v1/supervision-reports/${draft.id}.xlsx`)).status).toBe(404);
    expect((await api.as(ops).get('/api/v1/supervision-reports')).status).toBe(403);

    // Another reviewer and a reviewer-leader regenerate it: the same report, every drafter named.
    const again = await ok(otherReviewer, 'POST', '/api/v1/supervision-reports', { month: '2020-06' }, 200);
    expect(again).toMatchObject({ id: draft.id, state: 'draft', drafted_by: [reviewer.name, otherReviewer.name] });
    await ok(both, 'POST', '/api/v1/supervision-reports', { month: '2020-06' }, 200);

    expect((await api.as(leader).post(`/api/v1/supervision-reports/${draft.id}/publish`)).status).toBe(409);
    const submitted = await ok(reviewer, 'POST', `/api/v1/supervision-reports/${draft.id}/submit`);
    expect(submitted).toMatchObject({ state: 'submitted', submitted_by: reviewer.name });
    expect((await api.as(reviewer).post('/api/v1/supervision-reports', { month: '2020-06' })).status).toBe(409);
    expect((await api.as(reviewer).post(`/api/v1/supervision-reports/${draft.id}/publish`)).status).toBe(403);
    // Nobody signs off a report they drafted, whatever roles they hold.
    const own = await api.as(both).post(`/api/v1/supervision-reports/${draft.id}/publish`);
    expect(own.status).toBe(403);
    expect(own.body.detail).toContain('you drafted');

    expect((await api.as(leader).post(`/api/v1/supervision-reports/${draft.id}/return`, { comment: ' ' })).status).toBe(422);
    const returned = await ok(leader, 'POST', `/api/v1/supervision-reports/${draft.id}/return`, { comment: '请补充整改要求' });
    expect(returned).toMatchObject({ state: 'returned', decided_by: leader.name, return_comment: '请补充整改要求' });
    await ok(reviewer, 'POST', '/api/v1/supervision-reports', { month: '2020-06' }, 200);
    const resubmitted = await ok(reviewer, 'POST', `/api/v1/supervision-reports/${draft.id}/submit`);

    const ordersBefore = await queryRows<{ n: number }>(
      getDb(),
      sql`select count(*)::int as n from work_orders where category = 'rectification'`,
    );
    const published = await ok(leader, 'POST', `/api/v1/supervision-reports/${draft.id}/publish`);
    expect(published).toMatchObject({ state: 'published', decided_by: leader.name, sha256: resubmitted.sha256 });
    expect(published.number).toMatch(new RegExp(`^督查通报〔${year}〕\\d+号$`));
    expect((await api.as(leader).post(`/api/v1/supervision-reports/${draft.id}/publish`)).status).toBe(409);

    // 整改: one order per black-listed department, assigned to it, due in 30 days.
    const orders = await queryRows<{ title: string; department: string; due_days: number }>(
      getDb(),
      sql`select o.title, d.code as department, round(extract(epoch from o.resolution_due_at - o.created_at) / 86400)::int as due_days
          from work_orders o join departments d on d.id = o.assignee_department_id
          where o.category = 'rectification' order by o.id`,
    );
    expect(orders.length).toBe((ordersBefore[0]?.n ?? 0) + 1);
    expect(orders.at(-1)).toMatchObject({ department: (published.black_list as Json[])[0]?.code, due_days: 30 });
    expect(orders.at(-1)?.title).toContain(String(published.number));

    expect((await trail(draft.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'supervision_report.draft',
        'supervision_report.regenerate',
        'supervision_report.submit',
        'supervision_report.return',
        'supervision_report.publish',
        'supervision_report.download',
      ]),
    );
  }, 120_000);

  it('keeps a published report byte for byte: a later registry edit and a refreeze leave it, the database refuses to change it', async () => {
    const [published] = (await ok(leader, 'GET', '/api/v1/supervision-reports?state=published&month=2020-06')).items as Json[];
    expect(published).toBeDefined();
    const before = sha256((await bytes(department, published?.id, 'xlsx')).bytes);
    // Departments read what was published; the live preview is not theirs, nor ops'.
    expect(((await ok(department, 'GET', '/api/v1/supervision-reports')).items as Json[]).map((r) => r.id)).toEqual([published?.id]);
    expect((await api.as(department).get('/api/v1/reports/supervision?month=2020-06')).status).toBe(403);
    expect((await api.as(ops).get('/api/v1/reports/supervision?month=2020-06')).status).toBe(403);

    await upsertRecords(
      getDb().db,
      'systems',
      [
        {
          code: 'T-P2-S9',
          name: '后来登记的系统',
          department_code: 'T-P2',
          classification: 'non_classified',
          state: 'migrated',
          state_at: '2020-06-15',
        },
      ],
      actor,
    );
    await freezeMonths(getDb().db, ['2020-06'], { actor, refreeze: true, reason: '补登系统' });
    const live = await api.as(leader).get('/api/v1/reports/supervision?month=2020-06&format=xlsx');
    expect(sha256(live.bytes)).not.toBe(before);
    expect(sha256((await bytes(leader, published?.id, 'xlsx')).bytes)).toBe(before);
    expect(before).toBe(published?.sha256);

    await expect(
      getDb().db.execute(sql`update supervision_reports set html = '\\x00' where id = ${Number(published?.id)}`),
    ).rejects.toThrow();
    await expect(getDb().db.execute(sql`delete from supervision_reports where id = ${Number(published?.id)}`)).rejects.toThrow();
  }, 120_000);

  it('corrects a published report with a new version that names the one it supersedes, numbered next', async () => {
    const [first] = (await ok(leader, 'GET', '/api/v1/supervision-reports?state=published&month=2020-06')).items as Json[];
    const correction = await ok(reviewer, 'POST', '/api/v1/supervision-reports', { month: '2020-06' }, 201);
    expect(correction).toMatchObject({ version: 2, state: 'draft', supersedes: { id: first?.id, number: first?.number } });
    await ok(reviewer, 'POST', `/api/v1/supervision-reports/${correction.id}/submit`);
    const published = await ok(leader, 'POST', `/api/v1/supervision-reports/${correction.id}/publish`);
    const serial = (n: unknown) => Number(/〕(\d+)号/.exec(String(n))?.[1]);
    expect(serial(published.number)).toBe(serial(first?.number) + 1);
    const listed = (await ok(department, 'GET', '/api/v1/supervision-reports?month=2020-06')).items as Json[];
    expect(listed.map((r) => r.version)).toEqual([2, 1]);
  }, 120_000);
});
