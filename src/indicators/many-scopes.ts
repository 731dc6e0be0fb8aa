import { sql } from 'drizzle-orm';
import { type Db, isEmbedded } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { mapLimited, yieldEvery, yieldToEventLoop } from '../kernel/yielding.ts';
import { definitions, indicatorKeys } from './definitions.ts';
import { checkpointSql, type RollupCount } from './rollups/read.ts';
import type { Scope } from './scope.ts';
import { computeIndicators, figureOf, type IndicatorFigure, type IndicatorReport, rolledUpOne } from './service.ts';

/**
 * Every region's and every department's figures as of one date at once — for the month's
 * snapshot and the map, which need hundreds of scopes. Each department's rolled-up counts are
 * read in one grouped query and summed up both trees in memory, as the one-scope read sums
 * them in SQL (a region: the departments whose region lies under it, now; a department: its
 * subtree, now); the coverage indicators list every region once through their own item SQL.
 * The figures are then made by the same functions as computeIndicators' (figureOf,
 * rolledUpOne), so a frozen figure is exactly the one the API gives (tests compare them).
 */

interface RegionRow {
  code: string;
  name: string;
  level: string;
  path: string;
}

interface DepartmentRow {
  id: number;
  code: string;
  name: string;
  path: string;
  region_code: string;
}

/** What a scope covers, for summing: its regions' paths or its departments' subtree. */
export type ScopeKey = string;

export async function computeIndicatorsForScopes(
  db: Db,
  keys: readonly ScopeKey[],
  at: string,
  options: { concurrency?: number } = {},
): Promise<Map<ScopeKey, IndicatorReport>> {
  // The embedded database answers each query on this thread: between steps, other requests go first.
  await yieldToEventLoop();
  // Regions only (the map): their month-end levels and the deltas since, as the one-scope read
  // sums them; with departments among the scopes (a month's snapshot), each department's deltas.
  const regionsOnly = keys.every((key) => !key.startsWith('dept:'));
  const counts = regionsOnly ? await regionCounts(db, at) : await departmentCounts(db, at);
  await yieldToEventLoop();
  // Rollups not built yet (a registry migrated with its history), or an indicator this sum
  // does not know how to make: one scope at a time, through computeIndicators.
  if (counts === null || !indicatorKeys.every((k) => definitions[k].rollup || definitions[k].regionOnly)) {
    const reports = await mapLimited(keys, options.concurrency ?? 4, (key) => computeIndicators(db, { scope: key, at }));
    return new Map(keys.map((key, i) => [key, reports[i] as IndicatorReport]));
  }
  const [regionRows, departmentRows] = await Promise.all([
    queryRows<RegionRow>(db, sql`select code, name, level, path from regions`),
    queryRows<DepartmentRow>(db, sql`select id, code, name, path, region_code from departments`),
  ]);
  const regionByCode = new Map(regionRows.map((r) => [r.code, r]));
  const departmentById = new Map(departmentRows.map((d) => [d.id, d]));
  const departmentByCode = new Map(departmentRows.map((d) => [d.code, d]));
  const departmentByPath = new Map(departmentRows.map((d) => [d.path, d]));

  // Each department's counts, added to every scope over it: its ancestors (and itself) in the
  // department tree, and the ancestors (and itself) of its region in the region tree.
  const perScope = new Map<ScopeKey, Map<string, RollupCount>>();
  const add = (scope: ScopeKey, count: RollupCount) => {
    let groups = perScope.get(scope);
    if (!groups) {
      groups = new Map();
      perScope.set(scope, groups);
    }
    const key = `${count.indicator}|${count.breakdown}|${count.level}`;
    const sum = groups.get(key);
    if (!sum) groups.set(key, { ...count });
    else {
      sum.denominator += count.denominator;
      sum.numerator += count.numerator;
      sum.pending += count.pending;
      sum.items += count.items;
    }
  };
  const pause = yieldEvery();
  for (const { department_id, region_code, ...row } of counts) {
    await pause();
    const department = department_id === null ? undefined : departmentById.get(department_id);
    const region = regionByCode.get(department?.region_code ?? region_code ?? '');
    const count: RollupCount = { ...row, level: region?.level ?? '' };
    if (department) for (const ancestor of ancestorsOf(department.path, departmentByPath)) add(`dept:${ancestor.code}`, count);
    for (const ancestor of ancestorsOf(region?.path ?? '', regionByCode, true)) add(ancestor.code, count);
  }

  const coverage = await coverageByRegion(db, at, regionByCode);
  const reports = new Map<ScopeKey, IndicatorReport>();
  for (const key of keys) {
    await pause();
    const isDepartment = key.startsWith('dept:');
    const target = isDepartment ? departmentByCode.get(key.slice('dept:'.length)) : regionByCode.get(key);
    if (!target) {
      // Not in the registry as read here (a scope that a write just removed): the one-scope path says so.
      reports.set(key, await computeIndicators(db, { scope: key, at }));
      continue;
    }
    const scopeCounts = [...(perScope.get(key)?.values() ?? [])];
    const figures: IndicatorFigure[] = [];
    for (const indicator of indicatorKeys) {
      const def = definitions[indicator];
      if (def.rollup) figures.push(rolledUpOne(def, scopeCounts));
      // Coverage is about places: a department has none (its item SQL lists nothing).
      else if (!isDepartment) {
        const listed = coverage.get(indicator)?.get(key) ?? { numerator: 0, denominator: 0 };
        figures.push(figureOf(def, [{ group_a: null, group_b: null, ...listed, pending: 0 }]));
      }
    }
    reports.set(key, {
      scope: key,
      scope_name: target.name,
      scope_kind: isDepartment ? 'department' : 'region',
      self: false,
      at,
      indicators: figures,
    });
  }
  return reports;
}

