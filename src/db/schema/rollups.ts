import { boolean, index, integer, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';
import { calendarDate, instant } from './columns.ts';

/**
 * Indicator rollups (issue 20): what each item contributes to each indicator over business
 * time, summed per department and date, and month-end levels per region, so that a figure
 * for a scope and date is a sum over regions or departments instead of a count of items.
 * Written only by src/indicators/rollups/, in the transaction that changes the registry.
 */

/**
 * One item's contribution to one indicator over [validFrom, validTo): the definition's own
 * flags, evaluated at every date where they can change, adjacent equal spans merged.
 * `validFrom` '-infinity' is "since always", `validTo` null "until further notice". Kept so
 * that a change can take back exactly what the item gave before (its department may have
 * changed since).
 */
export const rollupSpans = pgTable(
  'rollup_spans',
  {
    indicator: text().notNull(),
    itemId: integer().notNull(),
    departmentId: integer().notNull(),
    /** The item's group in the indicator's breakdown (service items: system type); '' without one. */
    breakdown: text().notNull(),
    validFrom: calendarDate().notNull(),
    validTo: calendarDate(),
    denominator: smallint().notNull(),
    numerator: smallint().notNull(),
    pending: smallint().notNull(),
    /** 1: the item is listed by the indicator (kept for indicators with a breakdown, whose groups show even at 0 of 0). */
    items: smallint().notNull(),
  },
  (t) => [index('rollup_spans_item_idx').on(t.indicator, t.itemId)],
);

/** The spans' starts (+) and ends (−) summed per department, breakdown group and business date. */
export const rollupDeltas = pgTable(
  'rollup_deltas',
  {
    departmentId: integer().notNull(),
    indicator: text().notNull(),
    onDate: calendarDate().notNull(),
    breakdown: text().notNull(),
    denominator: integer().notNull(),
    numerator: integer().notNull(),
    pending: integer().notNull(),
    items: integer().notNull(),
  },
  (t) => [
    primaryKey({ name: 'rollup_deltas_pkey', columns: [t.departmentId, t.indicator, t.onDate, t.breakdown] }),
    index('rollup_deltas_date_idx').on(t.onDate),
  ],
);

/**
 * The level at the end of each month of the grid (rollup_state), per region the departments
 * are in now: the sum of their deltas up to that day. A missing row is zero.
 */
export const rollupCheckpoints = pgTable(
  'rollup_checkpoints',
  {
    monthEnd: calendarDate().notNull(),
    regionCode: text().notNull(),
    indicator: text().notNull(),
    breakdown: text().notNull(),
    denominator: integer().notNull(),
    numerator: integer().notNull(),
    pending: integer().notNull(),
    items: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'rollup_checkpoints_pkey', columns: [t.monthEnd, t.regionCode, t.indicator, t.breakdown] })],
);

/** The region each department's deltas are summed into in rollup_checkpoints (its region when last seen). */
export const rollupDepartments = pgTable('rollup_departments', {
  departmentId: integer().primaryKey(),
  regionCode: text().notNull(),
});

/**
 * One row. `built`: the rollups hold every item (false after migrating a registry that had
 * data, until `yunwang rollups rebuild`; figures are then counted from the items). The
 * month-end grid of rollup_checkpoints runs from `firstMonth` to `lastMonth` (month ends).
 */
export const rollupState = pgTable('rollup_state', {
  id: integer().primaryKey().default(1),
  built: boolean().notNull(),
  firstMonth: calendarDate(),
  lastMonth: calendarDate(),
  rebuiltAt: instant(),
});
