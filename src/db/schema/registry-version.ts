import { bigint, integer, pgTable } from 'drizzle-orm/pg-core';

/**
 * One row whose version rises in every transaction that can change an indicator. The row
 * lock orders the writers, so a reader that sees version V sees every write up to V:
 * caches of computed figures key on it.
 */
export const registryVersion = pgTable('registry_version', {
  id: integer().primaryKey().default(1),
  version: bigint({ mode: 'number' }).notNull().default(0),
});
