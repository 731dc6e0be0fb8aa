import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { SnapshotLevel } from '../db/schema/enums.ts';
import { snapshotFigures, snapshotScopes, snapshots } from '../db/schema/index.ts';
import { definitions, type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { percentOf, ratioOf } from '../indicators/percent.ts';
import type { IndicatorFigure, IndicatorReport } from '../indicators/service.ts';
import { AppError } from '../kernel/errors.ts';
import { parseMonth } from './months.ts';
import { requireFrozen } from './snapshots.ts';
import { ALL_CITIES, ALL_DEPARTMENTS } from './targets.ts';

/** Reading frozen figures back: by scope, as a report, as a month-by-month series. */

/** A scope a snapshot covers, with what it was that month. */
export interface FrozenScope {
  scope: string;
  kind: 'region' | 'department';
  level: SnapshotLevel;
  name: string;
  regionCode: string;
  parentCode: string | null;
}

/** A frozen figure with the scope it belongs to. */
export interface FrozenFigure extends FrozenScope {
  indicator: IndicatorKey;
  numerator: number;
  denominator: number;
  pending: number;
  breakdown: IndicatorFigure['breakdown'] | null;
}

/** The frozen figures of one snapshot, optionally only some levels or scopes. */
export async function frozenFigures(
  db: Db,
  snapshotId: number,
  filter: { levels?: SnapshotLevel[]; scopes?: string[] } = {},
): Promise<FrozenFigure[]> {
  const conditions: SQL[] = [eq(snapshotScopes.snapshotId, snapshotId)];
  if (filter.levels) conditions.push(inArray(snapshotScopes.level, filter.levels));
  if (filter.scopes) conditions.push(inArray(snapshotScopes.scope, filter.scopes));
  const rows = await db
    .select({
      scope: snapshotScopes.scope,
      kind: snapshotScopes.kind,
      level: snapshotScopes.level,
      name: snapshotScopes.name,
      regionCode: snapshotScopes.regionCode,
      parentCode: snapshotScopes.parentCode,
      indicator: snapshotFigures.indicator,
      numerator: snapshotFigures.numerator,
      denominator: snapshotFigures.denominator,
      pending: snapshotFigures.pending,
      breakdown: snapshotFigures.breakdown,
    })
    .from(snapshotScopes)
    .innerJoin(
      snapshotFigures,
      and(eq(snapshotFigures.snapshotId, snapshotScopes.snapshotId), eq(snapshotFigures.scope, snapshotScopes.scope)),
    )
    .where(and(...conditions))
    .orderBy(asc(snapshotScopes.scope));
  const order = new Map(indicatorKeys.map((k, i) => [k as string, i]));
  return rows
    .map((r) => ({ ...r, indicator: r.indicator as IndicatorKey, breakdown: (r.breakdown as IndicatorFigure['breakdown']) ?? null }))
    .sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : (order.get(a.indicator) ?? 0) - (order.get(b.indicator) ?? 0)));
}

/** A frozen figure in the shape computeIndicators gives (ratio and percent by the same functions). */
export function indicatorFigureOf(
  f: Pick<FrozenFigure, 'indicator' | 'numerator' | 'denominator' | 'pending' | 'breakdown'>,
): IndicatorFigure {
  const def = definitions[f.indicator];
  return {
    key: f.indicator,
    name: def.name,
    name_en: def.nameEn,
    numerator: f.numerator,
    denominator: f.denominator,
    ratio: ratioOf(f.numerator, f.denominator),
    percent: percentOf(f.numerator, f.denominator),
    pending: f.pending,
    ...(f.breakdown ? { breakdown: f.breakdown } : {}),
  };
}

export interface FrozenReport extends IndicatorReport {
  month: string;
  revision: number;
  frozen_at: string | null;
}

/** One scope's indicators as frozen for a month: the report computeIndicators gave then. */
export async function frozenReport(db: Db, month: string, scope: string): Promise<FrozenReport> {
  const snapshot = await requireFrozen(db, month);
  const figures = await frozenFigures(db, snapshot.id, { scopes: [scope] });
  const first = figures[0];
  if (!first)
    throw new AppError('not_found', `scope ${scope} is not in the snapshot of ${month}`, [
      { field: 'scope', message: 'not frozen in this month' },
    ]);
  return {
    scope,
    scope_name: first.name,
    scope_kind: first.kind,
    self: false,
    at: snapshot.asOf,
    indicators: figures.map(indicatorFigureOf),
    month,
    revision: snapshot.revision,
    frozen_at: snapshot.frozenAt?.toISOString() ?? null,
  };
}

export interface SeriesPoint {
  month: string;
  as_of: string;
  numerator: number;
  denominator: number;
  ratio: number | null;
  percent: number | null;
  pending: number;
}

/** One scope's frozen history of an indicator, month by month: the trend line. */
export async function frozenSeries(
  db: Db,
  query: { scope: string; indicator: IndicatorKey; from?: string; to?: string },
): Promise<SeriesPoint[]> {
  const conditions: SQL[] = [
    eq(snapshots.status, 'frozen'),
    eq(snapshotFigures.scope, query.scope),
    eq(snapshotFigures.indicator, query.indicator),
  ];
  if (query.from) conditions.push(sql`${snapshots.month} >= ${parseMonth(query.from, 'from')}`);
  if (query.to) conditions.push(sql`${snapshots.month} <= ${parseMonth(query.to, 'to')}`);
  const rows = await db
    .select({
      month: snapshots.month,
      asOf: snapshots.asOf,
      numerator: snapshotFigures.numerator,
      denominator: snapshotFigures.denominator,
      pending: snapshotFigures.pending,
    })
    .from(snapshotFigures)
    .innerJoin(snapshots, eq(snapshots.id, snapshotFigures.snapshotId))
    .where(and(...conditions))
    .orderBy(asc(snapshots.month));
  return rows.map((r) => ({
    month: r.month,
    as_of: r.asOf,
    numerator: r.numerator,
    denominator: r.denominator,
    ratio: ratioOf(r.numerator, r.denominator),
    percent: percentOf(r.numerator, r.denominator),
    pending: r.pending,
  }));
}

/** The scopes a forecast or ranking covers in one snapshot: one scope, every city, or the province-level departments. */
export async function scopesOf(db: Db, snapshotId: number, scope: string): Promise<{ scope: string; name: string }[]> {
  const all = await db
    .select({
      scope: snapshotScopes.scope,
      name: snapshotScopes.name,
      level: snapshotScopes.level,
      regionCode: snapshotScopes.regionCode,
      parentCode: snapshotScopes.parentCode,
    })
    .from(snapshotScopes)
    .where(eq(snapshotScopes.snapshotId, snapshotId));
  const province = all.find((s) => s.level === 'province')?.scope;
  const picked =
    scope === ALL_CITIES
      ? all.filter((s) => s.level === 'city')
      : scope === ALL_DEPARTMENTS
        ? all.filter((s) => s.level === 'department' && s.regionCode === province && s.parentCode === null)
        : all.filter((s) => s.scope === scope);
  return picked.sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0)).map((s) => ({ scope: s.scope, name: s.name }));
}
