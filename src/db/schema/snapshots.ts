import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { type SnapshotLevel, type SnapshotStatus, snapshotLevels, snapshotStatuses, sqlList } from './enums.ts';

/**
 * 快照: one month's indicators, frozen as of its last day. A month has at most one current
 * row (pending or frozen); a re-freeze marks it superseded and adds the next revision, so
 * what was once published stays readable.
 */
export const snapshots = pgTable(
  'snapshots',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    /** YYYY-MM */
    month: text().notNull(),
    revision: integer().notNull().default(1),
    status: text().$type<SnapshotStatus>().notNull(),
    asOf: date({ mode: 'string' }).notNull(),
    requestedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    requestedBy: text().notNull(),
    frozenAt: timestamp({ withTimezone: true, mode: 'date' }),
    frozenBy: text(),
    /** Why a month was frozen again (required for a re-freeze). */
    reason: text(),
    /** The registry version the figures were computed at. */
    registryVersion: bigint({ mode: 'number' }),
    scopeCount: integer().notNull().default(0),
    figureCount: integer().notNull().default(0),
    durationMs: integer(),
    supersededAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    unique('snapshots_month_revision_key').on(t.month, t.revision),
    uniqueIndex('snapshots_month_current_key').on(t.month).where(sql`${t.status} <> 'superseded'`),
    check('snapshots_status_check', sql`${t.status} in (${sql.raw(sqlList(snapshotStatuses))})`),
    check('snapshots_month_check', sql`${t.month} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
  ],
);

/**
 * The scopes a snapshot covers, as they were that month: rankings and reports read names,
 * levels and parents from here, so a later rename or move does not rewrite history.
 */
export const snapshotScopes = pgTable(
  'snapshot_scopes',
  {
    snapshotId: integer()
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    /** As computeIndicators takes it: `450100` or `dept:P001`. */
    scope: text().notNull(),
    kind: text().$type<'region' | 'department'>().notNull(),
    level: text().$type<SnapshotLevel>().notNull(),
    name: text().notNull(),
    /** A region's own code; a department's region. */
    regionCode: text().notNull(),
    /** The parent region, or the parent department's code (二层机构). */
    parentCode: text(),
  },
  (t) => [
    primaryKey({ name: 'snapshot_scopes_pkey', columns: [t.snapshotId, t.scope] }),
    check('snapshot_scopes_level_check', sql`${t.level} in (${sql.raw(sqlList(snapshotLevels))})`),
    index('snapshot_scopes_level_idx').on(t.snapshotId, t.level),
  ],
);

/** One indicator of one scope in a snapshot: exactly what computeIndicators gave. */
export const snapshotFigures = pgTable(
  'snapshot_figures',
  {
    snapshotId: integer()
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    scope: text().notNull(),
    indicator: text().notNull(),
    numerator: integer().notNull(),
    denominator: integer().notNull(),
    pending: integer().notNull(),
    /** 对接完成率's split by system type and by level, as computed. */
    breakdown: jsonb(),
  },
  (t) => [
    primaryKey({ name: 'snapshot_figures_pkey', columns: [t.snapshotId, t.scope, t.indicator] }),
    index('snapshot_figures_scope_idx').on(t.scope, t.indicator),
  ],
);
