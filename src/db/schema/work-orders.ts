import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { alerts } from './alerts.ts';
import { calendarDate, enumChecks, generatedId, instant, requiredId, sqlList, timelineEntryColumns } from './columns.ts';
import { departments } from './departments.ts';
import {
  calendarDayKinds,
  slaClocks,
  workOrderCategories,
  workOrderEventTypes,
  workOrderPriorities,
  workOrderSlaStates,
  workOrderStates,
  workOrderSubjectKinds,
} from './enums.ts';
import { users } from './identity.ts';
import { regions } from './regions.ts';

/**
 * 工单: a fault, change, service request or rectification, with an owner and deadlines.
 * `code` is `WO-<year>-<6 digits>`, numbered per year by work_order_sequences.
 */
export const workOrders = pgTable(
  'work_orders',
  {
    id: generatedId(),
    code: text().notNull().unique('work_orders_code_key'),
    title: text().notNull(),
    category: text({ enum: workOrderCategories }).notNull(),
    priority: text({ enum: workOrderPriorities }).notNull(),
    state: text({ enum: workOrderStates }).notNull().default('new'),
    description: text().notNull().default(''),
    /** What the order is about (a node, system, tenant, cloud, department …); all three null when nothing. */
    subjectKind: text({ enum: workOrderSubjectKinds }),
    subjectCode: text(),
    subjectName: text(),
    regionCode: text().references(() => regions.code),
    /** Null when the server raised it (a rectification from a published report); reporterName is then `system`. */
    reporterId: integer().references(() => users.id),
    reporterName: text().notNull(),
    /** The reporter's department when a department user reported it: that department sees the order too. */
    reporterDepartmentId: integer().references(() => departments.id),
    /** Who works it: a department (its users), or an ops user, or both; neither = the ops queue. */
    assigneeDepartmentId: integer().references(() => departments.id),
    assigneeUserId: integer().references(() => users.id),
    /** The alert it was created from; resolved alerts are pruned after their retention, the order stays. */
    alertId: integer().references(() => alerts.id, { onDelete: 'set null' }),
    createdAt: instant().notNull(),
    updatedAt: instant().notNull(),
    acceptedAt: instant(),
    resolvedAt: instant(),
    closedAt: instant(),
    cancelledAt: instant(),
    /** The service level's terms when the order was opened (a later policy change does not move them): its clock and budgets in seconds of that clock. */
    slaClock: text({ enum: slaClocks }).notNull(),
    responseSeconds: integer().notNull(),
    resolutionSeconds: integer().notNull(),
    /** Deadlines by those terms, computed at creation (the resolution deadline moves on when a suspension ends). */
    responseDueAt: instant().notNull(),
    resolutionDueAt: instant().notNull(),
    /** Since when the order is suspended (the clock stops); null when not suspended. */
    pausedAt: instant(),
    /** Time of the clock left to the resolution deadline when suspended, in seconds of that clock. */
    resolutionRemainingSeconds: integer(),
    slaState: text({ enum: workOrderSlaStates }).notNull().default('on_track'),
    /** When the SLA job first saw it at risk, and breached: each is raised once. */
    atRiskAt: instant(),
    breachedAt: instant(),
    /** Bumped on every change: a PATCH or transition naming an older version gets 409. */
    version: integer().notNull().default(1),
  },
  (t) => [
    ...enumChecks(t.category, t.priority, t.state, t.slaClock, t.slaState),
    check(
      'work_orders_subject_check',
      sql`(${t.subjectKind} is null and ${t.subjectCode} is null) or (${t.subjectKind} in (${sql.raw(sqlList(workOrderSubjectKinds))}) and ${t.subjectCode} is not null)`,
    ),
    uniqueIndex('work_orders_alert_id_key').on(t.alertId).where(sql`${t.alertId} is not null`),
    index('work_orders_state_idx').on(t.state, t.priority),
    index('work_orders_assignee_department_idx').on(t.assigneeDepartmentId),
    index('work_orders_reporter_department_idx').on(t.reporterDepartmentId),
    index('work_orders_created_at_idx').on(t.createdAt),
    index('work_orders_sla_idx').on(t.slaState, t.resolutionDueAt),
  ],
);

/** An order's timeline: every change and comment, in order. */
export const workOrderEvents = pgTable(
  'work_order_events',
  {
    id: generatedId(),
    workOrderId: requiredId(() => workOrders.id, { onDelete: 'cascade' }),
    /** The actor: a user name, or `system` for the SLA job. */
    ...timelineEntryColumns(workOrderEventTypes),
    fromState: text({ enum: workOrderStates }),
    toState: text({ enum: workOrderStates }),
    /** The comment, or the reason given with a transition. */
    note: text(),
    /** Extra facts (assignee before and after, fields changed), bounded by the service. */
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [...enumChecks(t.type), index('work_order_events_order_idx').on(t.workOrderId, t.at)],
);

/** The last number given out each year: `WO-2026-000042`. */
export const workOrderSequences = pgTable('work_order_sequences', {
  year: integer().primaryKey(),
  last: integer().notNull(),
});

/** Response (accept) and resolution deadlines by priority, editable by ops. Minutes of the policy's clock. */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    priority: text({ enum: workOrderPriorities }).primaryKey(),
    clock: text({ enum: slaClocks }).notNull(),
    responseMinutes: integer().notNull(),
    resolutionMinutes: integer().notNull(),
    updatedAt: instant().notNull().defaultNow(),
    updatedBy: text().notNull(),
  },
  (t) => [
    ...enumChecks(t.priority, t.clock),
    check('sla_policies_minutes_check', sql`${t.responseMinutes} > 0 and ${t.resolutionMinutes} >= ${t.responseMinutes}`),
  ],
);

/** A working period of a working day, `HH:MM` local time. */
export interface WorkingPeriod {
  start: string;
  end: string;
}

/** Working hours (作息时间) in one time zone; one row. Working days are Monday–Friday unless calendar_days says otherwise. */
export const workingHours = pgTable('working_hours', {
  id: integer().primaryKey().default(1),
  timezone: text().notNull().default('Asia/Shanghai'),
  periods: jsonb().$type<WorkingPeriod[]>().notNull(),
  updatedAt: instant().notNull().defaultNow(),
  updatedBy: text().notNull(),
});

/** The State Council's holiday arrangement (国务院办公厅关于部分节假日安排的通知): public holidays and make-up working days (调休上班). */
export const calendarDays = pgTable(
  'calendar_days',
  {
    day: calendarDate().primaryKey(),
    kind: text({ enum: calendarDayKinds }).notNull(),
    /** The holiday it belongs to: 国庆节, or 国庆节调休 for a make-up working day. */
    name: text().notNull(),
    /** Where the date came from (the notice's number), for whoever checks it. */
    source: text().notNull(),
    createdAt: instant().notNull().defaultNow(),
    createdBy: text().notNull(),
  },
  (t) => [...enumChecks(t.kind)],
);
