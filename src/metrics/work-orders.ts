import { sql } from 'drizzle-orm';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { type WorkOrderPriority, type WorkOrderState, workOrderPriorities, workOrderStates } from '../db/schema/enums.ts';
import type { JobMonitor } from './jobs.ts';
import { refreshedEvery } from './ttl.ts';

export interface WorkOrdersSnapshot {
  /** Orders per state and priority; combinations without orders are left out. */
  orders: { state: WorkOrderState; priority: WorkOrderPriority; count: number }[];
  /** Orders ever breached (breached_at set) per priority; orders are never deleted, so it only grows. */
  breaches: { priority: WorkOrderPriority; count: number }[];
}

/** The work-order gauges, read at most once per `ttlMs` behind the scrapes (src/metrics/ttl.ts), like the alerting ones. */
export function workOrdersSource(db: Db, options: { ttlMs: number; jobs?: JobMonitor; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  const compute = async (): Promise<WorkOrdersSnapshot> => ({
    orders: await queryRows<WorkOrdersSnapshot['orders'][number]>(
      db,
      sql`select state, priority, count(*)::int as count from work_orders group by state, priority`,
    ),
    breaches: await queryRows<WorkOrdersSnapshot['breaches'][number]>(
      db,
      sql`select priority, count(*)::int as count from work_orders where breached_at is not null group by priority`,
    ),
  });
  return { snapshot: refreshedEvery(options.ttlMs, compute, { now: () => now().getTime(), jobs: options.jobs }) };
}

/** yunwang_work_orders{state,priority} and yunwang_work_order_sla_breaches_total{priority}, every series from the start. */
export function registerWorkOrderMetrics(registry: Registry, snapshot?: () => Promise<WorkOrdersSnapshot>): void {
  const empty: WorkOrdersSnapshot = { orders: [], breaches: [] };
  new Gauge({
    name: 'yunwang_work_orders',
    help: 'Work orders by state and priority; every combination exported, zeros included.',
    labelNames: ['state', 'priority'] as const,
    registers: [registry],
    async collect() {
      const s = snapshot ? await snapshot() : empty;
      const counts = new Map(s.orders.map((o) => [`${o.state}|${o.priority}`, o.count]));
      this.reset();
      for (const state of workOrderStates)
        for (const priority of workOrderPriorities) this.set({ state, priority }, counts.get(`${state}|${priority}`) ?? 0);
    },
  });
  new Counter({
    name: 'yunwang_work_order_sla_breaches_total',
    help: 'Work orders that breached their service level (response or resolution deadline), by priority.',
    labelNames: ['priority'] as const,
    registers: [registry],
    // A count of rows that are never deleted: monotonic, and the same on every replica.
    async collect() {
      const s = snapshot ? await snapshot() : empty;
      const counts = new Map(s.breaches.map((b) => [b.priority, b.count]));
      this.reset();
      for (const priority of workOrderPriorities) this.inc({ priority }, counts.get(priority) ?? 0);
    },
  });
}
