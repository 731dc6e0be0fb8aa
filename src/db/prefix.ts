import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/** LIKE treats `%`, `_` and `\` as special; codes, paths and search text may hold them. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (m) => `\\${m}`);

/**
 * `value` begins with `prefix`, taken literally: a department path `/A_1/` must not match
 * `/AX1/`. Still a LIKE with a fixed prefix, so the `text_pattern_ops` path indexes serve it.
 */
export function startsWithLiteral(value: SQLWrapper, prefix: string): SQL {
  return sql`${value} like ${`${escapeLike(prefix)}%`} escape '\\'`;
}