/** The scopes over a node: itself and each ancestor, found by the prefixes of its path (`/a/b/c/`). */
function ancestorsOf<T>(path: string, byKey: Map<string, T>, byCode = false): T[] {
  const parts = path.split('/').filter(Boolean);
  const found: T[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const node = byKey.get(byCode ? (parts[i - 1] as string) : `/${parts.slice(0, i).join('/')}/`);
    if (node) found.push(node);
  }
  return found;
}

type PlacedCount = Omit<RollupCount, 'level'> & { department_id: number | null; region_code: string | null };

/**
 * Departments summed per statement on the embedded database, whose statements run on this
 * thread: the demo's 761 in one took ~50 ms; in parts of 50 each takes 5–8 ms once warm, with
 * a turn between.
 */
const embeddedDepartmentsPerRead = 50;

/** Each department's rolled-up counts as of `at`, or null while the rollups are not built. */
async function departmentCounts(db: Db, at: string): Promise<PlacedCount[] | null> {
  const parts = isEmbedded(db) ? await departmentIdRanges(db, embeddedDepartmentsPerRead) : [null];
  const rows: (PlacedCount & { built: boolean })[] = [];
  for (const part of parts) {
    const within = part ? sql`and c.department_id between ${part.from} and ${part.to}` : sql``;
    rows.push(
      ...(await queryRows<PlacedCount & { built: boolean }>(
        db,
        sql`select c.department_id, null as region_code, c.indicator, c.breakdown,
                   sum(c.denominator)::int as denominator, sum(c.numerator)::int as numerator,
                   sum(c.pending)::int as pending, sum(c.items)::int as items,
                   (select built from rollup_state where id = 1) as built
            from rollup_deltas c where c.on_date <= ${at}::date ${within}
            group by c.department_id, c.indicator, c.breakdown`,
      )),
    );
  }
  const [state] = rows.length > 0 ? rows : await queryRows<{ built: boolean }>(db, sql`select built from rollup_state where id = 1`);
  if (!state?.built) return null;
  return rows.map(({ built: _, ...row }) => row);
}

