/**
 * GET /api/v1/todo and the console's landing page (待办事项), issue 17 item 5: each desk's
 * entries counted from item-level rows, scoped as the caller may see them (a department user
 * never sees another department's), failed imports that stay until an applied import follows,
 * a list never empty, and every link answering the user who holds it.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadDemoData } from '../../src/demo/load.ts';
import { createDemoUsers, demoUsers } from '../../src/identity/bootstrap.ts';
import { addDays, businessDate } from '../../src/kernel/dates.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { type ApiClient, apiClient, fileForm, type Json } from '../helpers/api.ts';
import { type Cast, callerWith, createCast, signIn, type TestCaller, testPassword } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';
import { insertWorkOrder } from '../helpers/work-orders.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_BACKDATE_DAYS: 3650 };

interface Item {
  kind: string;
  title: string;
  count?: number;
  href: string;
  due_at?: string;
}

let counter = 0;
const uid = (prefix: string) => `TD-${prefix}-${++counter}`;

/** Every href of a list answers 200 to the session of the user it was made for. */
async function expectLinksOpen(api: ApiClient, cookie: string, items: Item[], who: string) {
  for (const item of items) {
    const res = await api.as({ headers: { Cookie: cookie } }).get(item.href);
    expect(res.status, `${who}: ${item.kind} → ${item.href}`).toBe(200);
  }
}

