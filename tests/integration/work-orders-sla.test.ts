/**
 * The SLA watch and the work_order_sla alert on a real database with an injected clock:
 * at risk at 80 %, paused while suspended, breached after the working deadline across the
 * 2026 National Day holiday, and one alert and one notification per breach however many
 * watch ticks and engine cycles run.
 */
import { eq, sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { runEvaluationCycle } from '../../src/alerts/engine.ts';
import { createApp } from '../../src/app.ts';
import { alerts, workOrderEvents, workOrders } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { outboxNotifier } from '../../src/notify/outbox.ts';
import { ChannelInput } from '../../src/notify/schemas.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { refreshSlaStates } from '../../src/work-orders/sla-watch.ts';
import { createCast } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';
import { insertWorkOrder } from '../helpers/work-orders.ts';

const minute = 60_000;
const hour = 60 * minute;
const at = (iso: string) => new Date(iso);
const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };

describeEachBackend('work order SLA watch', (getDb) => {
  const home = `WOSLA${process.pid}`;
  const channel = `wo-sla-${process.pid}`;

  beforeAll(async () => {
    const db = getDb().db;
    await loadDivisions(db);
    await createCast(createApp({ database: getDb(), config }), db, { code: home, name: '工单测试局', region_code: '450100' });
    await createChannel(
      db,
      ChannelInput.parse({
        name: channel,
        kind: 'webhook',
        url: 'http://127.0.0.1:9/hook',
        rules: ['work_order_sla'],
        min_severity: 'info',
      }),
      rootActor('test'),
    );
  });

  const orderRow = async (id: number) => {
    const [row] = await getDb().db.select().from(workOrders).where(eq(workOrders.id, id));
    if (!row) throw new Error('order gone');
    return row;
  };
  const eventsOf = async (id: number) =>
    (await getDb().db.select().from(workOrderEvents).where(eq(workOrderEvents.workOrderId, id))).map((e) => e.type);
  const alertsOf = (code: string) => getDb().db.select().from(alerts).where(eq(alerts.subjectCode, code));
  const cycle = (now: Date) => runEvaluationCycle(getDb().db, { reopenMinutes: 10, retentionDays: 400, notifier: outboxNotifier }, now);
  const notified = async (alertId: number) =>
    queryRows<{ n: number }>(
      getDb(),
      sql`select count(*)::int as n from notifications o join notification_channels c on c.id = o.channel_id
          where c.name = ${channel} and ${alertId} = any(o.alert_ids) and o.reason = 'firing'`,
    );

  it('is at risk at 80 % of the deadline (no alert), then breached: exactly one alert and one notification', async () => {
    const db = getDb().db;
    // P2: 30 min to accept, 8 h to resolve, around the clock. Accepted in time.
    const opened = at('2026-11-02T01:00:00Z');
    const order = await insertWorkOrder(db, {
      createdAt: opened,
      priority: 'P2',
      state: 'accepted',
      acceptedAt: new Date(opened.getTime() + 10 * minute),
      assignee: home,
    });
    await refreshSlaStates(db, new Date(opened.getTime() + 6 * hour));
    expect((await orderRow(order.id)).slaState).toBe('on_track');

    // 6.5 h of 8 h gone: past 80 % (6.4 h).
    const risky = new Date(opened.getTime() + 6.5 * hour);
    expect((await refreshSlaStates(db, risky)).atRisk).toBe(1);
    await refreshSlaStates(db, new Date(risky.getTime() + minute));
    const atRisk = await orderRow(order.id);
    expect(atRisk.slaState).toBe('at_risk');
    expect(atRisk.atRiskAt).toEqual(risky);
    await cycle(risky);
    expect(await alertsOf(order.code)).toEqual([]);

    // Past the deadline: several ticks and cycles, one breach, one alert, one notification.
    const late = new Date(opened.getTime() + 8 * hour + minute);
    for (let i = 0; i < 3; i++) {
      const tick = new Date(late.getTime() + i * minute);
      await Promise.all([refreshSlaStates(db, tick), refreshSlaStates(db, tick)]);
      await cycle(tick);
    }
    const breached = await orderRow(order.id);
    expect(breached.slaState).toBe('breached');
    expect(breached.breachedAt).toEqual(late);
    expect((await eventsOf(order.id)).sort()).toEqual(['at_risk', 'breached']);
    const raised = await alertsOf(order.code);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ rule: 'work_order_sla', state: 'firing', subjectKind: 'work_order', regionCode: '450100' });
    expect(raised[0]?.departmentId).toBe(breached.assigneeDepartmentId);
    expect(await notified(raised[0]?.id ?? 0)).toEqual([{ n: 1 }]);

    // Resolving the order resolves the alert at the next cycle.
    const done = new Date(late.getTime() + 10 * minute);
    await db.update(workOrders).set({ state: 'resolved', resolvedAt: done }).where(eq(workOrders.id, order.id));
    await cycle(done);
    const [after] = await alertsOf(order.code);
    expect(after?.state).toBe('resolved');
    expect(await notified(after?.id ?? 0)).toEqual([{ n: 1 }]);
    expect((await refreshSlaStates(db, done)).breached).toBe(0);
  });

  it('is paused while suspended: the clock stops', async () => {
    const db = getDb().db;
    const opened = at('2026-11-03T01:00:00Z');
    const order = await insertWorkOrder(db, {
      createdAt: opened,
      priority: 'P2',
      state: 'suspended',
      acceptedAt: new Date(opened.getTime() + 5 * minute),
      pausedAt: new Date(opened.getTime() + hour),
    });
    await refreshSlaStates(db, new Date(opened.getTime() + 20 * hour));
    const row = await orderRow(order.id);
    expect(row.slaState).toBe('paused');
    expect(row.breachedAt).toBeNull();
    expect(await eventsOf(order.id)).toEqual([]);
  });

  it('P3 opened the afternoon before the 2026 National Day holiday breaches only after the working deadline', async () => {
    const db = getDb().db;
    // Holidays 1–7 October 2026 and the make-up working day Saturday 10 October, from
    // 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), as drizzle/0007 seeds them.
    // Opened Wednesday 30 September 15:00 (+08): 2.5 working hours that day, 7 h on 8 and 9
    // October, and the 21 h are reached at 15:00 on the make-up Saturday 10 October.
    const opened = at('2026-09-30T07:00:00Z');
    const order = await insertWorkOrder(db, { createdAt: opened, priority: 'P3', assignee: home });
    const row = await orderRow(order.id);
    expect(row.responseDueAt).toEqual(at('2026-10-08T02:30:00Z'));
    expect(row.resolutionDueAt).toEqual(at('2026-10-10T07:00:00Z'));

    // Five calendar days later, in the holiday: nothing has run.
    await refreshSlaStates(db, at('2026-10-05T04:00:00Z'));
    expect((await orderRow(order.id)).slaState).toBe('on_track');
    await db
      .update(workOrders)
      .set({ state: 'accepted', acceptedAt: at('2026-10-08T02:00:00Z') })
      .where(eq(workOrders.id, order.id));
    await refreshSlaStates(db, at('2026-10-10T06:59:00Z'));
    expect((await orderRow(order.id)).slaState).toBe('at_risk');
    await refreshSlaStates(db, at('2026-10-10T07:01:00Z'));
    const late = await orderRow(order.id);
    expect(late.slaState).toBe('breached');
    expect(late.breachedAt).toEqual(at('2026-10-10T07:01:00Z'));
  });
});
