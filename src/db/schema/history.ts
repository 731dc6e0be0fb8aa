import { index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { calendarDate, generatedBigId, instant } from './columns.ts';
import { trackedKinds } from './enums.ts';

/**
 * Every change of a tracked state, with the business date it took effect (`effectiveAt`,
 * null = "since always"). Rows are never deleted: a later import that contradicts a
 * transition marks it superseded, so the record of what was once claimed survives.
 */
export const transitions = pgTable(
  'transitions',
  {
    id: generatedBigId(),
    kind: text({ enum: trackedKinds }).notNull(),
    entityId: integer().notNull(),
    /** `state`, `classification`, or one of the kind's tracked attributes (a service item's `service_level`). */
    field: text().notNull(),
    fromValue: text(),
    toValue: text().notNull(),
    effectiveAt: calendarDate(),
    recordedAt: instant().notNull().defaultNow(),
    actor: text().notNull(),
    note: text(),
    requestId: text(),
    supersededAt: instant(),
  },
  (t) => [
    index('transitions_entity_idx').on(t.kind, t.entityId, t.field),
    // The map's date check reads the earliest business date: min() from an index, not a scan of millions.
    index('transitions_effective_at_idx').on(t.effectiveAt),
  ],
);

/**
 * The state of each tracked entity as business-time intervals [validFrom, validTo),
 * rebuilt from its active transitions. Indicators "as of" a date read one interval per
 * entity from here instead of replaying history on every request.
 */
export const timeline = pgTable(
  'timeline',
  {
    id: generatedBigId(),
    kind: text({ enum: trackedKinds }).notNull(),
    entityId: integer().notNull(),
    validFrom: calendarDate(),
    validTo: calendarDate(),
    classification: text(),
    state: text().notNull(),
    /** The kind's tracked attributes in force over the interval (`{"service_level": "full_online"}`). */
    attributes: jsonb().$type<Record<string, string>>(),
  },
  (t) => [index('timeline_entity_idx').on(t.kind, t.entityId), index('timeline_valid_from_idx').on(t.validFrom)],
);
