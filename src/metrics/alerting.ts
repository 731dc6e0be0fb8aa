import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { AlertRuleKey, AlertSeverity } from '../db/schema/enums.ts';
import { refreshedEvery } from './ttl.ts';

/** The alert states /metrics counts: the open ones (resolved alerts only grow). */
export const openAlertStates = ['firing', 'acknowledged'] as const;
export type OpenAlertState = (typeof openAlertStates)[number];

export interface AlertingSnapshot {
  /** Open alerts per rule, severity and state; combinations without alerts are left out. */
  alerts: { rule: AlertRuleKey; severity: AlertSeverity; state: OpenAlertState; count: number }[];
  /** Notifications waiting for delivery: queued, or failed and due for a retry. */
  queueDepth: number;
}

/**
 * The alerting gauges, read from the database at most once per `ttlMs` and behind the
 * scrapes (src/metrics/ttl.ts), like the business gauges: two grouped counts over indexed
 * columns, so every replica exports the same values without a query per scrape.
 */
export function alertingSource(db: Db, options: { ttlMs: number; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  const compute = async (): Promise<AlertingSnapshot> => {
    const alerts = await queryRows<AlertingSnapshot['alerts'][number]>(
      db,
      sql`select rule, severity, state, count(*)::int as count from alerts
          where state in ('firing', 'acknowledged') group by rule, severity, state`,
    );
    const [queue] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from notifications where state in ('queued', 'failed')`,
    );
    return { alerts, queueDepth: queue?.n ?? 0 };
  };
  return { snapshot: refreshedEvery(options.ttlMs, compute, () => now().getTime()) };
}
