import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { calendarDate, entityColumns, enumChecks } from './columns.ts';
import { targetScopeKinds } from './enums.ts';

/**
 * 目标: one point (deadline, ratio) of an indicator's trajectory for a scope. `scope` is
 * written as the API takes it: a region code, `dept:<code>`, `cities` or `departments`.
 */
export const targets = pgTable(
  'targets',
  {
    ...entityColumns,
    indicator: text().notNull(),
    scope: text().notNull(),
    scopeKind: text({ enum: targetScopeKinds }).notNull(),
    deadline: calendarDate().notNull(),
    ratio: doublePrecision().notNull(),
    note: text(),
  },
  (t) => [
    unique('targets_indicator_scope_deadline_key').on(t.indicator, t.scope, t.deadline),
    check('targets_ratio_check', sql`${t.ratio} >= 0 and ${t.ratio} <= 1`),
    ...enumChecks(t.scopeKind),
    index('targets_scope_idx').on(t.scope),
  ],
);
