import { sql } from 'drizzle-orm';
import { check, date, doublePrecision, index, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { entityColumns } from './columns.ts';
import { sqlList, type TargetScopeKind, targetScopeKinds } from './enums.ts';

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
    scopeKind: text().$type<TargetScopeKind>().notNull(),
    deadline: date({ mode: 'string' }).notNull(),
    ratio: doublePrecision().notNull(),
    note: text(),
  },
  (t) => [
    unique('targets_indicator_scope_deadline_key').on(t.indicator, t.scope, t.deadline),
    check('targets_ratio_check', sql`${t.ratio} >= 0 and ${t.ratio} <= 1`),
    check('targets_scope_kind_check', sql`${t.scopeKind} in (${sql.raw(sqlList(targetScopeKinds))})`),
    index('targets_scope_idx').on(t.scope),
  ],
);
