import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import {
  type AlertRuleKey,
  type AlertSeverity,
  alertRuleKeys,
  alertSeverities,
  type ChannelKind,
  channelKinds,
} from '../db/schema/enums.ts';
import type { JobMonitor } from './jobs.ts';
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
export function alertingSource(db: Db, options: { ttlMs: number; jobs?: JobMonitor; now?: () => Date }) {
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
  return { snapshot: refreshedEvery(options.ttlMs, compute, { now: () => now().getTime(), jobs: options.jobs }) };
}

/** What happened to one notification delivery attempt; `dead` = given up after the last attempt. */
export const notificationOutcomes = ['sent', 'failed', 'dead'] as const;
export type NotificationOutcome = (typeof notificationOutcomes)[number];

/** Called by the alert engine and the notification deliverer. */
export interface AlertingMetrics {
  notification(kind: ChannelKind, outcome: NotificationOutcome): void;
  /** One evaluation of every rule, in seconds. */
  evaluation(seconds: number): void;
}

/** yunwang_alerts, the notification queue and deliveries, and the evaluation time, every series from the start. */
export function registerAlertingMetrics(registry: Registry, snapshot?: () => Promise<AlertingSnapshot>): AlertingMetrics {
  const rules: ReadonlySet<string> = new Set(alertRuleKeys);
  const severities: ReadonlySet<string> = new Set(alertSeverities);
  new Gauge({
    name: 'yunwang_alerts',
    help: 'Open alerts by rule, severity and state (firing or acknowledged); every combination exported, zeros included.',
    labelNames: ['rule', 'severity', 'state'] as const,
    registers: [registry],
    async collect() {
      const s = snapshot ? await snapshot() : { alerts: [] };
      const counts = new Map(s.alerts.map((a) => [`${a.rule}|${a.severity}|${a.state}`, a.count]));
      this.reset();
      // Every series from the start: "critical alerts firing" reads 0, not no data.
      for (const rule of rules)
        for (const severity of severities)
          for (const state of openAlertStates) this.set({ rule, severity, state }, counts.get(`${rule}|${severity}|${state}`) ?? 0);
    },
  });
  new Gauge({
    name: 'yunwang_notification_queue_depth',
    help: 'Notifications waiting for delivery: queued, or failed and waiting for a retry.',
    registers: [registry],
    async collect() {
      this.set(snapshot ? (await snapshot()).queueDepth : 0);
    },
  });
  const notifications = new Counter({
    name: 'yunwang_notifications_total',
    help: 'Notification delivery attempts by channel kind and outcome (sent, failed and to be retried, dead).',
    labelNames: ['channel_kind', 'outcome'] as const,
    registers: [registry],
  });
  for (const channel_kind of channelKinds) for (const outcome of notificationOutcomes) notifications.inc({ channel_kind, outcome }, 0);
  const evaluations = new Histogram({
    name: 'yunwang_alert_evaluation_duration_seconds',
    help: 'Time one evaluation of every alert rule took.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const kinds: ReadonlySet<string> = new Set(channelKinds);
  const outcomes: ReadonlySet<string> = new Set(notificationOutcomes);
  return {
    notification: (kind, outcome) => {
      if (kinds.has(kind) && outcomes.has(outcome)) notifications.inc({ channel_kind: kind, outcome });
    },
    evaluation: (seconds) => {
      if (Number.isFinite(seconds) && seconds >= 0) evaluations.observe(seconds);
    },
  };
}
