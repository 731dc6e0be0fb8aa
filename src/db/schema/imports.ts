import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { enumChecks, generatedId, instant } from './columns.ts';
import { departments } from './departments.ts';
import { users } from './identity.ts';

export const importOutcomes = ['applied', 'rejected'] as const;

/** The stored text's bounds: a run is a note that an attempt was made, not a copy of the file. */
export const importRunLimits = { fileName: 200, firstError: 500 } as const;

/**
 * 导入记录: every spreadsheet import attempt (dry runs aside), applied or rejected. A rejected
 * one is written outside the rolled-back import, so a department's failed imports stay on its
 * to-do list until an applied import of the same kind follows.
 */
export const importRuns = pgTable(
  'import_runs',
  {
    id: generatedId(),
    /** Null for the local operator at the command line (no user). */
    userId: integer().references(() => users.id),
    /** The importing user's department, when he is bound to one. */
    departmentId: integer().references(() => departments.id),
    /** The record kind's URL segment (`systems`, …). */
    kind: text().notNull(),
    fileName: text(),
    rows: integer().notNull(),
    outcome: text({ enum: importOutcomes }).notNull(),
    /** The first problem the rejection named (row and column first), null when applied. */
    firstError: text(),
    createdAt: instant().notNull().defaultNow(),
  },
  (t) => [
    ...enumChecks(t.outcome),
    check('import_runs_file_name_length_check', sql`char_length(${t.fileName}) <= ${sql.raw(String(importRunLimits.fileName))}`),
    check('import_runs_first_error_length_check', sql`char_length(${t.firstError}) <= ${sql.raw(String(importRunLimits.firstError))}`),
    check('import_runs_rows_check', sql`${t.rows} >= 0`),
    index('import_runs_department_id_created_at_idx').on(t.departmentId, t.createdAt),
  ],
);
