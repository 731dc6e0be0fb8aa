import type { LeadershipSettings } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { SnapshotLevel } from '../db/schema/enums.ts';
import { definitions, type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { percentOf } from '../indicators/percent.ts';
import { listIndicatorItems } from '../indicators/service.ts';
import { snapshotLevelLabels, zhNames } from '../vocabulary/index.ts';
import { type FrozenFigure, frozenFigures, scopesOf } from './frozen-figures.ts';
import { previousMonth } from './months.ts';
import { buildRanking, type Ranking } from './ranking.ts';
import { type RectificationOrder, rectificationOrders } from './report-work-orders.ts';
import { frozenSnapshot, requireFrozen } from './snapshots.ts';
import { ALL_DEPARTMENTS, checkAgainst, loadTrajectoryIndex, percentOfRatio, type ScopeFacts, type TrajectoryIndex } from './targets.ts';

export const levelNames: Record<SnapshotLevel, string> = zhNames(snapshotLevelLabels);

export interface ReportRow {
  level: SnapshotLevel;
  scope: string;
  name: string;
  numerator: number;
  denominator: number;
  percent: number | null;
  pending: number;
  previous_percent: number | null;
  /** Percentage points since last month's snapshot. */
  change_points: number | null;
  target_percent: number | null;
  gap_points: number | null;
  behind: boolean | null;
}

export interface IndicatorSection {
  key: IndicatorKey;
  name: string;
  name_en: string;
  rows: ReportRow[];
}

export interface OverdueTarget {
  level: SnapshotLevel;
  scope: string;
  name: string;
  indicator: IndicatorKey;
  indicator_name: string;
  deadline: string;
  target_percent: number;
  percent: number | null;
  shortfall_points: number | null;
}

export interface OverdueItem {
  scope: string;
  scope_name: string;
  indicator: IndicatorKey;
  indicator_name: string;
  deadline: string;
  code: string;
  name: string;
  department: string | null;
}

export interface SupervisionReport {
  month: string;
  as_of: string;
  revision: number;
  frozen_at: string | null;
  previous_month: string | null;
  indicators: IndicatorSection[];
  ranking: Ranking;
  overdue_targets: OverdueTarget[];
  /** Items behind a missed 100% deadline, from the registry as of the month's last day. */
  overdue_items: OverdueItem[];
  overdue_items_total: number;
  /** 整改工单: the month's rectification work orders and their state now. */
  rectification_orders: RectificationOrder[];
  rectification_orders_total: number;
}

const MAX_OVERDUE_ITEMS = 5000;

const factsOf = (f: Pick<FrozenFigure, 'scope' | 'level'>, provinceLevel: Set<string>): ScopeFacts => ({
  scope: f.scope,
  level: f.level,
  provinceLevel: provinceLevel.has(f.scope),
});

/**
 * Everything the monthly supervision report (督查通报) shows, read from the month's snapshot
 * and the one before it: the province, cities, counties and province-level departments.
 */
export async function buildSupervisionReport(db: Db, month: string, settings: LeadershipSettings): Promise<SupervisionReport> {
  const snapshot = await requireFrozen(db, month);
  const previous = await frozenSnapshot(db, previousMonth(month));
  const departmentScopes = new Set((await scopesOf(db, snapshot.id, ALL_DEPARTMENTS)).map((s) => s.scope));
  const inReport = (f: FrozenFigure) => f.level !== 'department' || departmentScopes.has(f.scope);
  const current = (await frozenFigures(db, snapshot.id, { levels: ['province', 'city', 'county', 'department'] })).filter(inReport);
  const before = previous ? await frozenFigures(db, previous.id, { scopes: [...new Set(current.map((f) => f.scope))] }) : [];
  const beforeBy = new Map(before.map((f) => [`${f.scope}|${f.indicator}`, f]));
  const trajectories = await loadTrajectoryIndex(db);
  const levelRank: Record<SnapshotLevel, number> = { province: 0, city: 1, county: 2, department: 3 };

  const indicators: IndicatorSection[] = indicatorKeys
    .map((key) => {
      const rows = current
        .filter((f) => f.indicator === key)
        .sort((a, b) => levelRank[a.level] - levelRank[b.level] || (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0))
        .map((f): ReportRow => {
          const percent = percentOf(f.numerator, f.denominator);
          const prev = beforeBy.get(`${f.scope}|${key}`);
          const previousPercent = prev ? percentOf(prev.numerator, prev.denominator) : null;
          const check = checkAgainst(
            trajectories.for(factsOf(f, departmentScopes), key),
            f.denominator > 0 ? f.numerator / f.denominator : null,
            snapshot.asOf,
          );
          return {
            level: f.level,
            scope: f.scope,
            name: f.name,
            numerator: f.numerator,
            denominator: f.denominator,
            percent,
            pending: f.pending,
            previous_percent: previousPercent,
            change_points: percent !== null && previousPercent !== null ? Math.round((percent - previousPercent) * 10) / 10 : null,
            target_percent: check.target_percent,
            gap_points: check.gap_points,
            behind: check.behind,
          };
        });
      return { key, name: definitions[key].name, name_en: definitions[key].nameEn, rows };
    })
    .filter((s) => s.rows.length > 0);

  const { overdueTargets, overdueItems, total } = await overdue(db, snapshot.asOf, current, departmentScopes, trajectories);
  const rectification = await rectificationOrders(db, snapshot.month, snapshot.asOf);
  return {
    month: snapshot.month,
    as_of: snapshot.asOf,
    revision: snapshot.revision,
    frozen_at: snapshot.frozenAt?.toISOString() ?? null,
    previous_month: previous?.month ?? null,
    indicators,
    ranking: await buildRanking(db, month, settings),
    overdue_targets: overdueTargets,
    overdue_items: overdueItems,
    overdue_items_total: total,
    rectification_orders: rectification.items,
    rectification_orders_total: rectification.total,
  };
}

/**
 * Scopes whose latest passed deadline was missed, and — where that deadline asked for 100% —
 * the items still not done, listed through the indicator's own drill-down.
 */
async function overdue(db: Db, asOf: string, current: FrozenFigure[], provinceLevel: Set<string>, trajectories: TrajectoryIndex) {
  const overdueTargets: OverdueTarget[] = [];
  const overdueItems: OverdueItem[] = [];
  const listed = new Set<string>();
  // Most specific scope first, so an item behind a department's and the province's deadline is listed once, under its department.
  const order: Record<SnapshotLevel, number> = { department: 0, city: 1, province: 2, county: 3 };
  const candidates = current.filter((f) => f.level !== 'county' && f.denominator > 0).sort((a, b) => order[a.level] - order[b.level]);
  for (const f of candidates) {
    const trajectory = trajectories.for(factsOf(f, provinceLevel), f.indicator);
    const passed = (trajectory?.points ?? []).filter((p) => p.deadline <= asOf).sort((a, b) => (a.deadline < b.deadline ? -1 : 1));
    const last = passed.at(-1);
    const ratio = f.numerator / f.denominator;
    if (!last || ratio >= last.ratio - 1e-12) continue;
    const percent = percentOf(f.numerator, f.denominator);
    const targetPercent = percentOfRatio(last.ratio) ?? 0;
    overdueTargets.push({
      level: f.level,
      scope: f.scope,
      name: f.name,
      indicator: f.indicator,
      indicator_name: definitions[f.indicator].name,
      deadline: last.deadline,
      target_percent: targetPercent,
      percent,
      shortfall_points: percent === null ? null : Math.round((targetPercent - percent) * 10) / 10,
    });
    if (last.ratio < 1) continue;
    const items = await listIndicatorItems(db, f.indicator, { scope: f.scope, at: asOf, missing: true });
    for (const item of items.items) {
      const key = `${f.indicator}|${String(item.code)}`;
      if (listed.has(key)) continue;
      listed.add(key);
      if (overdueItems.length >= MAX_OVERDUE_ITEMS) continue;
      overdueItems.push({
        scope: f.scope,
        scope_name: f.name,
        indicator: f.indicator,
        indicator_name: definitions[f.indicator].name,
        deadline: last.deadline,
        code: String(item.code),
        name: String(item.name),
        department: typeof item.department_name === 'string' ? item.department_name : null,
      });
    }
  }
  const shown: Record<SnapshotLevel, number> = { province: 0, city: 1, county: 2, department: 3 };
  overdueTargets.sort(
    (a, b) =>
      shown[a.level] - shown[b.level] ||
      (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0) ||
      indicatorKeys.indexOf(a.indicator) - indicatorKeys.indexOf(b.indicator),
  );
  return { overdueTargets, overdueItems, total: listed.size };
}
