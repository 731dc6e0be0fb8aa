import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, json, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
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

/**
 * An import's rows on their way in (issue 20, item 3): the file is streamed here by COPY, checked
 * set-wise (codes repeated in the file), then read back in parts by the one transaction that
 * applies it, and deleted. Unlogged (see the migration): nothing in it outlives its import, so it
 * need not survive a crash nor be written to the WAL.
 */
export const importStaging = pgTable(
  'import_staging',
  {
    importId: uuid().notNull(),
    /** The spreadsheet row (the header is row 1). */
    rowNumber: integer().notNull(),
    /** The code cell as written (null when empty): codes repeated in the file are found from it. */
    code: text(),
    /** Whether the row failed a per-row check while it was read (its problems are already reported). */
    failed: boolean().notNull(),
    /** The checked input row (json, not jsonb: read back as written, never queried into); null when it failed. */
    data: json(),
    /** For a code already used by an earlier row of the file: that row. */
    firstRow: integer(),
  },
  (t) => [primaryKey({ name: 'import_staging_pkey', columns: [t.importId, t.rowNumber] })],
);
