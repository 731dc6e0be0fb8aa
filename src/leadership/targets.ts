import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { TargetScopeKind } from '../db/schema/enums.ts';
import { departments, regions, targets } from '../db/schema/index.ts';
import { fieldErrorsOf } from '../http/router.ts';
import type { Actor } from '../identity/actor.ts';
import { definitions, type IndicatorKey } from '../indicators/definitions.ts';
import { computeIndicators, parseAt } from '../indicators/service.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { TargetInput } from './schemas.ts';
import { type TargetPoint, targetInForce } from './trajectory.ts';

export const ALL_CITIES = 'cities';
export const ALL_DEPARTMENTS = 'departments';

export interface TargetScopeRef {
  scope: string;
  kind: TargetScopeKind;
  name: string;
}

/** Checks a target scope against the registry: the province, a city, `cities`, `dept:<code>` or `departments`. */
export async function resolveTargetScope(db: Db, scope: string): Promise<TargetScopeRef> {
  if (scope === ALL_CITIES) return { scope, kind: 'all_cities', name: '各设区市 (every city)' };
  if (scope === ALL_DEPARTMENTS) return { scope, kind: 'all_departments', name: '区直部门 (every province-level department)' };
  if (scope.startsWith('dept:')) {
    const code = scope.slice('dept:'.length);
    const [dept] = await db.select({ name: departments.name }).from(departments).where(eq(departments.code, code));
    if (!dept)
      throw new AppError('not_found', `department ${code} does not exist`, [{ field: 'scope', message: `unknown department "${code}"` }]);
    return { scope, kind: 'department', name: dept.name };
  }
  const [region] = /^\d{6}$/.test(scope) ? await db.select().from(regions).where(eq(regions.code, scope)) : [];
  if (region?.level === 'province' || region?.level === 'city') return { scope, kind: region.level, name: region.name };
  throw new AppError(
    'validation_failed',
    `targets are set for the province, a city, "cities", "dept:<code>" or "departments", not "${scope}"`,
    [{ field: 'scope', message: 'must be the province or a city code, cities, dept:<code> or departments' }],
  );
}

export interface Trajectory {
  indicator: IndicatorKey;
  indicator_name: string;
  scope: string;
  scope_kind: TargetScopeKind;
  points: { deadline: string; ratio: number; percent: number; note: string | null }[];
}

/** A ratio as a percent with one decimal, for display (the ratio stays exact). */
export const percentOfRatio = (ratio: number | null): number | null => (ratio === null ? null : Math.round(ratio * 1000) / 10);

type TargetRow = typeof targets.$inferSelect;

function trajectoriesOf(rows: TargetRow[]): Trajectory[] {
  const byKey = new Map<string, Trajectory>();
  for (const row of rows) {
    const key = `${row.indicator}|${row.scope}`;
    let t = byKey.get(key);
    if (!t) {
      const indicator = row.indicator as IndicatorKey;
      t = {
        indicator,
        indicator_name: definitions[indicator]?.name ?? row.indicator,
        scope: row.scope,
        scope_kind: row.scopeKind,
        points: [],
      };
      byKey.set(key, t);
    }
    t.points.push({ deadline: row.deadline, ratio: row.ratio, percent: percentOfRatio(row.ratio) ?? 0, note: row.note });
  }
  return [...byKey.values()];
}

export async function listTrajectories(db: Db, filter: { indicator?: string; scope?: string } = {}): Promise<Trajectory[]> {
  const conditions: SQL[] = [];
  if (filter.indicator) conditions.push(eq(targets.indicator, filter.indicator));
  if (filter.scope) conditions.push(eq(targets.scope, filter.scope));
  const rows = await db
    .select()
    .from(targets)
    .where(and(...conditions))
    .orderBy(asc(targets.indicator), asc(targets.scope), asc(targets.deadline));
  return trajectoriesOf(rows);
}

const targetView = (row: TargetRow) => ({
  indicator: row.indicator,
  scope: row.scope,
  deadline: row.deadline,
  ratio: row.ratio,
  note: row.note,
});

/** Sets one point of a trajectory (upsert by indicator, scope and deadline); returns the trajectory. */
export async function setTarget(database: Db, input: TargetInput, actor: Actor): Promise<Trajectory> {
  const parsed = TargetInput.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', 'invalid target', fieldErrorsOf(parsed.error));
  const t = parsed.data;
  return database.transaction(async (db) => {
    const ref = await resolveTargetScope(db, t.scope);
    if (definitions[t.indicator].regionOnly && (ref.kind === 'department' || ref.kind === 'all_departments')) {
      throw new AppError('validation_failed', `${t.indicator} is measured for regions, not departments`, [
        { field: 'scope', message: 'must be the province, a city or cities for this indicator' },
      ]);
    }
    const where = and(eq(targets.indicator, t.indicator), eq(targets.scope, t.scope), eq(targets.deadline, t.deadline));
    const [before] = await db.select().from(targets).where(where).for('update');
    const values = { ratio: t.ratio, note: t.note ?? null };
    const [after] = before
      ? await db
          .update(targets)
          .set({ ...values, updatedAt: new Date() })
          .where(eq(targets.id, before.id))
          .returning()
      : await db
          .insert(targets)
          .values({ indicator: t.indicator, scope: t.scope, scopeKind: ref.kind, deadline: t.deadline, ...values })
          .returning();
    if (!after) throw new AppError('internal', 'target write returned no row');
    if (!before || before.ratio !== after.ratio || before.note !== after.note) {
      await recordAudit(db, actor, [
        {
          action: 'target.set',
          entityKind: 'target',
          entityCode: `${t.indicator}@${t.scope}@${t.deadline}`,
          before: before ? targetView(before) : null,
          after: targetView(after),
        },
      ]);
    }
    const [trajectory] = await listTrajectories(db, { indicator: t.indicator, scope: t.scope });
    if (!trajectory) throw new AppError('internal', 'trajectory vanished after its write');
    return trajectory;
  });
}

/** Removes one point (with a deadline) or the whole trajectory of an indicator for a scope. */
export async function removeTargets(
  database: Db,
  query: { indicator: string; scope: string; deadline?: string },
  actor: Actor,
): Promise<{ removed: number }> {
  return database.transaction(async (db) => {
    const conditions = [eq(targets.indicator, query.indicator), eq(targets.scope, query.scope)];
    if (query.deadline) conditions.push(eq(targets.deadline, query.deadline));
    const removed = await db
      .delete(targets)
      .where(and(...conditions))
      .returning();
    if (removed.length === 0) {
      throw notFound('target', `${query.indicator} for ${query.scope}${query.deadline ? ` due ${query.deadline}` : ''}`);
    }
    await recordAudit(
      db,
      actor,
      removed.map((row) => ({
        action: 'target.remove',
        entityKind: 'target',
        entityCode: `${row.indicator}@${row.scope}@${row.deadline}`,
        before: targetView(row),
        after: null,
      })),
    );
    return { removed: removed.length };
  });
}

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
