/**
 * The console's alert pages through app.request with signed-in sessions: the list and its
 * controls by role, a department's own alerts only, the node page and its 403, the ops panel
 * naming a down node, the nav badge against the counts, English, and acknowledge / silence /
 * expire through the script-less /console/submit. Alerts fire through the real ingest API and
 * the engine's real cycle.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { runEvaluationCycle } from '../../src/alerts/engine.ts';
import { openAlertCounts } from '../../src/alerts/service.ts';
import { type App, createApp } from '../../src/app.ts';
import { alerts, silences } from '../../src/db/schema/index.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { type ApiClient, apiClient } from '../helpers/api.ts';
import { callerWith, signIn } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';
import {
  call,
  type Json,
  newAgent,
  newCloud,
  newDepartment,
  newNode,
  sample,
  sendBatch,
  signInCast,
  type TestAgent,
  tenant,
  uid,
} from '../helpers/ingest.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100 };
const engine = { reopenMinutes: 10, retentionDays: 400 };
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const later = (ms: number) => new Date(Date.now() + ms);

interface Session {
  cookie: string;
  csrf: string;
}

describeEachBackend('console alerts', (getDb) => {
  let app: App;
  let api: ApiClient;
  const sessions: Record<string, Session> = {};
  let node: Json;
  let nodeAgent: TestAgent;
  let nodeAlertId: number;
  let ownTenantAlertId: number;
  let otherTenantAlertId: number;

  /** A user as a browser: the session cookie alone (a form carries its CSRF token as a field). */
  const as = (who: string) => api.as({ headers: { Cookie: sessions[who]?.cookie as string } });
  const page = (path: string, who: string) => as(who).get(path);
  const html = async (path: string, who: string) => {
    const res = await page(path, who);
    expect(res.status, `${who} ${path}`).toBe(200);
    return res.text;
  };
  const submit = (who: string, fields: Record<string, string>) =>
    as(who).form('/console/submit', { _csrf: sessions[who]?.csrf as string, ...fields });
  const formOf = (text: string, id: string) => text.match(new RegExp(`<form[^>]*id="${id}"[^>]*>[\\s\\S]*?</form>`))?.[0] ?? '';
  const cycle = (now: Date) => runEvaluationCycle(getDb().db, engine, now);

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    app = createApp({ database: getDb(), config });
    api = apiClient(app);
    await signInCast(app, db);
    const own = await newDepartment(app);
    const other = await newDepartment(app);
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

    // A node every agent has seen down for over 3 minutes: node_down fires on the next cycle.
    node = await newNode(app, { name: `控制台测试节点-${uid('n')}` });
    nodeAgent = await newAgent(getDb(), 'network');
    const down = (at: string) => sample(String(node.code), at, { up: false, latency_ms: null, loss: 1 });
    // The agent declares 10 minutes: the engine runs minutes ahead and it must not fall silent meanwhile.
    expect((await sendBatch(app, nodeAgent, [down(ago(200_000)), down(ago(0))], { interval: 600 })).status).toBe(200);

    // Two tenants near their vCPU quota, one for each department.
    const cloud = await newCloud(app);
    const cloudAgent = await newAgent(getDb(), 'cloud', String(cloud.code));
    const use = { usage: { vcpu: 14.4, memory_gib: 10, storage_gib: 10 } };
    const ownTenant = uid('tenant');
    const otherTenant = uid('tenant');
    await sendBatch(
      app,
      cloudAgent,
      [
        tenant(String(cloud.code), ownTenant, String(own.code), ago(1000), use),
        tenant(String(cloud.code), otherTenant, String(other.code), ago(1000), use),
      ],
      { interval: 600 },
    );
    await cycle(later(0));
    await cycle(later(301_000));
    const list = await call(app, 'GET', '/api/v1/alerts?limit=1000');
    const items = list.body.items as Json[];
    const find = (pred: (a: Json) => boolean) => Number(items.find(pred)?.id);
    nodeAlertId = find((a) => a.rule === 'node_down' && (a.subject as Json).code === node.code);
    ownTenantAlertId = find((a) => (a.subject as Json).code === `${cloud.code}/${ownTenant}`);
    otherTenantAlertId = find((a) => (a.subject as Json).code === `${cloud.code}/${otherTenant}`);
    expect(nodeAlertId).toBeGreaterThan(0);
    expect(ownTenantAlertId).toBeGreaterThan(0);
    expect(otherTenantAlertId).toBeGreaterThan(0);
  }, 120_000);

  it('lists alerts for ops with the node linked, and the detail with acknowledge and "silence this"', async () => {
    const list = await html('/console/alerts', 'ops');
    expect(list).toContain('href="/console/alerts" aria-current="page"');
    const row = list.match(new RegExp(`<tr data-alert="${nodeAlertId}"[\\s\\S]*?</tr>`))?.[0] ?? '';
    expect(row).toContain('节点中断');
    expect(row).toContain('<code>node_down</code>');
    expect(row).toContain(`href="/console/nodes/${node.code}"`);
    expect(row).toContain('严重');
    expect(row).toContain('告警中');
    // Firing first: the service's order.
    const states = [...list.matchAll(/<tr data-alert="\d+" data-state="(\w+)"/g)].map((x) => x[1]);
    expect(states.indexOf('firing')).toBe(0);
    // The filter form is a plain GET form.
    expect(list).toMatch(/<form class="filters" method="get" action="\/console\/alerts"/);
    expect(list).toContain('id="silences-title"');

    const detail = await html(`/console/alerts?id=${nodeAlertId}`, 'ops');
    expect(detail).toContain('id="alert-detail"');
    expect(detail).toMatch(/<tr data-event="fired">/);
    const ack = formOf(detail, 'ack-form');
    expect(ack).toContain(`name="_api" value="/api/v1/alerts/${nodeAlertId}/acknowledge"`);
    expect(ack).toContain('action="/console/submit"');
    expect(ack).toContain(`name="_csrf" value="${sessions.ops?.csrf}"`);
    expect(detail).toContain('id="silence-link"');

    const silence = formOf(await html(`/console/alerts?id=${nodeAlertId}&silence=1`, 'ops'), 'silence-form');
    expect(silence).toContain('name="_api" value="/api/v1/silences"');
    expect(silence).toMatch(/<option value="node_down" selected="">/);
    expect(silence).toContain(`name="matchers.node" value="${node.code}"`);
    expect(silence).toContain('name="matchers.region" value="450102"');
    // Two hours from now, Beijing time with its offset.
    const ends = Date.parse(silence.match(/name="ends_at" value="([^"]+)"/)?.[1] ?? '');
    expect(Math.abs(ends - (Date.now() + 2 * 3600_000))).toBeLessThan(120_000);
  });

  it('shows leaders every alert but no write controls, and departments only their own', async () => {
    const leader = await html(`/console/alerts?id=${nodeAlertId}&silence=1`, 'leader');
    expect(leader).toContain(`data-alert="${nodeAlertId}"`);
    expect(leader).toContain('只读');
    expect(leader).not.toContain('id="ack-form"');
    expect(leader).not.toContain('id="silence-link"');
    expect(leader).not.toContain('id="silence-form"');
    expect(leader).not.toContain('id="silences-title"');

    const clerk = await html('/console/alerts', 'clerk');
    expect(clerk).toContain('href="/console/alerts"');
    expect(clerk).toContain(`data-alert="${ownTenantAlertId}"`);
    expect(clerk).not.toContain(`data-alert="${otherTenantAlertId}"`);
    expect(clerk).not.toContain(`data-alert="${nodeAlertId}"`);
    expect(clerk).not.toContain('id="silences-title"');
    const own = await html(`/console/alerts?id=${ownTenantAlertId}`, 'clerk');
    expect(own).toContain('id="alert-detail"');
    expect(own).not.toContain('id="ack-form"');
    // Another department's alert does not exist for them.
    expect((await page(`/console/alerts?id=${otherTenantAlertId}`, 'clerk')).status).toBe(404);
  });

  it('filters by rule, severity and region with the GET form', async () => {
    const tenants = await html('/console/alerts?rule=tenant_quota&state=firing', 'ops');
    const rules = [...tenants.matchAll(/<code>(\w+)<\/code><\/td>/g)].map((x) => x[1]);
    expect(rules.length).toBeGreaterThan(0);
    expect(new Set(rules)).toEqual(new Set(['tenant_quota']));
    expect(tenants).toMatch(/<option value="tenant_quota" selected="">/);
    const critical = await html('/console/alerts?severity=critical', 'ops');
    expect(critical).toContain(`data-alert="${nodeAlertId}"`);
    expect(critical).not.toContain(`data-alert="${ownTenantAlertId}"`);
    // 450102 is in 南宁市 (450100); the tenants' cloud is too, so pick a city with neither.
    const elsewhere = await html('/console/alerts?scope=450300', 'ops');
    expect(elsewhere).not.toContain(`data-alert="${nodeAlertId}"`);
    expect(await html('/console/alerts?scope=450100', 'ops')).toContain(`data-alert="${nodeAlertId}"`);
  });

  it('shows the node page to ops and leaders, with its agents and alert history; a department user gets the 403 page', async () => {
    const text = await html(`/console/nodes/${node.code}`, 'ops');
    expect(text).toContain(String(node.name));
    expect(text).toContain(`data-agent="${nodeAgent.name}"`);
    expect(text).toContain('id="chart-latency"');
    expect(text).toContain('src="/console/assets/node.js"');
    expect(text).toContain('src="/assets/echarts.min.js"');
    expect(text.match(/<table id="node-alerts">[\s\S]*?<\/table>/)?.[0]).toContain(`data-alert="${nodeAlertId}"`);
    expect((await page(`/console/nodes/${node.code}`, 'leader')).status).toBe(200);
    const refused = await page(`/console/nodes/${node.code}`, 'clerk');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('无权访问');
    expect((await page('/console/nodes/NO-SUCH-NODE', 'ops')).status).toBe(404);
  });

  it('names the down node on the ops panel, linked to its page', async () => {
    const text = await html('/console/ops', 'ops');
    const table = text.match(/<table id="troubled-nodes">[\s\S]*?<\/table>/)?.[0] ?? '';
    const row = table.match(new RegExp(`<tr data-node="${node.code}">[\\s\\S]*?</tr>`))?.[0] ?? '';
    expect(row).toContain(`<a href="/console/nodes/${node.code}">${node.name}</a>`);
    expect(row).toContain('中断');
    expect(row).toContain('100.0%');
  });

  it('puts the count of firing critical alerts in the nav badge, as the counts API says', async () => {
    const text = await html('/console/overview', 'ops');
    const badge = Number(text.match(/id="alert-badge" data-count="(\d+)"/)?.[1]);
    const { body } = await as('ops').get<{ firing_critical: number }>('/api/v1/alerts/counts');
    expect(badge).toBe(body.firing_critical);
    expect(badge).toBeGreaterThanOrEqual(1);
    // Ops read every alert, as the local operator does.
    expect(body.firing_critical).toBe((await openAlertCounts(getDb().db, { root: true })).firing_critical);
    expect(text).toContain('src="/console/assets/badge.js"');
    // A department user's badge counts its own alerts only (none critical here).
    expect((await html('/console/alerts', 'clerk')).match(/id="alert-badge" data-count="(\d+)"/)?.[1]).toBe('0');
  });

  it('speaks English with ?lang=en', async () => {
    const text = await html(`/console/alerts?id=${nodeAlertId}&lang=en`, 'ops');
    expect(text).toContain('<html lang="en">');
    expect(text).toContain('Node down');
    expect(text).toContain('Acknowledge');
    expect(text).toContain('Silence this');
    expect(text).toContain('firing');
  });

  it('acknowledges, silences and expires without scripts, through /console/submit', async () => {
    const next = `/console/alerts?id=${nodeAlertId}`;
    const acked = await submit('ops', { _api: `/api/v1/alerts/${nodeAlertId}/acknowledge`, _next: next, note: '已派人到现场' });
    expect(acked.status, acked.text).toBe(303);
    expect(acked.headers.get('location')).toBe(next);
    const after = await html(next, 'ops');
    expect(after.match(/<tr data-alert="\d+"[^>]*>/g)?.find((r) => r.includes(`"${nodeAlertId}"`))).toContain('data-state="acknowledged"');
    expect(after).toContain('已派人到现场');
    expect(after).not.toContain('id="ack-form"');

    // A leader may not: the API's refusal, as a page; nothing written.
    const refused = await submit('leader', { _api: `/api/v1/alerts/${ownTenantAlertId}/acknowledge`, note: 'x' });
    expect(refused.status).toBe(403);

    const silenced = await submit('ops', {
      _api: '/api/v1/silences',
      _next: next,
      'matchers.rule': 'node_down',
      'matchers.node': String(node.code),
      'matchers.region': '450102',
      'matchers.agent': '',
      ends_at: new Date(Date.now() + 2 * 3600_000).toISOString(),
      reason: '线路割接',
    });
    expect(silenced.status, silenced.text).toBe(303);
    const [row] = await getDb().db.select().from(alerts).where(eq(alerts.id, nodeAlertId));
    expect(row?.silencedBy).toBeGreaterThan(0);
    const [silence] = await getDb()
      .db.select()
      .from(silences)
      .where(eq(silences.id, row?.silencedBy ?? 0));
    expect(silence?.matchers).toEqual({ rule: 'node_down', node: node.code, region: '450102' });
    const listed = await html(next, 'ops');
    expect(listed).toContain(`data-silence="${silence?.id}"`);
    expect(listed).toContain('mark-silenced');

    const expired = await submit('ops', { _api: `/api/v1/silences/${silence?.id}`, _method: 'DELETE', _next: '/console/alerts' });
    expect(expired.status, expired.text).toBe(303);
    const [gone] = await getDb()
      .db.select()
      .from(silences)
      .where(eq(silences.id, silence?.id ?? 0));
    expect(gone?.expiredBy).toBeTruthy();
    expect(await html('/console/alerts', 'ops')).not.toContain(`data-silence="${silence?.id}"`);
  });
});
