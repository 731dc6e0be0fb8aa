import { sql } from 'drizzle-orm';
import { type AnyPgColumn, check, customType, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { enumChecks, generatedId, instant } from './columns.ts';
import { users } from './identity.ts';

/** Raw bytes: the report exactly as published. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/** 起草 → 送审 → 签发 (or 退回, then drafted again). */
export const supervisionReportStates = ['draft', 'submitted', 'returned', 'published'] as const;
export type SupervisionReportState = (typeof supervisionReportStates)[number];

/**
 * A monthly supervision report (督查通报) on its way to publication: drafted by reviewers,
 * signed off by a leader, then numbered and kept as the exact bytes sent out — immutable (a
 * trigger refuses any change to a published row); a correction is a new version naming the one
 * it supersedes.
 */
export const supervisionReports = pgTable(
  'supervision_reports',
  {
    id: generatedId(),
    month: text().notNull(),
    version: integer().notNull(),
    state: text({ enum: supervisionReportStates }).notNull().default('draft'),
    /** Everyone who drafted or regenerated it: none of them may sign it off. */
    drafters: integer().array().notNull(),
    draftedAt: instant().notNull().defaultNow(),
    submittedBy: integer().references(() => users.id),
    submittedAt: instant(),
    /** The leader who signed it off or returned it. */
    decidedBy: integer().references(() => users.id),
    decidedAt: instant(),
    returnComment: text(),
    /** 督查通报〔2026〕11号: the year it was published and its place in that year. */
    number: text(),
    year: integer(),
    serial: integer(),
    supersedesId: integer().references((): AnyPgColumn => supervisionReports.id),
    html: bytea().notNull(),
    xlsx: bytea().notNull(),
    htmlSha256: text().notNull(),
    xlsxSha256: text().notNull(),
    /** The black-listed departments as the report names them: each gets a rectification order on publication. */
    blackList: jsonb().$type<{ code: string; name: string }[]>().notNull(),
  },
  (t) => [
    ...enumChecks(t.state),
    check('supervision_reports_month_check', sql`${t.month} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
    check(
      'supervision_reports_number_check',
      sql`(${t.state} = 'published') = (${t.number} is not null and ${t.year} is not null and ${t.serial} is not null)`,
    ),
    uniqueIndex('supervision_reports_month_version_key').on(t.month, t.version),
    uniqueIndex('supervision_reports_number_key').on(t.number),
    uniqueIndex('supervision_reports_year_serial_key').on(t.year, t.serial),
    // One report of a month on its way at a time.
    uniqueIndex('supervision_reports_open_key').on(t.month).where(sql`${t.state} <> 'published'`),
    index('supervision_reports_state_idx').on(t.state),
  ],
);
