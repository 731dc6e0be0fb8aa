/**
 * The console's work-order pages through app.request with signed-in sessions: the queue by
 * role (a department sees its own orders, not another department's, whose page is a 404),
 * create / accept / resolve / comment by the script-less forms (/console/submit, which calls the
 * real API), "create work order" on the alert page, the countdown's data attribute and script,
 * and a title with markup shown escaped.
 */
import { beforeAll, expect, it } from 'vitest';
import { runEvaluationCycle } from '../../src/alerts/engine.ts';
import { type App, createApp } from '../../src/app.ts';
import { workOrderStates } from '../../src/db/schema/enums.ts';
import { seedDemoWorkOrders } from '../../src/demo/work-orders.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { type ApiClient, apiClient, fileForm } from '../helpers/api.ts';
import { callerWith, signIn } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { call, type Json, newAgent, newDepartment, newNode, sample, sendBatch, signInCast, uid } from '../helpers/ingest.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100 };
const engine = { reopenMinutes: 10, retentionDays: 400 };
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

interface Session {
  cookie: string;
  csrf: string;
}

describeEachBackend('console work orders', (getDb) => {
  let app: App;
  let api: ApiClient;
  const sessions: Record<string, Session> = {};
  let own: Json;
  let other: Json;
  let nodeAlertId: number;

  /** A user as a browser: the session cookie alone (a form carries its CSRF token as a field). */
  const as = (who: string) => api.as({ headers: { Cookie: sessions[who]?.cookie as string } });
  const page = (path: string, who: string) => as(who).get(path);
  const html = async (path: string, who: string) => {
    const res = await page(path, who);
    expect(res.status, `${who} ${path}`).toBe(200);
    return res.text;
  };
  const json = async (path: string, who: string) => (await page(path, who)).body;
  const submit = (who: string, fields: Record<string, string>) =>
    as(who).form('/console/submit', { _csrf: sessions[who]?.csrf as string, ...fields });
  const formOf = (text: string, id: string) => text.match(new RegExp(`<form[^>]*id="${id}"[^>]*>[\\s\\S]*?</form>`))?.[0] ?? '';
  /** The hidden `_…` fields of a form on the page: what the browser would post. */
  const hiddenOf = (form: string) =>
    Object.fromEntries([...form.matchAll(/<input type="hidden" name="(_\w+|to)" value="([^"]*)"/g)].map((x) => [x[1], x[2]])) as Record<
      string,
      string
    >;
  /** Creates an order through the create form as `who`; returns its code, found by its (unique) title. */
  const createByForm = async (who: string, fields: Record<string, string>) => {
    const form = formOf(await html('/console/work-orders/new', who), 'create-work-order');
    expect(form).toContain('action="/console/submit"');
    const res = await submit(who, { ...hiddenOf(form), category: 'fault', priority: 'P3', ...fields });
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe('/console/work-orders?tab=all');
    const list = await json('/api/v1/work-orders?limit=1000', 'ops');
    const found = (list.items as Json[]).find((o) => o.title === fields.title);
    expect(found).toBeDefined();
    return String(found?.code);
  };

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    app = createApp({ database: getDb(), config });
    api = apiClient(app);
    await signInCast(app, db);
    own = await newDepartment(app);
    other = await newDepartment(app);
    const users = {
      ops: await callerWith(db, ['ops']),
      leader: await callerWith(db, ['leader']),
      clerk: await callerWith(db, ['department'], { department: String(own.code) }),
    };
    for (const [who, user] of Object.entries(users)) {
      const session = await signIn(app, user.name);
      expect(session.status).toBe(200);
      sessions[who] = { cookie: session.cookie, csrf: session.csrf };
    }
    // A node seen down for over 3 minutes: node_down fires on the next cycle.
    const node = await newNode(app, { name: `工单测试节点-${uid('n')}` });
    const agent = await newAgent(getDb(), 'network');
    const down = (at: string) => sample(String(node.code), at, { up: false, latency_ms: null, loss: 1 });
    expect((await sendBatch(app, agent, [down(ago(200_000)), down(ago(0))], { interval: 600 })).status).toBe(200);
    await runEvaluationCycle(db, engine, new Date());
    const list = await call(app, 'GET', '/api/v1/alerts?limit=1000');
    nodeAlertId = Number((list.body.items as Json[]).find((a) => a.rule === 'node_down' && (a.subject as Json).code === node.code)?.id);
    expect(nodeAlertId).toBeGreaterThan(0);
  }, 120_000);

  it('queues: ops sees another department’s order, the department does not and gets 404 for its page', async () => {
    const otherTitle = `别的部门的工单 ${uid('t')}`;
    const otherCode = await createByForm('ops', { title: otherTitle, 'assignee.department': String(other.code) });
    const ownTitle = `本部门工单 ${uid('t')}`;
    const ownCode = await createByForm('clerk', { title: ownTitle, 'assignee.department': String(own.code) });

    const opsQueue = await html('/console/work-orders?tab=all', 'ops');
    expect(opsQueue).toContain('href="/console/work-orders" aria-current="page"');
    expect(opsQueue).toContain('>工单</a>');
    const row = opsQueue.match(new RegExp(`<tr data-work-order="${otherCode}"[\\s\\S]*?</tr>`))?.[0] ?? '';
    expect(row).toContain(`href="/console/work-orders/${otherCode}"`);
    expect(row).toContain('待受理');
    expect(row).toContain('P3');
    expect(row).toContain(String(other.name));

    const clerkQueue = await html('/console/work-orders?tab=mine', 'clerk');
    expect(clerkQueue).toContain(`data-work-order="${ownCode}"`);
    expect(clerkQueue).not.toContain(otherCode);
    const clerkDepartment = await html('/console/work-orders?tab=department', 'clerk');
    expect(clerkDepartment).toContain(`data-work-order="${ownCode}"`);
    expect(clerkDepartment).not.toContain(otherCode);
    expect((await page(`/console/work-orders/${otherCode}`, 'clerk')).status).toBe(404);
    expect((await page(`/console/work-orders/${otherCode}`, 'ops')).status).toBe(200);
    // The breached tab has none of these fresh orders; leaders read the queue but get no forms.
    expect(await html('/console/work-orders?tab=breached', 'ops')).not.toContain(otherCode);
    const leader = await html(`/console/work-orders/${otherCode}`, 'leader');
    expect(leader).not.toContain('id="move-accepted"');
    expect(await html('/console/work-orders?tab=all', 'leader')).not.toContain('id="new-work-order"');
  });

  it('accepts, comments and resolves by the forms; the page counts down with its own script', async () => {
    const title = `受理解决 ${uid('t')}`;
    const code = await createByForm('clerk', { title, 'assignee.department': String(own.code), priority: 'P2' });
    const here = `/console/work-orders/${code}`;
    let view = await html(here, 'clerk');
    expect(view).toContain('<script type="module" src="/console/assets/work-order.js"></script>');
    expect(view).toMatch(/<time class="countdown" datetime="[^"]+" data-due="\d{4}-\d\d-\d\dT[^"]+"/);
    expect(view).not.toMatch(/<script>(?!<\/script>)/);
    const script = await api.get('/console/assets/work-order.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain('data-due');

    const accept = formOf(view, 'move-accepted');
    expect(accept).toContain(`name="_api" value="/api/v1/work-orders/${code}/transitions"`);
    expect(formOf(view, 'move-resolved')).toBe('');
    let res = await submit('clerk', { ...hiddenOf(accept), note: '已受理' });
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe(here);
    view = await html(here, 'clerk');
    expect(view).toContain('data-state="accepted"');
    expect(view).toContain('处理中');

    const comment = formOf(view, 'comment-form');
    res = await submit('clerk', { ...hiddenOf(comment), body: '<b>现场已排查</b>' });
    expect(res.status).toBe(303);
    // With scripts, the comment form uploads its files first and sends their ids as `documents`.
    expect(comment).toMatch(/<input type="file" name="_documents" data-field="documents" multiple/);
    const writer = api.as({ headers: { Cookie: sessions.clerk?.cookie as string, 'X-CSRF-Token': sessions.clerk?.csrf as string } });
    const uploaded = await writer.post('/api/v1/documents', fileForm('%PDF-1.4\n%%EOF\n', '现场照片.pdf'));
    expect(uploaded.status, uploaded.text).toBe(201);
    const attached = await writer.post(`/api/v1/work-orders/${code}/comments`, { body: '见附件', documents: [uploaded.body.id] });
    expect(attached.status, attached.text).toBe(201);
    expect(await html(here, 'ops')).toContain(`href="/api/v1/documents/${uploaded.body.id}"`);

    // A move the state does not allow is refused with the API's reason on the page.
    res = await submit('clerk', { ...hiddenOf(accept), note: '再受理' });
    expect(res.status).not.toBe(303);
    expect(res.text).toContain('not allowed from accepted');

    res = await submit('clerk', { ...hiddenOf(formOf(view, 'move-resolved')), note: '已修复' });
    expect(res.status).toBe(303);
    view = await html(here, 'clerk');
    expect(view).toContain('已解决');
    expect(view).toContain('&lt;b&gt;现场已排查&lt;/b&gt;');
    expect(view).not.toContain('<b>现场已排查');
    expect(view).not.toContain('class="countdown"');
    const order = await json(`/api/v1/work-orders/${code}`, 'ops');
    expect(order.state).toBe('resolved');
    expect(((order.timeline as Json[]) ?? []).map((e) => e.type)).toEqual(expect.arrayContaining(['accepted', 'resolved']));
  });

  it('creates an order from the alert page and then links to it', async () => {
    const alertPage = `/console/alerts?id=${nodeAlertId}`;
    let view = await html(alertPage, 'ops');
    const form = formOf(view, 'alert-work-order-form');
    expect(form).toContain(`name="_api" value="/api/v1/alerts/${nodeAlertId}/work-order"`);
    expect(form).toContain('创建工单 Create work order');
    const res = await submit('ops', hiddenOf(form));
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe(alertPage);
    const alert = await json(`/api/v1/alerts/${nodeAlertId}`, 'ops');
    const code = String(alert.work_order);
    expect(code).toMatch(/^WO-\d{4}-\d{6}$/);
    view = await html(alertPage, 'ops');
    expect(formOf(view, 'alert-work-order-form')).toBe('');
    expect(view).toContain(`href="/console/work-orders/${code}"`);
    const order = await html(`/console/work-orders/${code}`, 'ops');
    expect(order).toContain(`href="/console/alerts?id=${nodeAlertId}"`);
    expect(order).toContain('P1');
  });

  it('shows a title with markup escaped, in the queue and on the page', async () => {
    const title = `<script>alert(1)</script> ${uid('x')}`;
    const code = await createByForm('ops', { title });
    for (const path of ['/console/work-orders?tab=all', `/console/work-orders/${code}`]) {
      const text = await html(path, 'ops');
      expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(text).not.toContain('<script>alert(1)');
    }
  });

  it('seeds demo orders in every state, shown in the ops queue with their Chinese state names', async () => {
    expect(await seedDemoWorkOrders(getDb().db, rootActor('demo-seed'))).toBe(11);
    const list = await json('/api/v1/work-orders?limit=1000', 'ops');
    const demo = (list.items as Json[]).filter((o) => (o.reporter as Json).name === 'demo-seed');
    expect(new Set(demo.map((o) => o.state))).toEqual(new Set(workOrderStates));
    const queue = await html('/console/work-orders?tab=all', 'ops');
    for (const name of ['待受理', '处理中', '挂起', '已转派', '已解决', '已关闭', '已取消']) expect(queue).toContain(`<td>${name}</td>`);
  });
});
