/**
 * Work orders on a real database with an injected clock: created by hand and from an alert
 * (driven through the alert lifecycle itself), moved along the state machine, read back
 * through the API by each kind of caller.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { fire, resolve } from '../../src/alerts/lifecycle.ts';
import { type App, createApp } from '../../src/app.ts';
import { type Actor, rootActor } from '../../src/identity/actor.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import type { CreateWorkOrder } from '../../src/work-orders/schemas.ts';
import { createWorkOrder, getWorkOrder, transitionWorkOrder } from '../../src/work-orders/service.ts';
import { type Cast, callerWith } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';
import { call, newDepartment, newNode, problemOf, signInCast, uid } from '../helpers/ingest.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
const ops: Actor = rootActor('test-ops');
const minutes = (n: number) => n * 60_000;
const days = (n: number) => n * 86_400_000;

describeEachBackend('work orders', (getDb) => {
  let app: App;
  let cast: Cast;

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config });
    cast = await signInCast(app, getDb().db);
  });

  const as = (who: keyof Cast['callers']) => cast.callers[who].headers;
  const order = (extra: Record<string, unknown> = {}): CreateWorkOrder => ({
    title: '核心交换机端口故障',
    category: 'fault',
    priority: 'P2',
    description: '端口 1/0/1 down',
    ...extra,
  });

  it('creates an order by hand and reads back the contract fields', async () => {
    const node = await newNode(app);
    const created = await call(
      app,
      'POST',
      '/api/v1/work-orders',
      order({ subject: { kind: 'node', code: node.code }, region: '450100' }),
      as('ops'),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const code = String(created.body.code);
    expect(code).toMatch(/^WO-\d{4}-\d{6}$/);
    const read = await call(app, 'GET', `/api/v1/work-orders/${code}`, undefined, as('leader'));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      code,
      state: 'new',
      category: 'fault',
      priority: 'P2',
      title: '核心交换机端口故障',
      subject: { kind: 'node', code: node.code, name: '测试节点' },
      region: { code: '450100' },
      assignee: { department: null, user: null },
      alert_id: null,
      sla: { state: 'on_track', clock: 'calendar', paused_at: null },
    });
    const sla = read.body.sla as { response_due_at: string; resolution_due_at: string };
    const createdAt = Date.parse(String(read.body.created_at));
    // P2 around the clock: 30 minutes to accept, 8 hours to resolve.
    expect(Date.parse(sla.response_due_at) - createdAt).toBe(minutes(30));
    expect(Date.parse(sla.resolution_due_at) - createdAt).toBe(minutes(480));
    expect((read.body.timeline as { type: string }[]).map((e) => e.type)).toEqual(['created']);
    const audit = await queryRows<{ action: string }>(getDb(), sql`select action from audit_log where entity_code = ${code}`);
    expect(audit.map((a) => a.action)).toEqual(['work_order.create']);
  });

  it('numbers per year in Asia/Shanghai', async () => {
    // 2031-12-31T16:30Z is already 2032 in Shanghai.
    const a = await createWorkOrder(getDb().db, ops, order(), new Date('2031-12-31T15:00:00Z'));
    const b = await createWorkOrder(getDb().db, ops, order(), new Date('2031-12-31T16:30:00Z'));
    const c = await createWorkOrder(getDb().db, ops, order(), new Date('2032-03-01T00:00:00Z'));
    expect([a.code, b.code, c.code]).toEqual(['WO-2031-000001', 'WO-2032-000001', 'WO-2032-000002']);
  });

  it('names the fields of bad input', async () => {
    const bad = await call(app, 'POST', '/api/v1/work-orders', order({ title: '', priority: 'P9' }), as('ops'));
    expect(bad.status).toBe(422);
    expect((problemOf(bad).errors ?? []).map((e) => e.field).sort()).toEqual(['priority', 'title']);
    const unknown = await call(app, 'POST', '/api/v1/work-orders', order({ subject: { kind: 'system', code: 'NO-SUCH' } }), as('ops'));
    expect(unknown.status).toBe(422);
    expect((problemOf(unknown).errors ?? []).map((e) => e.field)).toEqual(['subject.code']);
    const notOps = await call(app, 'POST', '/api/v1/work-orders', order({ assignee: { user: cast.callers.leader.name } }), as('ops'));
    expect(notOps.status).toBe(422);
    expect((problemOf(notOps).errors ?? []).map((e) => e.field)).toEqual(['assignee.user']);
    const empty = await call(app, 'POST', '/api/v1/work-orders/WO-2031-000001/comments', { body: '' }, as('ops'));
    expect(empty.status).toBe(422);
    expect((problemOf(empty).errors ?? []).map((e) => e.field)).toEqual(['body']);
  });

  it('opens an order from an alert, linked both ways, with the alert events in its timeline', async () => {
    const { db } = getDb();
    const node = await newNode(app);
    const t0 = new Date('2026-05-06T02:00:00Z');
    const input = {
      fingerprint: `node_down:${node.code}`,
      rule: 'node_down' as const,
      severity: 'critical' as const,
      subject: { kind: 'node' as const, code: String(node.code), name: '测试节点' },
      regionCode: '450102',
      departmentId: null,
      cloudCode: null,
      agentName: null,
      summary: `节点 ${node.code} 不可达`,
      details: {},
      startedAt: t0,
    };
    const { fired } = await fire(db, [input], t0, { reopenMs: minutes(10), actor: 'system' });
    const alertId = fired[0]?.id as number;
    const made = await call(app, 'POST', `/api/v1/alerts/${alertId}/work-order`, {}, as('ops'));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({
      category: 'fault',
      priority: 'P1',
      subject: { kind: 'node', code: node.code },
      region: { code: '450102' },
      alert_id: alertId,
    });
    const code = String(made.body.code);
    const alert = await call(app, 'GET', `/api/v1/alerts/${alertId}`, undefined, as('ops'));
    expect(alert.body.work_order).toBe(code);
    const listed = await call(app, 'GET', `/api/v1/alerts?node=${node.code}`, undefined, as('ops'));
    expect((listed.body.items as { work_order: string }[])[0]?.work_order).toBe(code);
    const again = await call(app, 'POST', `/api/v1/alerts/${alertId}/work-order`, {}, as('ops'));
    expect(again.status).toBe(409);
    expect(problemOf(again).detail).toContain(code);

    // The alert resolves and reopens on its own; the order records it and stays as it is.
    const [open] = await queryRows<Parameters<typeof resolve>[1][number] & Record<string, unknown>>(
      getDb(),
      sql`select id, fingerprint, rule, severity, state, summary, region_code, silenced_by, inhibited_by from alerts where id = ${alertId}`,
    );
    await resolve(db, [open as never], new Date(Date.now() + minutes(1)), 'system');
    await fire(db, [input], new Date(Date.now() + minutes(2)), { reopenMs: minutes(10), actor: 'system' });
    const detail = await getWorkOrder(db, ops.access, code, new Date(Date.now() + minutes(3)));
    expect(detail.state).toBe('new');
    const alertEvents = detail.timeline.filter((e) => e.source === 'alert').map((e) => e.type);
    expect(alertEvents).toEqual(['fired', 'resolved', 'reopened']);
    const times = detail.timeline.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((x, y) => x - y));

    // Resolving the order does not resolve the alert.
    const now = new Date(Date.now() + minutes(4));
    await transitionWorkOrder(db, ops, code, { to: 'accepted', note: '' }, now);
    await transitionWorkOrder(db, ops, code, { to: 'resolved', note: '已恢复' }, now);
    const after = await call(app, 'GET', `/api/v1/alerts/${alertId}`, undefined, as('ops'));
    expect(after.body.state).toBe('firing');
  });

  it('maps every alert severity to a priority', async () => {
    const { priorityOfSeverity } = await import('../../src/work-orders/service.ts');
    expect(priorityOfSeverity).toEqual({ critical: 'P1', warning: 'P3', info: 'P4' });
  });

  it('walks every legal move and refuses illegal ones with 409', async () => {
    const { db } = getDb();
    const t = new Date('2026-06-01T01:00:00Z');
    const at = (m: number) => new Date(t.getTime() + minutes(m));
    const dept = await newDepartment(app);
    const a = await createWorkOrder(db, ops, order(), t);
    const move = (to: string, m: number, extra: Record<string, unknown> = {}) =>
      transitionWorkOrder(db, ops, a.code, { to: to as never, note: `→ ${to}`, ...extra }, at(m));
    await expect(move('resolved', 1)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/from new to resolved/) });
    await expect(move('transferred', 1)).rejects.toMatchObject({ code: 'validation_failed' });
    expect((await move('transferred', 1, { assignee: { department: dept.code } })).state).toBe('transferred');
    expect((await move('accepted', 2)).accepted_at).toBe(at(2).toISOString());
    await expect(move('suspended', 3, { note: '' })).rejects.toMatchObject({ code: 'validation_failed' });
    expect((await move('suspended', 3)).sla.state).toBe('paused');
    expect((await move('accepted', 4)).accepted_at).toBe(at(2).toISOString());
    expect((await move('resolved', 5)).resolved_at).toBe(at(5).toISOString());
    expect((await move('accepted', 6)).state).toBe('accepted');
    await move('resolved', 7);
    const closed = await move('closed', 8);
    expect(closed.closed_at).toBe(at(8).toISOString());
    expect(closed.sla.state).toBe('met');
    await expect(move('accepted', 9)).rejects.toMatchObject({ code: 'conflict' });
    await expect(move('cancelled', 9)).rejects.toMatchObject({ code: 'conflict' });
    expect(closed.timeline.map((e) => e.type)).toEqual([
      'created',
      'transferred',
      'accepted',
      'suspended',
      'resumed',
      'resolved',
      'reopened',
      'resolved',
      'closed',
    ]);
    const b = await createWorkOrder(db, ops, order(), t);
    const cancelled = await transitionWorkOrder(db, ops, b.code, { to: 'cancelled', note: '重复' }, at(1));
    expect(cancelled.state).toBe('cancelled');
    const audit = await queryRows<{ action: string }>(getDb(), sql`select action from audit_log where entity_code = ${a.code} order by id`);
    expect(audit.map((r) => r.action)).toEqual([
      'work_order.create',
      'work_order.transferred',
      'work_order.accepted',
      'work_order.suspended',
      'work_order.resumed',
      'work_order.resolved',
      'work_order.reopened',
      'work_order.resolved',
      'work_order.closed',
    ]);
    const http = await call(app, 'POST', `/api/v1/work-orders/${a.code}/transitions`, { to: 'accepted' }, as('ops'));
    expect(http.status).toBe(409);
    expect(problemOf(http).detail).toMatch(/closed to accepted/);
  });

  it('lets exactly one of two concurrent accepts win', async () => {
    const created = await call(app, 'POST', '/api/v1/work-orders', order(), as('ops'));
    const code = String(created.body.code);
    const second = await callerWith(getDb().db, ['ops']);
    const [x, y] = await Promise.all([
      call(app, 'POST', `/api/v1/work-orders/${code}/transitions`, { to: 'accepted' }, as('ops')),
      call(app, 'POST', `/api/v1/work-orders/${code}/transitions`, { to: 'accepted' }, second.headers),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
  });

  it('lets exactly one of two concurrent orders from one alert be created; the other is a 409', async () => {
    const { db } = getDb();
    const node = await newNode(app);
    const t0 = new Date('2026-05-07T02:00:00Z');
    const { fired } = await fire(
      db,
      [
        {
          fingerprint: `node_down:${node.code}`,
          rule: 'node_down' as const,
          severity: 'warning' as const,
          subject: { kind: 'node' as const, code: String(node.code), name: '测试节点' },
          regionCode: '450102',
          departmentId: null,
          cloudCode: null,
          agentName: null,
          summary: `节点 ${node.code} 不可达`,
          details: {},
          startedAt: t0,
        },
      ],
      t0,
      { reopenMs: minutes(10), actor: 'system' },
    );
    const alertId = fired[0]?.id as number;
    const second = await callerWith(db, ['ops']);
    const [x, y] = await Promise.all([
      call(app, 'POST', `/api/v1/alerts/${alertId}/work-order`, {}, as('ops')),
      call(app, 'POST', `/api/v1/alerts/${alertId}/work-order`, {}, second.headers),
    ]);
    expect([x.status, y.status].sort()).toEqual([201, 409]);
  });

  it('stops the clock while suspended', async () => {
    const { db } = getDb();
    const t = new Date('2026-06-02T01:00:00Z');
    const a = await createWorkOrder(db, ops, order({ priority: 'P1' }), t);
    expect(a.sla.clock).toBe('calendar');
    const due = Date.parse(a.sla.resolution_due_at);
    await transitionWorkOrder(db, ops, a.code, { to: 'accepted', note: '' }, new Date(t.getTime() + minutes(5)));
    await transitionWorkOrder(db, ops, a.code, { to: 'suspended', note: '等待厂商备件' }, new Date(t.getTime() + minutes(10)));
    const resumed = await transitionWorkOrder(db, ops, a.code, { to: 'accepted', note: '' }, new Date(t.getTime() + minutes(70)));
    expect(Date.parse(resumed.sla.resolution_due_at) - due).toBe(minutes(60));
    expect(resumed.sla.paused_at).toBeNull();
  });

  it('allows reopening within 7 days of the resolution only', async () => {
    const { db } = getDb();
    const t = new Date('2026-06-03T01:00:00Z');
    const resolved = async () => {
      const a = await createWorkOrder(db, ops, order(), t);
      await transitionWorkOrder(db, ops, a.code, { to: 'accepted', note: '' }, t);
      await transitionWorkOrder(db, ops, a.code, { to: 'resolved', note: '' }, t);
      return a.code;
    };
    const early = await resolved();
    expect((await transitionWorkOrder(db, ops, early, { to: 'accepted', note: '仍有问题' }, new Date(t.getTime() + days(6)))).state).toBe(
      'accepted',
    );
    const late = await resolved();
    await expect(transitionWorkOrder(db, ops, late, { to: 'accepted', note: '' }, new Date(t.getTime() + days(8)))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/within 7 days/),
    });
  });

  it('shows a department user its own department’s orders only; leaders read but do not write', async () => {
    const other = await call(
      app,
      'POST',
      '/api/v1/departments',
      { code: uid('OTHER'), name: '另一部门', region_code: '450200', kind: 'government' },
      as('sysadmin'),
    );
    expect(other.status).toBe(201);
    const stranger = await callerWith(getDb().db, ['department'], { department: String(other.body.code) });
    const mine = await call(app, 'POST', '/api/v1/work-orders', order({ assignee: { department: cast.home } }), as('ops'));
    const reported = await call(app, 'POST', '/api/v1/work-orders', order({ assignee: { department: cast.home } }), as('department'));
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    expect(reported.body.reporter).toEqual({ name: cast.callers.department.name, department: cast.home });
    const picked = await call(app, 'POST', '/api/v1/work-orders', order({ assignee: { user: cast.callers.ops.name } }), as('department'));
    expect(picked.status).toBe(422);
    const opsOnly = await call(app, 'POST', '/api/v1/work-orders', order(), as('ops'));

    expect((await call(app, 'GET', `/api/v1/work-orders/${mine.body.code}`, undefined, as('department'))).status).toBe(200);
    expect((await call(app, 'GET', `/api/v1/work-orders/${opsOnly.body.code}`, undefined, as('department'))).status).toBe(404);
    expect((await call(app, 'GET', `/api/v1/work-orders/${mine.body.code}`, undefined, stranger.headers)).status).toBe(404);
    const strangerMove = await call(app, 'POST', `/api/v1/work-orders/${mine.body.code}/transitions`, { to: 'accepted' }, stranger.headers);
    expect(strangerMove.status).toBe(404);
    const listed = await call(app, 'GET', '/api/v1/work-orders?limit=1000', undefined, as('department'));
    const codes = (listed.body.items as { code: string }[]).map((i) => i.code);
    expect(codes).toEqual(expect.arrayContaining([mine.body.code, reported.body.code]));
    expect(codes).not.toContain(opsOnly.body.code);
    expect(listed.body.total).toBe(codes.length);
    // The department may not accept what sits in the ops queue, but works its own.
    expect(
      (await call(app, 'POST', `/api/v1/work-orders/${opsOnly.body.code}/transitions`, { to: 'accepted' }, as('department'))).status,
    ).toBe(404);
    expect(
      (await call(app, 'POST', `/api/v1/work-orders/${mine.body.code}/transitions`, { to: 'accepted' }, as('department'))).status,
    ).toBe(200);

    const leaderRead = await call(app, 'GET', `/api/v1/work-orders/${opsOnly.body.code}`, undefined, as('leader'));
    expect(leaderRead.status).toBe(200);
    const leaderWrite = await call(app, 'POST', `/api/v1/work-orders/${opsOnly.body.code}/comments`, { body: '看看' }, as('leader'));
    expect(leaderWrite.status).toBe(403);

    const byState = await call(app, 'GET', '/api/v1/work-orders?state=accepted&assignee=me&limit=1000', undefined, as('department'));
    expect((byState.body.items as { code: string }[]).map((i) => i.code)).toContain(mine.body.code);
    const badFilter = await call(app, 'GET', '/api/v1/work-orders?assignee=nobody-at-all', undefined, as('ops'));
    expect((problemOf(badFilter).errors ?? []).map((e) => e.field)).toEqual(['assignee']);
  });

  it('edits with a version and recomputes deadlines for a new priority', async () => {
    const created = await call(app, 'POST', '/api/v1/work-orders', order(), as('ops'));
    const code = String(created.body.code);
    const stale = await call(app, 'PATCH', `/api/v1/work-orders/${code}`, { title: '新标题', version: 99 }, as('ops'));
    expect(stale.status).toBe(409);
    const edited = await call(app, 'PATCH', `/api/v1/work-orders/${code}`, { priority: 'P1', version: 1 }, as('ops'));
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const sla = edited.body.sla as { response_due_at: string };
    expect(Date.parse(sla.response_due_at) - Date.parse(String(edited.body.created_at))).toBe(minutes(15));
    expect(edited.body.version).toBe(2);
    const commented = await call(app, 'POST', `/api/v1/work-orders/${code}/comments`, { body: '已联系厂商' }, as('ops'));
    expect(commented.status).toBe(201);
    expect((commented.body.timeline as { type: string }[]).map((e) => e.type)).toEqual(['created', 'updated', 'commented']);
  });
});
