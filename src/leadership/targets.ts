import { and, asc, eq, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import type { TargetScopeKind } from '../db/schema/enums.ts';
import { departments, regions, targets } from '../db/schema/index.ts';
import { fieldErrorsOf } from '../http/router.ts';
import type { Actor } from '../identity/actor.ts';
import { definitions, type IndicatorKey } from '../indicators/definitions.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { TargetInput } from './schemas.ts';
import { ALL_CITIES, ALL_DEPARTMENTS, percentOfRatio } from './target-checks.ts';

// The checks against the targets live in target-checks.ts; their callers import them from here.
export {
  ALL_CITIES,
  ALL_DEPARTMENTS,
  checkAgainst,
  loadTrajectoryIndex,
  percentOfRatio,
  type ScopeFacts,
  type TargetCheck,
  TrajectoryIndex,
  targetStatus,
} from './target-checks.ts';

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
