import { bigint, date, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { TrackedKind } from './enums.ts';

/**
 * Every change of a tracked state, with the business date it took effect (`effectiveAt`,
 * null = "since always"). Rows are never deleted: a later import that contradicts a
 * transition marks it superseded, so the record of what was once claimed survives.
 */
export const transitions = pgTable(
  'transitions',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text().$type<TrackedKind>().notNull(),
    entityId: integer().notNull(),
    field: text().$type<'state' | 'classification'>().notNull(),
    fromValue: text(),
    toValue: text().notNull(),
    effectiveAt: date({ mode: 'string' }),
    recordedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actor: text().notNull(),
    note: text(),
    requestId: text(),
    supersededAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [index('transitions_entity_idx').on(t.kind, t.entityId, t.field)],
);

/**
 * The state of each tracked entity as business-time intervals [validFrom, validTo),
 * rebuilt from its active transitions. Indicators "as of" a date read one interval per
 * entity from here instead of replaying history on every request.
 */
export const timeline = pgTable(
  'timeline',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text().$type<TrackedKind>().notNull(),
    entityId: integer().notNull(),
    validFrom: date({ mode: 'string' }),
    validTo: date({ mode: 'string' }),
    classification: text(),
    state: text().notNull(),
  },
  (t) => [index('timeline_entity_idx').on(t.kind, t.entityId)],
);
