import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { WorkOrderState } from '../db/schema/enums.ts';
import { workOrderEvents, workOrders } from '../db/schema/index.ts';
import type { PeriodicJob } from '../kernel/periodic.ts';
import { type JobMonitor, loggedJobs, startMonitoredJob } from '../metrics/jobs.ts';
import { loadWorkCalendar } from './service-levels.ts';
import { slaStateAt } from './sla.ts';

/** The states whose clock is running (or paused): the watch looks at these only. */
export const openWorkOrderStates: readonly WorkOrderState[] = ['new', 'accepted', 'transferred', 'suspended'];

/** Orders looked at per tick, soonest due first; the rest wait for the next tick. */
export const slaWatchBatch = 1000;

/** The actor of the watch's timeline entries. */
const watchActor = 'system';

export interface SlaWatchResult {
  checked: number;
  changed: number;
  atRisk: number;
  breached: number;
}

/**
 * Brings the stored SLA state of open orders up to `now`. at_risk_at and breached_at are set
 * by conditional UPDATEs (`… and breached_at is null`), so with several replicas or ticks
 * each is recorded — and written to the timeline — exactly once.
 */
export async function refreshSlaStates(db: Db, now: Date, batch = slaWatchBatch): Promise<SlaWatchResult> {
  const calendar = await loadWorkCalendar(db);
  const orders = await db
    .select()
    .from(workOrders)
    .where(inArray(workOrders.state, [...openWorkOrderStates]))
    .orderBy(asc(workOrders.resolutionDueAt), asc(workOrders.id))
    .limit(batch);
  const result: SlaWatchResult = { checked: orders.length, changed: 0, atRisk: 0, breached: 0 };
  for (const order of orders) {
    const state = slaStateAt(order, now, calendar);
    if (state !== order.slaState) {
      // Only while still open: an order resolved meanwhile keeps what its transition wrote.
      const updated = await db
        .update(workOrders)
        .set({ slaState: state })
        .where(and(eq(workOrders.id, order.id), inArray(workOrders.state, [...openWorkOrderStates])))
        .returning({ id: workOrders.id });
      result.changed += updated.length;
    }
    if (state === 'at_risk' && order.atRiskAt === null && (await markOnce(db, order.id, order.state, 'at_risk', now))) result.atRisk++;
    if (state === 'breached' && order.breachedAt === null && (await markOnce(db, order.id, order.state, 'breached', now)))
      result.breached++;
  }
  return result;
}

/** Sets at_risk_at or breached_at if no one has yet, and adds the timeline entry only when this call did. */
async function markOnce(db: Db, id: number, state: WorkOrderState, mark: 'at_risk' | 'breached', now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const column = mark === 'at_risk' ? workOrders.atRiskAt : workOrders.breachedAt;
    const set = mark === 'at_risk' ? { atRiskAt: now } : { breachedAt: now };
    const won = await tx
      .update(workOrders)
      .set(set)
      .where(and(eq(workOrders.id, id), isNull(column)))
      .returning({ id: workOrders.id });
    if (won.length === 0) return false;
    await tx.insert(workOrderEvents).values({
      workOrderId: id,
      at: now,
      type: mark,
      actor: watchActor,
      fromState: state,
      toState: state,
      note: mark === 'at_risk' ? '已用时限的 80% · 80 % of a deadline has gone' : '已超过时限 · past its deadline',
      details: {},
    });
    return true;
  });
}

export type RunningSlaWatch = PeriodicJob<SlaWatchResult | null, [now?: Date]>;

/** The watch inside the server: a tick every interval; a failed tick (null) is logged and the next one tries again. */
export function startSlaWatch(db: Db, options: { intervalSeconds: number; jobs?: JobMonitor }): RunningSlaWatch {
  const jobs = options.jobs ?? loggedJobs();
  return startMonitoredJob(
    jobs,
    'sla_watch',
    options.intervalSeconds,
    async (now?: Date): Promise<SlaWatchResult | null> => {
      const result = await refreshSlaStates(db, now ?? new Date());
      if (result.breached > 0) {
        jobs.logger.warn({ job: 'sla_watch', breached: result.breached }, 'work orders newly breached their service level');
      }
      return result;
    },
    null,
  );
}
