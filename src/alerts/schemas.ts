import { z } from '@hono/zod-openapi';
import { alertEventTypes, alertRuleKeys, alertSeverities, alertStates, alertSubjectKinds } from '../db/schema/enums.ts';
import { scopeFilter } from '../http/filters.ts';
import { instant, PageQuery } from '../http/schemas.ts';

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

export const AlertListQuery = PageQuery.extend({
  state: z.enum(alertStates).optional(),
  severity: z.enum(alertSeverities).optional(),
  rule: z.enum(alertRuleKeys).optional(),
  scope: scopeFilter,
  node: z.string().max(100).optional().openapi({ description: 'Alerts about one network node (its history)' }),
});
export type AlertQuery = z.infer<typeof AlertListQuery>;

export const AlertCounts = z.object({ firing_critical: z.number().int(), firing: z.number().int(), acknowledged: z.number().int() });

const SilenceMatchers = z
  .object({
    rule: z.enum(alertRuleKeys).optional(),
    severity: z.enum(alertSeverities).optional(),
    node: z.string().min(1).max(100).optional(),
    region: z
      .string()
      .regex(/^\d{6,12}$/, 'must be a division code')
      .optional(),
    cloud: z.string().min(1).max(100).optional(),
    agent: z.string().min(1).max(100).optional(),
  })
  .strict();

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (00:00–23:59)');

export const SilenceInput = z.object({
  matchers: SilenceMatchers,
  starts_at: instant.optional().openapi({ description: 'Default now' }),
  ends_at: instant.optional().openapi({ description: 'Required unless `recurrence` is given' }),
  recurrence: z
    .object({
      weekdays: z.array(z.number().int().min(0).max(6)).min(1).max(7).openapi({ description: '0 = Sunday … 6 = Saturday' }),
      start: hhmm,
      end: hhmm.openapi({ description: 'Not after start: the window runs past midnight' }),
      timezone: z.string().max(64).optional().openapi({ description: 'Default Asia/Shanghai' }),
    })
    .optional(),
  reason: z.string().trim().min(1, 'say why').max(2000),
});

export const SilenceView = z
  .object({
    id: z.number().int(),
    matchers: z.record(z.string(), z.string()).openapi({ description: 'rule, severity, node, region, cloud, agent: as given' }),
    starts_at: z.string(),
    ends_at: z.string().nullable(),
    recurrence: z.object({ weekdays: z.array(z.number().int()), start: z.string(), end: z.string(), timezone: z.string() }).nullable(),
    reason: z.string(),
    created_by: z.string(),
    created_at: z.string(),
    expired_at: z.string().nullable(),
    expired_by: z.string().nullable(),
    // In force right now.
    active: z.boolean(),
  })
  .openapi('Silence');
export type SilenceView = z.infer<typeof SilenceView>;

export const RuleSettings = z
  .object({
    rule: z.enum(alertRuleKeys),
    enabled: z.boolean(),
    severity: z.enum(alertSeverities),
    for_seconds: z.number().int(),
    thresholds: z.record(z.string(), z.number()),
    description: z.string(),
    // Who last changed it and when; null for a rule running with its defaults.
    updated_by: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  .openapi('AlertRule');
export type RuleSettings = z.infer<typeof RuleSettings>;

export const RuleUpdate = z
  .object({
    enabled: z.boolean().optional(),
    severity: z.enum(alertSeverities).optional(),
    for_seconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .optional(),
    thresholds: z.record(z.string().max(64), z.number()).optional(),
  })
  .strict();
export type RuleUpdate = z.infer<typeof RuleUpdate>;
