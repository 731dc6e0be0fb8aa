import { z } from '@hono/zod-openapi';
import { alertEventTypes, alertRuleKeys, alertSeverities, alertStates, alertSubjectKinds } from '../db/schema/enums.ts';

export const AlertSubject = z.object({
  kind: z.enum(alertSubjectKinds),
  code: z.string(),
  name: z.string(),
});

/** An alert as the API, the console, the CLI and the notification messages show it. */
export const AlertItem = z
  .object({
    id: z.number().int(),
    fingerprint: z.string(),
    rule: z.enum(alertRuleKeys),
    severity: z.enum(alertSeverities),
    state: z.enum(alertStates),
    subject: AlertSubject,
    region: z.string().nullable().openapi({ description: 'Division code of the region the subject is in' }),
    region_name: z.string().nullable(),
    summary: z.string(),
    started_at: z.string(),
    last_changed_at: z.string(),
    acknowledged_by: z.string().nullable(),
    acknowledged_at: z.string().nullable(),
    resolved_at: z.string().nullable(),
    silenced_by: z.number().int().nullable().openapi({ description: 'Id of the silence muting it now' }),
    inhibited_by: z.number().int().nullable().openapi({ description: 'Id of the alert inhibiting it now (a silent agent)' }),
    occurrences: z.number().int(),
    details: z.record(z.string(), z.unknown()),
    work_order: z.string().nullable().openapi({ description: 'Code of the work order opened from it (WO-2026-000001), if any' }),
  })
  .openapi('Alert');
export type AlertItem = z.infer<typeof AlertItem>;

export const AlertEvent = z.object({
  at: z.string(),
  type: z.enum(alertEventTypes),
  actor: z.string(),
  note: z.string().nullable(),
});

export const AlertDetail = AlertItem.extend({ events: z.array(AlertEvent) }).openapi('AlertDetail');
export type AlertDetail = z.infer<typeof AlertDetail>;
