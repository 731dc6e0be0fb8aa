import { type SQL, sql } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './client.ts';

const rowsPerStatement = 5000;

/**
 * Appends many rows in one statement per 5,000: the rows travel as a single JSON parameter
 * read back by `jsonb_to_recordset`. Drizzle's `insert().values()` binds one parameter per
 * value and spends most of a large insert building the query (a third of the demo load's
 * time); this keeps big appends (transitions, timeline, audit) cheap on PGlite and PostgreSQL.
 * Only the columns present in the first row are written; the others take their defaults.
 */
export async function insertRows<T extends PgTable>(db: Db, table: T, rows: Partial<T['$inferInsert']>[]): Promise<void> {
  if (rows.length === 0) return;
  const config = getTableConfig(table);
  const keys = Object.keys(rows[0] as object);
  const columns = keys.map((key) => {
    const column = config.columns.find((c) => (c.keyAsName ? c.name === key : false) || c.name === toSnakeCase(key));
    if (!column) throw new Error(`insertRows: ${config.name} has no column for "${key}"`);
    const name = column.keyAsName ? toSnakeCase(column.name) : column.name;
    return { key, column, name, type: column.getSQLType() };
  });
  const names = sql.raw(columns.map((c) => `"${c.name}"`).join(', '));
  const record = sql.raw(columns.map((c) => `"${c.name}" ${c.type}`).join(', '));
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const part = rows.slice(i, i + rowsPerStatement).map((row) => {
      const out: Record<string, unknown> = {};
      for (const c of columns) {
        const value = (row as Record<string, unknown>)[c.key];
        // jsonb travels as nested JSON; other values as the driver would send them.
        out[c.name] = value === null || value === undefined || c.type === 'jsonb' ? (value ?? null) : c.column.mapToDriverValue(value);
      }
      return out;
    });
    const statement: SQL = sql`insert into ${table} (${names}) select ${names} from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as x(${record})`;
    await db.execute(statement);
  }
}