describeEachBackend('to-do list', (getDb) => {
  let app: App;
  let api: ApiClient;
  let cast: Cast;
  let other: TestCaller;
  const home = uid('HOME');
  const otherDept = uid('OTHER');

  const todo = async (who: TestCaller, lang = 'zh'): Promise<Item[]> => {
    const res = await api.as(who).get(`/api/v1/todo?lang=${lang}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body as { items: Item[] }).items;
  };
  const entry = (items: Item[], kind: string, href?: string) => items.find((i) => i.kind === kind && (!href || i.href === href));
  const countOf = (items: Item[], kind: string, href?: string) => entry(items, kind, href)?.count ?? 0;
  const newSystem = async (who: TestCaller, department: string, extra: Json = {}) => {
    const code = uid('S');
    const res = await api.as(who).post('/api/v1/systems', { code, name: '待认定系统', department_code: department, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return code;
  };

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    app = createApp({ database: getDb(), config });
    api = apiClient(app);
    cast = await createCast(app, db, { code: home, name: '测试局', region_code: '450100' });
    const created = await api.as(cast.callers.sysadmin).post('/api/v1/departments', {
      kind: 'government',
      code: otherDept,
      name: '另一局',
      region_code: '450200',
    });
    expect(created.status).toBe(201);
    other = await callerWith(db, ['department'], { department: otherDept });
  });

  it('answers anonymous callers 401', async () => {
    expect((await api.get('/api/v1/todo')).status).toBe(401);
  });

  it("counts a department's records awaiting 认定 from its rows, and the reviewer's queue alike", async () => {
    const department = cast.callers.department;
    for (let i = 0; i < 3; i++) await newSystem(department, home);
    const codes = (await queryRows<{ code: string }>(getDb(), sql`select code from systems order by id`)).map((r) => r.code);
    const pendingHref = '/console/workspace#systems';
    expect(countOf(await todo(department), 'records_awaiting_certification', pendingHref)).toBe(3);
    expect(countOf(await todo(cast.callers.reviewer), 'review_queue', '/console/review?kind=systems')).toBe(3);
    // Three systems without a 等保 level: what is missing.
    expect(countOf(await todo(department), 'records_incomplete')).toBe(3);

    const certified = await api
      .as(cast.callers.reviewer)
      .post(`/api/v1/systems/${codes[0]}/certifications`, { classification: 'non_classified', evidence: '桂政办发〔2020〕12号' });
    expect(certified.status, JSON.stringify(certified.body)).toBe(201);
    expect(countOf(await todo(department), 'records_awaiting_certification', pendingHref)).toBe(2);
    expect(countOf(await todo(cast.callers.reviewer), 'review_queue', '/console/review?kind=systems')).toBe(2);

    // Another department sees none of it: its list says nothing is pending.
    const theirs = await todo(other);
    expect(theirs.map((i) => i.kind)).toEqual(['nothing_pending']);
    expect(theirs[0]?.href).toBe('/console/overview');
    await newSystem(other, otherDept, { security_level: 3 });
    expect(countOf(await todo(other), 'records_awaiting_certification', pendingHref)).toBe(1);
    expect(countOf(await todo(other), 'records_incomplete')).toBe(0);
    expect(countOf(await todo(department), 'records_awaiting_certification', pendingHref)).toBe(2);
  });

  it('lists overdue re-reviews with the earliest due date for the reviewer', async () => {
    const [cert] = await queryRows<{ id: number }>(getDb(), sql`select id from certifications order by id limit 1`);
    const due = addDays(businessDate(), -3);
    const scheduled = await api.as(cast.callers.reviewer).post(`/api/v1/certifications/${cert?.id}/re-reviews`, { due_at: due });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(201);
    const items = await todo(cast.callers.reviewer);
    expect(entry(items, 're_reviews_overdue')).toMatchObject({ count: 1, due_at: due });
    expect(entry(items, 're_reviews_due')).toBeUndefined();
  });

  it("counts the orders assigned to the department, rectification apart, and ops' breached ones", async () => {
    const { db } = getDb();
    const now = new Date();
    await insertWorkOrder(db, { createdAt: now, assignee: home, category: 'fault' });
    await insertWorkOrder(db, { createdAt: now, assignee: home, category: 'rectification' });
    await insertWorkOrder(db, { createdAt: now, assignee: home, category: 'rectification', state: 'closed', closedAt: now });
    await insertWorkOrder(db, { createdAt: new Date(now.getTime() - 30 * 86_400_000), assignee: null, slaState: 'breached' });
    const mine = await todo(cast.callers.department);
    expect(countOf(mine, 'work_orders_assigned')).toBe(1);
    expect(countOf(mine, 'rectification_orders')).toBe(1);
    expect(entry(mine, 'rectification_orders')?.due_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(countOf(await todo(other), 'work_orders_assigned')).toBe(0);
    expect(countOf(await todo(other), 'rectification_orders')).toBe(0);
    expect(countOf(await todo(cast.callers.ops), 'work_orders_breached')).toBe(1);
  });

  it('shows a rejected import until an applied import of the same kind follows, to its own department only', async () => {
    const department = cast.callers.department;
    const header = 'code,name,department_code,security_level';
    const bad = `${header}\n${uid('S')},坏行,${home},9\n`;
    const rejected = await api.as(department).post('/api/v1/import/systems', fileForm(bad, 'bad.csv'));
    expect(rejected.status).toBe(422);
    const [run] = await queryRows<{ outcome: string; rows: number; file_name: string; first_error: string }>(
      getDb(),
      sql`select outcome, rows, file_name, first_error from import_runs order by id desc limit 1`,
    );
    expect(run).toMatchObject({ outcome: 'rejected', rows: 1, file_name: 'bad.csv' });
    expect(run?.first_error).toMatch(/^row 2/);
    expect(countOf(await todo(department), 'failed_imports')).toBe(1);
    expect(countOf(await todo(other), 'failed_imports')).toBe(0);

    const good = `${header}\n${uid('S')},好行,${home},3\n`;
    const applied = await api.as(department).post('/api/v1/import/systems', fileForm(good, 'good.csv'));
    expect(applied.status, applied.text).toBe(200);
    expect(countOf(await todo(department), 'failed_imports')).toBe(0);
  });

  it('asks an administrator other than its requester to approve a password reset', async () => {
    const { db } = getDb();
    const target = await callerWith(db, ['auditor']);
    const reset = await api.as(cast.callers.sysadmin).post(`/api/v1/users/${target.name}/password-reset`);
    expect(reset.status, reset.text).toBe(202);
    expect(countOf(await todo(cast.callers.secadmin), 'password_resets')).toBe(1);
    expect(countOf(await todo(cast.callers.auditor), 'password_resets')).toBe(1);
    // The requester may not approve his own request, nor the user his own reset.
    expect(countOf(await todo(cast.callers.sysadmin), 'password_resets')).toBe(0);
    expect(countOf(await todo(target), 'password_resets')).toBe(0);
  });

  it('gives every role a non-empty list in either language, each link opening for that user', async () => {
    for (const [role, caller] of Object.entries(cast.callers)) {
      const zh = await todo(caller);
      const en = await todo(caller, 'en');
      expect(zh.length, role).toBeGreaterThan(0);
      expect(en.map((i) => i.kind)).toEqual(zh.map((i) => i.kind));
      const session = await signIn(app, caller.name, testPassword);
      expect(session.status).toBe(200);
      await expectLinksOpen(api, session.cookie, zh, role);
      // The landing page lists the same entries as links.
      const page = await api.as({ headers: { Cookie: session.cookie } }).get('/console');
      expect(page.status).toBe(200);
      expect(page.text).toContain('待办事项');
      for (const item of zh) expect(page.text).toContain(`href="${item.href.replaceAll('&', '&amp;')}"`);
    }
  });
});

describeEachBackend('to-do list of the demo users', (getDb) => {
  let app: App;
  const password = 'Demo-Passw0rd!';

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    await loadDemoData(db, { scale: 0.2 });
    await createDemoUsers(db, password);
    app = createApp({ database: getDb(), config, demo: true });
  }, 120_000);

  it('is non-empty for each demo user, and every link opens', async () => {
    const api = apiClient(app);
    const kinds: Record<string, string[]> = {};
    for (const { name } of demoUsers) {
      const session = await signIn(app, name, password);
      expect(session.status, name).toBe(200);
      const res = await api.as({ headers: { Cookie: session.cookie } }).get<{ items: Item[] }>('/api/v1/todo');
      expect(res.status, name).toBe(200);
      expect(res.body.items.length, name).toBeGreaterThan(0);
      kinds[name] = res.body.items.map((i) => i.kind);
      await expectLinksOpen(api, session.cookie, res.body.items, name);
    }
    // Each desk has real work in the demo, not a "nothing pending" line.
    expect(kinds.reviewer).toContain('review_queue');
    expect(kinds.sysadmin).toContain('administrators_without_second_factor');
    expect(kinds.secadmin).toContain('administrators_without_second_factor');
    expect(kinds.auditor).toContain('audit_entries_today');
    for (const name of ['sysadmin', 'secadmin', 'auditor', 'ops', 'reviewer', 'leader'])
      expect(kinds[name], name).not.toContain('nothing_pending');
  }, 120_000);
});
