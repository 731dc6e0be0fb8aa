import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { enumChecks, generatedId, instant, requiredId, timelineEntryColumns } from './columns.ts';
import { departments } from './departments.ts';
import { type AlertSeverity, alertEventTypes, alertRuleKeys, alertSeverities, alertStates, alertSubjectKinds } from './enums.ts';

/**
 * 告警: one row per occurrence of a condition, identified by its fingerprint (rule +
 * subject). At most one open (firing or acknowledged) row per fingerprint, whatever the
 * number of replicas evaluating; a resolved row that fires again within the reopen window
 * is reopened (occurrences + 1) rather than duplicated.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: generatedId(),
    fingerprint: text().notNull(),
    rule: text({ enum: alertRuleKeys }).notNull(),
    severity: text({ enum: alertSeverities }).notNull(),
    state: text({ enum: alertStates }).notNull().default('firing'),
    subjectKind: text({ enum: alertSubjectKinds }).notNull(),
    subjectCode: text().notNull(),
    subjectName: text().notNull(),
    /** The region the subject sits in, for filters, silences and channel scopes; null when it has none. */
    regionCode: text(),
    /** The department owning the subject (systems, tenants): a department user sees only its own. */
    departmentId: integer().references(() => departments.id),
    /** Cloud and agent codes the silences match on. */
    cloudCode: text(),
    agentName: text(),
    summary: text().notNull(),
    /** Extra facts (thresholds crossed, Prometheus labels); bounded by the engine. */
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    startedAt: instant().notNull(),
    lastChangedAt: instant().notNull(),
    acknowledgedBy: text(),
    acknowledgedAt: instant(),
    resolvedAt: instant(),
    /** The silence that mutes it now, or null. */
    silencedBy: integer(),
    /** The alert that inhibits it now (an agent_silent alert), or null. */
    inhibitedBy: integer(),
    occurrences: integer().notNull().default(1),
  },
  (t) => [
    ...enumChecks(t.state, t.severity, t.subjectKind),
    uniqueIndex('alerts_open_fingerprint_key').on(t.fingerprint).where(sql`${t.state} <> 'resolved'`),
    index('alerts_fingerprint_idx').on(t.fingerprint, t.resolvedAt),
    index('alerts_state_idx').on(t.state, t.lastChangedAt),
    index('alerts_started_at_idx').on(t.startedAt),
    index('alerts_region_code_idx').on(t.regionCode),
  ],
);

/** Every change of an alert, in order: its timeline. */
export const alertEvents = pgTable(
  'alert_events',
  {
    id: generatedId(),
    alertId: requiredId(() => alerts.id, { onDelete: 'cascade' }),
    /** The actor: a user name, `system` for the engine, `alertmanager:<agent>` for Prometheus alerts. */
    ...timelineEntryColumns(alertEventTypes),
    note: text(),
  },
  (t) => [...enumChecks(t.type), index('alert_events_alert_id_idx').on(t.alertId, t.at)],
);

/**
 * A condition the engine sees now, not yet held for its rule's `for` duration (pending),
 * or held and fired. Gone when the condition clears.
 */
export const alertConditions = pgTable('alert_conditions', {
  fingerprint: text().primaryKey(),
  rule: text({ enum: alertRuleKeys }).notNull(),
  since: instant().notNull(),
  lastSeenAt: instant().notNull(),
});

/** Ops' changes to a built-in rule; a rule without a row runs with its defaults. */
export const alertRules = pgTable(
  'alert_rules',
  {
    rule: text({ enum: alertRuleKeys }).primaryKey(),
    enabled: boolean().notNull(),
    severity: text({ enum: alertSeverities }).notNull(),
    forSeconds: integer().notNull(),
    thresholds: jsonb().$type<Record<string, number>>().notNull().default({}),
    updatedAt: instant().notNull().defaultNow(),
    updatedBy: text().notNull(),
  },
  (t) => [...enumChecks(t.severity)],
);

/** Matchers of a silence; every given one must match (a region matches its descendants). */
export interface SilenceMatchers {
  rule?: string;
  severity?: AlertSeverity;
  node?: string;
  region?: string;
  cloud?: string;
  agent?: string;
}

/** A weekly maintenance window: on these weekdays (0 = Sunday), from `start` to `end` (HH:MM) in `timezone`; an end before the start runs past midnight. */
export interface SilenceRecurrence {
  weekdays: number[];
  start: string;
  end: string;
  timezone: string;
}

/** 静默 and maintenance windows (维护窗口). An expired silence stays, with its end moved to when it was expired. */
export const silences = pgTable(
  'silences',
  {
    id: generatedId(),
    matchers: jsonb().$type<SilenceMatchers>().notNull(),
    startsAt: instant().notNull(),
    /** Null for a recurring window with no end date. */
    endsAt: instant(),
    recurrence: jsonb().$type<SilenceRecurrence>(),
    reason: text().notNull(),
    createdBy: text().notNull(),
    createdAt: instant().notNull().defaultNow(),
    expiredAt: instant(),
    expiredBy: text(),
  },
  (t) => [index('silences_ends_at_idx').on(t.endsAt)],
);
