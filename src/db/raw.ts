import type { SQL } from 'drizzle-orm';
import type { Db } from './client.ts';

/**
 * Runs hand-written SQL and returns its rows. node-postgres and PGlite both answer with
 * `{ rows }`, but drizzle types `execute` per driver; this is the one place that bridges it.
 */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