/** The department ids in rollup_deltas, in consecutive ranges of `size` (its key starts with the department). */
async function departmentIdRanges(db: Db, size: number): Promise<{ from: number; to: number }[]> {
  const [bounds] = await queryRows<{ low: number | null; high: number | null }>(
    db,
    sql`select min(department_id) as low, max(department_id) as high from rollup_deltas`,
  );
  if (bounds?.low == null || bounds.high == null) return [{ from: 0, to: 0 }];
  const ranges: { from: number; to: number }[] = [];
  for (let from = bounds.low; from <= bounds.high; from += size) ranges.push({ from, to: Math.min(from + size - 1, bounds.high) });
  return ranges;
}

/**
 * Each region's own rolled-up counts as of `at` (its departments', not its subregions'): the
 * month-end level on or before it plus the deltas since — what the one-scope read sums for a
 * region scope, for every region at once. Null while the rollups are not built.
 */
async function regionCounts(db: Db, at: string): Promise<PlacedCount[] | null> {
  const rows = await queryRows<PlacedCount & { built: boolean }>(
    db,
    sql`with month as (select ${checkpointSql(at)} as m)
        select null::int as department_id, c.region_code, c.indicator, c.breakdown,
               sum(c.denominator)::int as denominator, sum(c.numerator)::int as numerator,
               sum(c.pending)::int as pending, sum(c.items)::int as items,
               (select built from rollup_state where id = 1) as built
        from (
          select c.region_code, c.indicator, c.breakdown, c.denominator, c.numerator, c.pending, c.items
          from rollup_checkpoints c where c.month_end = (select m from month)
          union all
          select d.region_code, x.indicator, x.breakdown, x.denominator, x.numerator, x.pending, x.items
          from rollup_deltas x join departments d on d.id = x.department_id
          where x.on_date <= ${at}::date and x.on_date >= coalesce((select m + 1 from month), '-infinity'::date)
        ) c
        group by c.region_code, c.indicator, c.breakdown`,
  );
  const [state] = rows.length > 0 ? rows : await queryRows<{ built: boolean }>(db, sql`select built from rollup_state where id = 1`);
  if (!state?.built) return null;
  return rows.map(({ built: _, ...row }) => row);
}

/**
 * The coverage indicators (regions with a commissioned metro node) per region scope: their own
 * item SQL over every region once, each listed region then counted in every scope over it.
 */
async function coverageByRegion(db: Db, at: string, regionByCode: Map<string, RegionRow>) {
  const everywhere: Scope = {
    key: '*',
    kind: 'region',
    code: '*',
    name: '*',
    self: false,
    departments: sql`true`,
    regions: sql`true`,
  };
  const byIndicator = new Map<string, Map<ScopeKey, { numerator: number; denominator: number }>>();
  for (const indicator of indicatorKeys) {
    const def = definitions[indicator];
    if (def.rollup || !def.regionOnly) continue;
    const items = def.items(everywhere, at);
    if (!items) continue;
    await yieldToEventLoop();
    const listed = await queryRows<{ code: string; in_denominator: boolean; done: boolean }>(
      db,
      sql`select x.code, x.in_denominator, x.done from (${items}) x`,
    );
    const perScope = new Map<ScopeKey, { numerator: number; denominator: number }>();
    for (const item of listed) {
      if (!item.in_denominator) continue;
      for (const ancestor of ancestorsOf(regionByCode.get(item.code)?.path ?? '', regionByCode, true)) {
        const sum = perScope.get(ancestor.code) ?? { numerator: 0, denominator: 0 };
        sum.denominator += 1;
        if (item.done) sum.numerator += 1;
        perScope.set(ancestor.code, sum);
      }
    }
    byIndicator.set(indicator, perScope);
  }
  return byIndicator;
}
