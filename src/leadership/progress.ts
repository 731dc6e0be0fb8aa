import { and, asc, eq, lte, or } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { snapshotFigures, snapshotScopes, snapshots } from '../db/schema/index.ts';
import { definitions, type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { percentOf, ratioOf } from '../indicators/percent.ts';
import { dayNumber } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { forecast, latestFrozenMonth, type Projection, projectFullDate } from './forecast.ts';
import { scopesOf } from './frozen-figures.ts';
import { addMonths, parseMonth } from './months.ts';
import { requireFrozen } from './snapshots.ts';
import { ALL_CITIES, ALL_DEPARTMENTS, checkAgainst, loadTrajectoryIndex, percentOfRatio, type ScopeFacts } from './target-checks.ts';

// 目标与预测: one scope's indicators month by month against their target trajectories, with
// 环比/同比 and the forecast of 100%. Read by GET /api/v1/targets/progress and /console/targets.

/**
 * Frozen months listed, up to the chosen one: two years' worth. Counted in frozen months, not
 * calendar months, so a history with a gap (the demo's 2019–2020, then the months the server
 * froze since) still draws its line.
 */
export const PROGRESS_MONTHS = 24;

export interface ProgressMonth {
  month: string;
  as_of: string;
  numerator: number;
  denominator: number;
  ratio: number | null;
  percent: number | null;
  target_percent: number | null;
  /** target − actual in percentage points: positive = behind. */
  gap_points: number | null;
  /** 环比: change since the previous month's snapshot, in points; null when that month is not frozen. */
  mom_points: number | null;
  /** 同比: change since the same month a year before, in points; null without that month's snapshot. */
  yoy_points: number | null;
}

export interface ForecastMethod {
  /** How the date is found: the least-squares line through the recent monthly ratios, carried to 100 %. */
  name: 'least_squares_linear';
  /** The months whose snapshots the line is fitted to (the last `window` frozen up to the chosen month). */
  fitted_from: string | null;
  fitted_to: string | null;
  window: number;
}

export interface IndicatorProgress {
  indicator: IndicatorKey;
  name: string;
  /** Which trajectory applies: the scope's own, `cities` or `departments`; null without a target. */
  target_source: string | null;
  target_points: { deadline: string; percent: number }[];
  /** The first deadline by which the trajectory asks for 100 %, if it does. */
  full_target_deadline: string | null;
  latest: ProgressMonth | null;
  months: ProgressMonth[];
  forecast: Projection & {
    method: ForecastMethod;
    /** projected_date − full_target_deadline in days: positive = later than the target asks. */
    days_after_target: number | null;
  };
}

export interface TargetProgress {
  scope: string;
  scope_name: string;
  month: string;
  as_of: string;
  from: string;
  indicators: IndicatorProgress[];
}

/** Change between two ratios in percentage points, one decimal (the ranking's own rounding). */
export const pointsBetween = (now: number | null, before: number | null | undefined): number | null =>
  now === null || before === null || before === undefined ? null : Math.round((now - before) * 1000) / 10 + 0;

interface FrozenPoint {
  month: string;
  asOf: string;
  numerator: number;
  denominator: number;
}

/**
 * For one scope (`450000`, `450100`, `dept:P001`) and a frozen month (default: the latest):
 * each indicator's monthly figures up to that month with the target in force and the gap,
 * 环比 and 同比 where those months are frozen, and when it reaches 100 % at its recent pace.
 */
export async function targetProgress(db: Db, query: { scope: string; month?: string }, window: number): Promise<TargetProgress> {
  const snapshot = await requireFrozen(db, query.month ? parseMonth(query.month) : await latestFrozenMonth(db));
  const month = snapshot.month;
  const scope = await scopeInSnapshot(db, snapshot.id, query.scope, month);
  // Every frozen month of the scope up to the chosen one (a decade is 120 rows an indicator):
  // the listed ones, and those a year before them for their 同比.
  const rows = await db
    .select({
      month: snapshots.month,
      asOf: snapshots.asOf,
      indicator: snapshotFigures.indicator,
      numerator: snapshotFigures.numerator,
      denominator: snapshotFigures.denominator,
    })
    .from(snapshotFigures)
    .innerJoin(snapshots, eq(snapshots.id, snapshotFigures.snapshotId))
    .where(and(eq(snapshots.status, 'frozen'), eq(snapshotFigures.scope, scope.scope), lte(snapshots.month, month)))
    .orderBy(asc(snapshots.month));
  const listed = [...new Set(rows.map((r) => r.month))].slice(-PROGRESS_MONTHS);
  const from = listed[0] ?? month;
  const byIndicator = new Map<string, Map<string, FrozenPoint>>();
  for (const r of rows) {
    const series = byIndicator.get(r.indicator) ?? new Map<string, FrozenPoint>();
    series.set(r.month, r);
    byIndicator.set(r.indicator, series);
  }
  const trajectories = await loadTrajectoryIndex(db);
  // The forecast is GET /api/v1/forecasts' own: the same fit over the same snapshots.
  const forecasts = await forecast(db, { scope: scope.scope, month }, window);
  const fitted = forecasts.months;
  const projectionOf = (key: IndicatorKey): Projection => {
    const found = forecasts.scopes[0]?.forecasts.find((f) => f.indicator === key);
    if (!found) return projectFullDate([]);
    const { indicator: _indicator, name: _name, ...projection } = found;
    return projection;
  };
  const facts: ScopeFacts = { scope: scope.scope, level: scope.level, provinceLevel: scope.provinceLevel };
  const indicators = indicatorKeys
    .filter((key) => byIndicator.get(key)?.has(month))
    .map((key): IndicatorProgress => {
      const series = byIndicator.get(key) as Map<string, FrozenPoint>;
      const trajectory = trajectories.for(facts, key);
      const ratioIn = (m: string) => {
        const p = series.get(m);
        return p ? ratioOf(p.numerator, p.denominator) : undefined;
      };
      const months = [...series.values()]
        .filter((p) => p.month >= from)
        .map((p): ProgressMonth => {
          const ratio = ratioOf(p.numerator, p.denominator);
          const check = checkAgainst(trajectory, ratio, p.asOf);
          return {
            month: p.month,
            as_of: p.asOf,
            numerator: p.numerator,
            denominator: p.denominator,
            ratio,
            percent: percentOf(p.numerator, p.denominator),
            target_percent: check.target_percent,
            gap_points: check.gap_points,
            mom_points: pointsBetween(ratio, ratioIn(addMonths(p.month, -1))),
            yoy_points: pointsBetween(ratio, ratioIn(addMonths(p.month, -12))),
          };
        });
      const projection = projectionOf(key);
      const points = [...(trajectory?.points ?? [])].sort((a, b) => (a.deadline < b.deadline ? -1 : 1));
      const fullDeadline = points.find((p) => p.ratio >= 1)?.deadline ?? null;
      return {
        indicator: key,
        name: definitions[key].name,
        target_source: trajectory?.source ?? null,
        target_points: points.map((p) => ({ deadline: p.deadline, percent: percentOfRatio(p.ratio) ?? 0 })),
        full_target_deadline: fullDeadline,
        latest: months.at(-1) ?? null,
        months,
        forecast: {
          ...projection,
          method: { name: 'least_squares_linear', fitted_from: fitted[0] ?? null, fitted_to: fitted.at(-1) ?? null, window },
          days_after_target:
            projection.projected_date && fullDeadline ? dayNumber(projection.projected_date) - dayNumber(fullDeadline) : null,
        },
      };
    });
  return { scope: scope.scope, scope_name: scope.name, month, as_of: snapshot.asOf, from, indicators };
}

/** The scope as the snapshot froze it: its name, level, and whether it is a province-level department. */
async function scopeInSnapshot(db: Db, snapshotId: number, key: string, month: string) {
  const rows = await db
    .select({
      scope: snapshotScopes.scope,
      name: snapshotScopes.name,
      level: snapshotScopes.level,
      regionCode: snapshotScopes.regionCode,
      parentCode: snapshotScopes.parentCode,
    })
    .from(snapshotScopes)
    .where(and(eq(snapshotScopes.snapshotId, snapshotId), or(eq(snapshotScopes.scope, key), eq(snapshotScopes.level, 'province'))));
  const scope = rows.find((r) => r.scope === key);
  if (!scope) {
    throw new AppError('not_found', `scope ${key} is not in the snapshot of ${month}`, [
      { field: 'scope', message: 'a division code or dept:<code> frozen in this month' },
    ]);
  }
  const province = rows.find((r) => r.level === 'province')?.scope;
  const provinceLevel = scope.level === 'department' && scope.parentCode === null && scope.regionCode === province;
  return { scope: scope.scope, name: scope.name, level: scope.level, provinceLevel };
}

/** The scopes a reader picks from on the targets page: the province, every city, every province-level department. */
export async function progressScopeChoices(db: Db, month: string) {
  const snapshot = await requireFrozen(db, month);
  const [province] = await db
    .select({ scope: snapshotScopes.scope, name: snapshotScopes.name })
    .from(snapshotScopes)
    .where(and(eq(snapshotScopes.snapshotId, snapshot.id), eq(snapshotScopes.level, 'province')));
  return {
    province: province ?? null,
    cities: await scopesOf(db, snapshot.id, ALL_CITIES),
    departments: await scopesOf(db, snapshot.id, ALL_DEPARTMENTS),
  };
}
