import { getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import { type AnyPgColumn, bigint, check, date, integer, type ReferenceConfig, text, timestamp } from 'drizzle-orm/pg-core';

/** The column shapes and constraints the tables share, so each table file says only what is its own. */

/** A point in time, kept with its zone. */
export const instant = () => timestamp({ withTimezone: true, mode: 'date' });

/** A calendar date (a business day), read and written as `YYYY-MM-DD`. */
export const calendarDate = () => date({ mode: 'string' });

/** A key the database numbers. */
export const generatedId = () => integer().primaryKey().generatedAlwaysAsIdentity();

/** A key the database numbers, for tables that outgrow 2³¹ rows (history, audit). */
export const generatedBigId = () => bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();

/** A required reference to another table's numeric key. */
export const requiredId = (target: () => AnyPgColumn, actions?: ReferenceConfig['actions']) =>
  integer().notNull().references(target, actions);

/** A required reference to another table's code (regions are keyed by their code). */
export const requiredCode = (target: () => AnyPgColumn) => text().notNull().references(target);

/** Columns every registry entity carries. */
export const entityColumns = {
  id: generatedId(),
  createdAt: instant().notNull().defaultNow(),
  updatedAt: instant().notNull().defaultNow(),
};

/** An entity a person names and finds by its code: a record of the registry, a cloud. */
export const recordColumns = (table: string) => ({
  ...entityColumns,
  code: text().notNull().unique(`${table}_code_key`),
  name: text().notNull(),
});

/** An entry of a timeline (an alert's, a work order's): when, what happened, and who did it. */
export const timelineEntryColumns = <T extends string>(types: readonly [T, ...T[]]) => ({
  at: instant().notNull(),
  type: text({ enum: types }).notNull(),
  actor: text().notNull(),
});

/** SQL `IN (...)` list for a CHECK constraint, from a closed value set. */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/**
 * Holds text columns declared with `text({ enum })` to their closed value sets in the database:
 * one `CHECK (column in (...))` each, named `<table>_<column>_check` (the column in snake case).
 */
export function enumChecks(...columns: AnyPgColumn[]) {
  return columns.map((column) => {
    const values = getTableColumns(column.table)[column.name]?.enumValues;
    if (!values) throw new Error(`enumChecks: ${column.name} is not declared with text({ enum })`);
    const condition: SQL = sql`${column} in (${sql.raw(sqlList(values))})`;
    return check(`${getTableName(column.table)}_${toSnakeCase(column.name)}_check`, condition);
  });
}
