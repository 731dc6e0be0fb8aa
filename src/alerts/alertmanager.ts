import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { AlertSeverity } from '../db/schema/enums.ts';
import { engineActor, evaluationLock, notify } from './engine.ts';
import { type AlertNotifier, type FiringInput, fire, openAlerts, reconcileMuting, resolve } from './lifecycle.ts';
import { loadRuleBook } from './rules.ts';

const labelMap = z.record(z.string().max(200), z.string().max(2000));

/** Alertmanager's webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const AlertmanagerPayload = z
  .object({
    version: z.literal('4'),
    groupKey: z.string().max(4000).optional(),
    truncatedAlerts: z.number().int().optional(),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string().max(200),
    groupLabels: labelMap.optional(),
    commonLabels: labelMap.optional(),
    commonAnnotations: labelMap.optional(),
    externalURL: z.string().max(2000).optional(),
    alerts: z
      .array(
        z.object({
          status: z.enum(['firing', 'resolved']),
          labels: labelMap.refine((l) => Object.keys(l).length <= 64, 'at most 64 labels'),
          annotations: labelMap.optional(),
          startsAt: z.string().max(64),
          endsAt: z.string().max(64).optional(),
          generatorURL: z.string().max(2000).optional(),
          fingerprint: z.string().max(64).optional(),
        }),
      )
      .max(1000),
  })
  .openapi('AlertmanagerPayload');
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

const severityOf = (label: string | undefined, fallback: AlertSeverity): AlertSeverity =>
  label === 'critical' || label === 'warning' || label === 'info' ? label : label === 'page' ? 'critical' : fallback;

/** Alertmanager's fingerprint, or the same idea computed from the sorted labels when it sent none. */
function fingerprintOf(alert: AlertmanagerPayload['alerts'][number]): string {
  if (alert.fingerprint && /^[0-9a-f]{1,64}$/i.test(alert.fingerprint)) return alert.fingerprint;
  const sorted = Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

const validDate = (text: string, fallback: Date) => {
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) || parsed.getUTCFullYear() < 2000 ? fallback : parsed;
};

export interface ReceiveResult {
  firing: number;
  resolved: number;
  ignored: number;
}

/**
 * Joins Prometheus alerts into yunwang's one list: a firing alert fires (or updates, or
 * reopens) the alert of its fingerprint; a resolved one resolves it. Serialised with the
 * engine by the same advisory lock, and muted and notified the same way.
 */
export async function receiveAlertmanager(
  database: Db,
  payload: AlertmanagerPayload,
  source: { agent: string; reopenMinutes: number; notifier?: AlertNotifier },
  now = new Date(),
): Promise<ReceiveResult> {
  return database.transaction(async (db) => {
    await db.execute(sql`select pg_advisory_xact_lock(${evaluationLock})`);
    const book = await loadRuleBook(db);
    if (!book.prometheus.enabled) return { firing: 0, resolved: 0, ignored: payload.alerts.length };
    const regionCodes = new Set(
      (
        await queryRows<{ code: string }>(
          db,
          sql`select code from regions where code = any(${sql.param(payload.alerts.map((a) => a.labels.region ?? '').filter(Boolean))}::text[])`,
        )
      ).map((r) => r.code),
    );
    const actor = `alertmanager:${source.agent}`;
    const firing: FiringInput[] = [];
    const resolvedPrints: string[] = [];
    for (const alert of payload.alerts) {
      const fingerprint = `prometheus:${fingerprintOf(alert)}`;
      if (alert.status === 'resolved') {
        resolvedPrints.push(fingerprint);
        continue;
      }
      const name = alert.labels.alertname ?? 'prometheus';
      const annotations = alert.annotations ?? {};
      const region = alert.labels.region;
      firing.push({
        fingerprint,
        rule: 'prometheus',
        severity: severityOf(alert.labels.severity, book.prometheus.severity),
        subject: { kind: 'prometheus', code: name.slice(0, 200), name: (annotations.summary ?? name).slice(0, 200) },
        regionCode: region && regionCodes.has(region) ? region : null,
        departmentId: null,
        cloudCode: null,
        agentName: null,
        summary: (annotations.summary ?? annotations.description ?? name).slice(0, 1000),
        details: { labels: alert.labels, annotations, generator_url: alert.generatorURL ?? null, receiver: payload.receiver },
        startedAt: validDate(alert.startsAt, now),
      });
    }
    const open = await openAlerts(db, resolvedPrints);
    const resolved = await resolve(db, [...open.values()], now, actor);
    const { fired, escalated } = await fire(db, firing, now, { reopenMs: source.reopenMinutes * 60_000, actor });
    const muting = await reconcileMuting(db, now, engineActor);
    const raised = [...fired, ...escalated.filter((e) => e.severity === 'critical')];
    await notify(db, source.notifier, { fired: raised, resolved, unmuted: muting.unmuted }, now);
    return { firing: firing.length, resolved: resolved.length, ignored: 0 };
  });
}
