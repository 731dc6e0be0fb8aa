import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { type Db, isEmbedded } from './client.ts';
import { queryRows } from './raw.ts';

/** Small enough that building one statement's JSON holds the event loop for a few milliseconds. */
const rowsPerStatement = 1000;
/**
 * On the embedded database a statement also runs on this thread (≈ 17 ms for 1,000 snapshot
 * figures, 8–12 ms for 250): 125 keeps each to a few milliseconds, so a request waiting for
 * its turn does not also wait for a long statement.
 */
const embeddedRowsPerStatement = 125;

/**
 * Appends many rows in one statement per 1,000: the rows travel as a single JSON parameter
 * read back by `jsonb_to_recordset`. Drizzle's `insert().values()` binds one parameter per
 * value and spends most of a large insert building the query (a third of the demo load's
 * time); this keeps big appends (transitions, timeline, audit) cheap on PGlite and PostgreSQL.
 * Columns no row gives a value for take their defaults; a row without a value for a
 * column the others give is written NULL there.
 */
export async function insertRows<T extends PgTable>(db: Db, table: T, rows: Partial<T['$inferInsert']>[]): Promise<void> {
  await writeRows(db, table, rows, {});
}

/**
 * Inserts or updates rows by a unique key, the same way (one JSON parameter per 1,000 rows):
 * an existing row takes the new values of the columns given and `updated_at = now()`.
 * Returns the `returning` columns (database names) of every row written.
 */
export async function upsertRows<T extends PgTable, R extends Record<string, unknown>>(
  db: Db,
  table: T,
  rows: Partial<T['$inferInsert']>[],
  options: { conflictKey: string; returning: string[] },
): Promise<R[]> {
  return writeRows<R>(db, table, rows, options);
}

async function writeRows<R>(
  db: Db,
  table: PgTable,
  rows: Record<string, unknown>[],
  options: { conflictKey?: string; returning?: string[] },
): Promise<R[]> {
  if (rows.length === 0) return [];
  const config = getTableConfig(table);
  // Columns no row gives a value for are left out, so they take their defaults (as drizzle does).
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row).filter((key) => row[key] !== undefined)))];
  const byKey = getTableColumns(table);
  const columns = keys.map((key) => {
    // A row names a column by its property (`floorAreaM2`, whatever its SQL name) or by its SQL name.
    const column = byKey[key] ?? config.columns.find((c) => (c.keyAsName ? c.name === key : false) || c.name === toSnakeCase(key));
    if (!column) throw new Error(`insertRows: ${config.name} has no column for "${key}"`);
    const name = column.keyAsName ? toSnakeCase(column.name) : column.name;
    return { key, column, name, type: column.getSQLType() };
  });
  const names = sql.raw(columns.map((c) => `"${c.name}"`).join(', '));
  const record = sql.raw(columns.map((c) => `"${c.name}" ${c.type}`).join(', '));
  const written: R[] = [];
  const perStatement = isEmbedded(db) ? embeddedRowsPerStatement : rowsPerStatement;
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement).map((row) => {
      const out: Record<string, unknown> = {};
      for (const c of columns) {
        const value = (row as Record<string, unknown>)[c.key];
        // jsonb travels as nested JSON; other values as the driver would send them.
        out[c.name] = value === null || value === undefined || c.type === 'jsonb' ? (value ?? null) : c.column.mapToDriverValue(value);
      }
      return out;
    });
    // A function scan yields the array in order, so identity values follow the rows' order (the audit chain relies on it).
    const statement: SQL = sql`insert into ${table} (${names}) select ${names} from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as x(${record})`;
    if (options.conflictKey) {
      const updates = columns.filter((c) => c.key !== options.conflictKey).map((c) => `"${c.name}" = excluded."${c.name}"`);
      statement.append(
        sql.raw(` on conflict ("${toSnakeCase(options.conflictKey)}") do update set ${[...updates, 'updated_at = now()'].join(', ')}`),
      );
    }
    if (options.returning?.length) statement.append(sql.raw(` returning ${options.returning.map((c) => `"${c}"`).join(', ')}`));
    written.push(...(await queryRows<R>(db, statement)));
  }
  return written;
}
