import { and, desc, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { snapshotFigures, snapshots } from '../db/schema/index.ts';
import { definitions, type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { AppError } from '../kernel/errors.ts';
import { scopesOf } from './frozen-figures.ts';
import { addDays, dayNumber, parseMonth } from './months.ts';
import { requireFrozen } from './snapshots.ts';

export interface PacePoint {
  /** The snapshot's as-of date. */
  date: string;
  ratio: number;
}

export interface Projection {
  /**
   * `projected`: reaches 100% on `projected_date` at the recent pace; `reached`: already at
   * 100%; `not_at_current_pace`: flat or falling (or further than ten years out);
   * `insufficient_history`: fewer than three monthly snapshots with a figure.
   */
  status: 'projected' | 'reached' | 'not_at_current_pace' | 'insufficient_history';
  projected_date: string | null;
  /** The least-squares slope, in percentage points per month (30.44 days). */
  pace_points_per_month: number | null;
  latest_ratio: number | null;
  points_used: number;
}

const DAYS_PER_MONTH = 365.25 / 12;
const HORIZON_DAYS = 3653;

/**
 * When a ratio reaches 1 at its recent pace: the least-squares slope over the points (ratio
 * per day), carried forward from the latest point. Flat or falling means never.
 */
export function projectFullDate(points: readonly PacePoint[], minPoints = 3): Projection {
  const sorted = [...points].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const latest = sorted.at(-1);
  const base = { latest_ratio: latest?.ratio ?? null, points_used: sorted.length };
  if (!latest || sorted.length < minPoints)
    return { status: 'insufficient_history', projected_date: null, pace_points_per_month: null, ...base };
  const xs = sorted.map((p) => dayNumber(p.date));
  const ys = sorted.map((p) => p.ratio);
  const n = sorted.length;
  const meanX = xs.reduce((s, x) => s + x, 0) / n;
  const meanY = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    sxy += dx * ((ys[i] as number) - meanY);
    sxx += dx * dx;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  // `+ 0` turns a rounded -0 into 0.
  const pace = Math.round(slope * DAYS_PER_MONTH * 100 * 100) / 100 + 0;
  if (latest.ratio >= 1) return { status: 'reached', projected_date: null, pace_points_per_month: pace, ...base };
  // Below a thousandth of a point a month is flat: float noise, not progress.
  if (slope * DAYS_PER_MONTH * 100 < 0.001)
    return { status: 'not_at_current_pace', projected_date: null, pace_points_per_month: pace, ...base };
  const days = Math.ceil((1 - latest.ratio) / slope);
  if (days > HORIZON_DAYS) return { status: 'not_at_current_pace', projected_date: null, pace_points_per_month: pace, ...base };
  return { status: 'projected', projected_date: addDays(latest.date, days), pace_points_per_month: pace, ...base };
}

export interface ScopeForecast {
  scope: string;
  scope_name: string;
  forecasts: ({ indicator: IndicatorKey; name: string } & Projection)[];
}

export interface ForecastReport {
  month: string;
  /** The months whose snapshots the pace is fitted over (the latest N frozen, up to `month`). */
  months: string[];
  window: number;
  scopes: ScopeForecast[];
}

/**
 * Forecasts for a scope (`450100`, `dept:P001`) or a group (`cities`, `departments`, the
 * province-level ones), from the frozen snapshots up to `month` (default: the latest).
 */
export async function forecast(db: Db, query: { scope: string; month?: string }, window: number): Promise<ForecastReport> {
  const month = query.month ? (await requireFrozen(db, parseMonth(query.month))).month : await latestFrozenMonth(db);
  const recent = await db
    .select({ id: snapshots.id, month: snapshots.month, asOf: snapshots.asOf })
    .from(snapshots)
    .where(and(eq(snapshots.status, 'frozen'), lte(snapshots.month, month)))
    .orderBy(desc(snapshots.month))
    .limit(window);
  const latest = recent[0];
  if (!latest) throw new AppError('not_found', 'no frozen snapshot yet; freeze months with: yunwang snapshot --from … --to …');
  const scopes = await scopesOf(db, latest.id, query.scope);
  if (scopes.length === 0) {
    throw new AppError('not_found', `scope ${query.scope} is not in the snapshot of ${month}`, [
      { field: 'scope', message: 'not frozen in this month' },
    ]);
  }
  const asOfById = new Map(recent.map((s) => [s.id, s.asOf]));
  const rows = await db
    .select({
      snapshotId: snapshotFigures.snapshotId,
      scope: snapshotFigures.scope,
      indicator: snapshotFigures.indicator,
      numerator: snapshotFigures.numerator,
      denominator: snapshotFigures.denominator,
    })
    .from(snapshotFigures)
    .where(
      and(
        inArray(
          snapshotFigures.snapshotId,
          recent.map((s) => s.id),
        ),
        inArray(
          snapshotFigures.scope,
          scopes.map((s) => s.scope),
        ),
      ),
    );
  const series = new Map<string, PacePoint[]>();
  for (const r of rows) {
    if (r.denominator === 0) continue;
    const key = `${r.scope}|${r.indicator}`;
    const points = series.get(key) ?? [];
    points.push({ date: asOfById.get(r.snapshotId) as string, ratio: r.numerator / r.denominator });
    series.set(key, points);
  }
  const indicatorsOf = new Map<string, IndicatorKey[]>();
  for (const r of rows) {
    if (r.snapshotId !== latest.id) continue;
    const list = indicatorsOf.get(r.scope) ?? [];
    list.push(r.indicator as IndicatorKey);
    indicatorsOf.set(r.scope, list);
  }
  return {
    month,
    months: recent.map((s) => s.month).reverse(),
    window,
    scopes: scopes.map((s) => ({
      scope: s.scope,
      scope_name: s.name,
      forecasts: indicatorKeys
        .filter((k) => indicatorsOf.get(s.scope)?.includes(k))
        .map((k) => ({ indicator: k, name: definitions[k].name, ...projectFullDate(series.get(`${s.scope}|${k}`) ?? []) })),
    })),
  };
}

export async function latestFrozenMonth(db: Db): Promise<string> {
  const [row] = await db
    .select({ month: snapshots.month })
    .from(snapshots)
    .where(eq(snapshots.status, 'frozen'))
    .orderBy(desc(snapshots.month))
    .limit(1);
  if (!row) throw new AppError('not_found', 'no frozen snapshot yet; freeze months with: yunwang snapshot --from … --to …');
  return row.month;
}
