import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { calendarDate, enumChecks, generatedId, instant, requiredId } from './columns.ts';
import { snapshotLevels, snapshotStatuses } from './enums.ts';

/**
 * 快照: one month's indicators, frozen as of its last day. A month has at most one current
 * row (pending or frozen); a re-freeze marks it superseded and adds the next revision, so
 * what was once published stays readable.
 */
export const snapshots = pgTable(
  'snapshots',
  {
    id: generatedId(),
    /** YYYY-MM */
    month: text().notNull(),
    revision: integer().notNull().default(1),
    status: text({ enum: snapshotStatuses }).notNull(),
    asOf: calendarDate().notNull(),
    requestedAt: instant().notNull().defaultNow(),
    requestedBy: text().notNull(),
    frozenAt: instant(),
    frozenBy: text(),
    /** Why a month was frozen again (required for a re-freeze). */
    reason: text(),
    /** The registry version the figures were computed at. */
    registryVersion: bigint({ mode: 'number' }),
    scopeCount: integer().notNull().default(0),
    figureCount: integer().notNull().default(0),
    durationMs: integer(),
    supersededAt: instant(),
  },
  (t) => [
    unique('snapshots_month_revision_key').on(t.month, t.revision),
    uniqueIndex('snapshots_month_current_key').on(t.month).where(sql`${t.status} <> 'superseded'`),
    ...enumChecks(t.status),
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
    snapshotId: requiredId(() => snapshots.id, { onDelete: 'cascade' }),
    /** As computeIndicators takes it: `450100` or `dept:P001`. */
    scope: text().notNull(),
    kind: text().$type<'region' | 'department'>().notNull(),
    level: text({ enum: snapshotLevels }).notNull(),
    name: text().notNull(),
    /** A region's own code; a department's region. */
    regionCode: text().notNull(),
    /** The parent region, or the parent department's code (二层机构). */
    parentCode: text(),
  },
  (t) => [
    primaryKey({ name: 'snapshot_scopes_pkey', columns: [t.snapshotId, t.scope] }),
    ...enumChecks(t.level),
    index('snapshot_scopes_level_idx').on(t.snapshotId, t.level),
  ],
);

/** One indicator of one scope in a snapshot: exactly what computeIndicators gave. */
export const snapshotFigures = pgTable(
  'snapshot_figures',
  {
    snapshotId: requiredId(() => snapshots.id, { onDelete: 'cascade' }),
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
