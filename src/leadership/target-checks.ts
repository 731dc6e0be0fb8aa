import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { regions, targets } from '../db/schema/index.ts';
import type { IndicatorKey } from '../indicators/definitions.ts';
import { computeIndicators, parseAt } from '../indicators/service.ts';
import { type TargetPoint, targetInForce } from './trajectory.ts';

// A scope's figures against the trajectory in force: which trajectory applies, the target on a
// date, the gap. Read by the status page, the report, the ranking, the alerts and /metrics.

/** The group scopes a trajectory may be set for: every city, every province-level department. */
export const ALL_CITIES = 'cities';
export const ALL_DEPARTMENTS = 'departments';

/** A ratio as a percent with one decimal, for display (the ratio stays exact). */
export const percentOfRatio = (ratio: number | null): number | null => (ratio === null ? null : Math.round(ratio * 1000) / 10);

/** What a concrete scope is, for picking its trajectory. */
export interface ScopeFacts {
  scope: string;
  level: 'province' | 'city' | 'county' | 'township' | 'department';
  /** A top-level department of the province itself (区直部门); its 二层机构 count inside it. */
  provinceLevel: boolean;
}

/** Every trajectory, indexed for picking the one that applies to a scope. */
export class TrajectoryIndex {
  private readonly byKey = new Map<string, TargetPoint[]>();

  constructor(rows: readonly { indicator: string; scope: string; deadline: string; ratio: number }[]) {
    for (const row of rows) {
      const key = `${row.indicator}|${row.scope}`;
      const points = this.byKey.get(key) ?? [];
      points.push({ deadline: row.deadline, ratio: row.ratio });
      this.byKey.set(key, points);
    }
  }

  /**
   * The trajectory of a scope: its own if it has one, else the one for its group (every city,
   * every province-level department). Counties and other departments have only their own.
   */
  for(facts: ScopeFacts, indicator: IndicatorKey): { source: string; points: TargetPoint[] } | null {
    const candidates = [facts.scope];
    if (facts.level === 'city') candidates.push(ALL_CITIES);
    if (facts.level === 'department' && facts.provinceLevel) candidates.push(ALL_DEPARTMENTS);
    for (const source of candidates) {
      const points = this.byKey.get(`${indicator}|${source}`);
      if (points && points.length > 0) return { source, points };
    }
    return null;
  }
}

export async function loadTrajectoryIndex(db: Db): Promise<TrajectoryIndex> {
  return new TrajectoryIndex(
    await db.select({ indicator: targets.indicator, scope: targets.scope, deadline: targets.deadline, ratio: targets.ratio }).from(targets),
  );
}

/** Live facts of a scope key (`450100`, `dept:P001`) from the registry. */
export async function scopeFacts(db: Db, scope: string): Promise<ScopeFacts> {
  if (scope.startsWith('dept:')) {
    const [row] = await queryRows<{ province_level: boolean }>(
      db,
      sql`select (d.parent_id is null and r.level = 'province') as province_level
          from departments d join regions r on r.code = d.region_code where d.code = ${scope.slice('dept:'.length)}`,
    );
    return { scope, level: 'department', provinceLevel: row?.province_level ?? false };
  }
  const [region] = await db.select({ level: regions.level }).from(regions).where(eq(regions.code, scope));
  return { scope, level: region?.level ?? 'county', provinceLevel: false };
}

export interface TargetCheck {
  /** The target in force (0–1), null before the trajectory's first deadline or without a trajectory. */
  target: number | null;
  target_percent: number | null;
  /** target − actual, as a ratio: positive when behind, negative when ahead. */
  gap: number | null;
  gap_points: number | null;
  behind: boolean | null;
  next_deadline: string | null;
  next_target: number | null;
  /** next target − actual: how far there is still to go by the next deadline. */
  gap_to_next: number | null;
  /** Which trajectory applied: the scope's own, `cities` or `departments`. */
  source: string | null;
}

/** A scope's ratio against its trajectory on a date. */
export function checkAgainst(trajectory: { source: string; points: TargetPoint[] } | null, ratio: number | null, at: string): TargetCheck {
  if (!trajectory) {
    return {
      target: null,
      target_percent: null,
      gap: null,
      gap_points: null,
      behind: null,
      next_deadline: null,
      next_target: null,
      gap_to_next: null,
      source: null,
    };
  }
  const { target, next } = targetInForce(trajectory.points, at);
  const gap = target === null || ratio === null ? null : target - ratio;
  return {
    target,
    target_percent: percentOfRatio(target),
    gap,
    gap_points: gap === null ? null : Math.round(gap * 1000) / 10,
    behind: gap === null ? null : gap > 1e-12,
    next_deadline: next?.deadline ?? null,
    next_target: next?.ratio ?? null,
    gap_to_next: next && ratio !== null ? next.ratio - ratio : null,
    source: trajectory.source,
  };
}

export interface TargetStatus {
  scope: string;
  scope_name: string;
  at: string;
  indicators: ({
    key: IndicatorKey;
    name: string;
    numerator: number;
    denominator: number;
    ratio: number | null;
    percent: number | null;
  } & TargetCheck)[];
}

/** For any scope and date: each indicator's figure, the target in force, the gap and whether it is behind. */
export async function targetStatus(db: Db, query: { scope: string; at?: string }): Promise<TargetStatus> {
  const at = parseAt(query.at);
  const report = await computeIndicators(db, { scope: query.scope, at });
  const [index, facts] = await Promise.all([loadTrajectoryIndex(db), scopeFacts(db, report.scope)]);
  return {
    scope: report.scope,
    scope_name: report.scope_name,
    at,
    indicators: report.indicators.map((f) => ({
      key: f.key,
      name: f.name,
      numerator: f.numerator,
      denominator: f.denominator,
      ratio: f.ratio,
      percent: f.percent,
      ...checkAgainst(index.for(facts, f.key), f.ratio, at),
    })),
  };
}
