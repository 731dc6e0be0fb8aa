import { eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { departments } from '../db/schema/index.ts';
import { type Area, departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { businessDate, isCalendarDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import type { IndicatorCache } from './cache.ts';
import { definitions, type IndicatorDefinition, type IndicatorKey, indicatorKeys } from './definitions.ts';
import { percentOf, ratioOf } from './percent.ts';
import { type RollupCount, readRollupCounts } from './rollups/read.ts';
import type { Figure, IndicatorFigure, IndicatorReport } from './schemas.ts';
import { resolveScope, type Scope } from './scope.ts';

// Their types come from the route's schemas; they are imported from here all over the code.
export type { Figure, IndicatorFigure, IndicatorReport } from './schemas.ts';

export interface IndicatorQuery {
  scope: string;
  at?: string;
  self?: boolean;
}

const figure = (numerator: number, denominator: number): Figure => ({
  numerator,
  denominator,
  ratio: ratioOf(numerator, denominator),
  percent: percentOf(numerator, denominator),
});

export interface CountRow {
  group_a: string | null;
  group_b: string | null;
  numerator: number;
  denominator: number;
  pending: number;
}

function countsOf(items: ReturnType<IndicatorDefinition['items']>, groupBy?: [string, string]) {
  const groups = groupBy ? sql.raw(`x.${groupBy[0]} as group_a, x.${groupBy[1]} as group_b`) : sql`null as group_a, null as group_b`;
  return sql`
    select ${groups},
           (count(*) filter (where x.in_denominator and x.done))::int as numerator,
           (count(*) filter (where x.in_denominator))::int as denominator,
           (count(*) filter (where x.pending))::int as pending
    from (${items}) x
    ${groupBy ? sql.raw(`group by x.${groupBy[0]}, x.${groupBy[1]}`) : sql``}`;
}

/** The figure, from per-group counts (one row without a breakdown; service_integration's by system type and level). */
export function figureOf(def: IndicatorDefinition, rows: CountRow[]): IndicatorFigure {
  const base = { key: def.key, name: def.name, name_en: def.nameEn };
  const sum = (pick: (r: CountRow) => boolean) => {
    const mine = rows.filter(pick);
    return figure(
      mine.reduce((n, r) => n + r.numerator, 0),
      mine.reduce((n, r) => n + r.denominator, 0),
    );
  };
  if (def.key !== 'service_integration') {
    return { ...base, ...sum(() => true), pending: rows.reduce((n, r) => n + r.pending, 0) };
  }
  const keysOf = (k: 'group_a' | 'group_b') => [...new Set(rows.map((r) => r[k] ?? ''))].sort();
  return {
    ...base,
    ...sum(() => true),
    pending: 0,
    breakdown: {
      by_system_type: Object.fromEntries(keysOf('group_a').map((t) => [t, sum((r) => r.group_a === t)])),
      by_level: Object.fromEntries(keysOf('group_b').map((l) => [l, sum((r) => r.group_b === l)])),
    },
  };
}

/** Counts the figure's items (the definition's SQL) as of `at`. */
async function countOne(db: Db, def: IndicatorDefinition, scope: Scope, at: string): Promise<IndicatorFigure | null> {
  const items = def.items(scope, at);
  if (!items) return null;
  // One grouped pass gives the total and both splits.
  const groups: [string, string] | undefined = def.key === 'service_integration' ? ['system_type', 'level'] : undefined;
  return figureOf(def, await queryRows<CountRow>(db, countsOf(items, groups)));
}

/**
 * The figure from the rollups' counts: the same rows the item SQL's grouped count gives (a
 * group shows when it lists an item, even at 0 of 0).
 */
export function rolledUpOne(def: IndicatorDefinition, counts: RollupCount[]): IndicatorFigure {
  const rows = counts
    .filter((c) => c.indicator === def.key && (def.rollup?.breakdown === undefined || c.items > 0))
    .map((c) => ({ group_a: c.breakdown, group_b: c.level, numerator: c.numerator, denominator: c.denominator, pending: c.pending }));
  return figureOf(def, rows);
}

/** Validates a business date; the default is today. */
export function parseAt(at: string | undefined): string {
  if (at === undefined || at === '') return businessDate();
  if (!isCalendarDate(at)) {
    throw new AppError('validation_failed', `at "${at}" is not a date written YYYY-MM-DD`, [
      { field: 'at', message: 'must be a real calendar date written YYYY-MM-DD' },
    ]);
  }
  return at;
}

/**
 * The official indicator set for one scope as of the end of one business day. The API,
 * the CLI, /metrics and the reports all read figures through here.
 */
export async function computeIndicators(db: Db, query: IndicatorQuery, cache?: IndicatorCache<IndicatorReport>): Promise<IndicatorReport> {
  const at = parseAt(query.at);
  const self = query.self ?? false;
  if (cache) return cache.getOrCompute(db, `${query.scope}|${at}|${self}`, () => computeIndicators(db, { ...query, at, self }));
  return indicatorReport(db, { ...query, at, self }, 'rollups');
}

/**
 * The same report counted from the items themselves (the definitions' SQL), never from the
 * rollups: what `yunwang rollups check` and the property test hold the rollups to.
 */
export function recountIndicators(db: Db, query: IndicatorQuery): Promise<IndicatorReport> {
  return indicatorReport(db, { ...query, at: parseAt(query.at), self: query.self ?? false }, 'items');
}

async function indicatorReport(
  db: Db,
  query: IndicatorQuery & { at: string; self: boolean },
  source: 'rollups' | 'items',
): Promise<IndicatorReport> {
  const { at, self } = query;
  const scope = await resolveScope(db, query.scope, self);
  // Kept in the same transaction as every write, the rollups answer for every indicator that
  // has them; the coverage indicators (regions with a commissioned node) are counted as before.
  const defs = indicatorKeys.map((key) => definitions[key]);
  const [counts, ...counted] = await Promise.all([
    source === 'rollups' ? readRollupCounts(db, scope, at) : null,
    ...defs.map((def) => (def.rollup ? null : countOne(db, def, scope, at))),
  ]);
  // Not built yet (a registry migrated with its history, until `yunwang rollups rebuild`): count the items.
  const figures = await Promise.all(
    defs.map((def, i) => counted[i] ?? (def.rollup && counts ? rolledUpOne(def, counts) : countOne(db, def, scope, at))),
  );
  return {
    scope: scope.key,
    scope_name: scope.name,
    scope_kind: scope.kind,
    self: scope.self,
    at,
    indicators: figures.filter((f): f is IndicatorFigure => f !== null),
  };
}

export interface ItemsQuery extends IndicatorQuery {
  missing?: boolean;
  limit?: number;
  offset?: number;
}

export interface ItemsPage {
  key: IndicatorKey;
  scope: string;
  at: string;
  missing: boolean;
  total: number;
  limit: number | null;
  offset: number;
  columns: readonly string[];
  items: Record<string, unknown>[];
}

export function indicatorDefinition(key: string): IndicatorDefinition {
  if (!(indicatorKeys as readonly string[]).includes(key)) {
    throw new AppError('not_found', `indicator ${key} does not exist; known: ${indicatorKeys.join(', ')}`);
  }
  return definitions[key as IndicatorKey];
}

/**
 * The exact items behind a figure: those in its denominator (with `done`), or with
 * `missing` only those not yet done. `limit` undefined lists them all (CSV export).
 */
export async function listIndicatorItems(db: Db, key: string, query: ItemsQuery): Promise<ItemsPage> {
  const def = indicatorDefinition(key);
  const at = parseAt(query.at);
  const scope = await resolveScope(db, query.scope, query.self ?? false);
  const items = def.items(scope, at);
  if (!items) {
    throw new AppError('validation_failed', `${key} is measured for regions, not departments`, [
      { field: 'scope', message: 'must be a region code for this indicator' },
    ]);
  }
  const missing = query.missing ?? false;
  const where = missing ? sql`x.in_denominator and not x.done` : sql`x.in_denominator`;
  const offset = query.offset ?? 0;
  const page = query.limit === undefined ? sql`` : sql`limit ${query.limit} offset ${offset}`;
  const columns = sql.raw(def.columns.map((c) => `x.${c}`).join(', '));
  const [total, rows] = await Promise.all([
    itemsTotal(db, def, scope, at, missing, sql`select count(*)::int as total from (${items}) x where ${where}`),
    queryRows<Record<string, unknown>>(db, sql`select ${columns} from (${items}) x where ${where} order by x.code ${page}`),
  ]);
  return {
    key: def.key,
    scope: scope.key,
    at,
    missing,
    total,
    limit: query.limit ?? null,
    offset,
    columns: def.columns,
    items: rows,
  };
}

/**
 * How many items a drill-down lists in all: the figure's own denominator (or what it still
 * lacks), read from the rollups as the figure is — counting the scope's items again cost a
 * province-wide scan per page (issue 20) — or counted from the items while the rollups are not
 * built. The property test holds the two equal.
 */
async function itemsTotal(db: Db, def: IndicatorDefinition, scope: Scope, at: string, missing: boolean, count: SQL): Promise<number> {
  const counts = def.rollup ? await readRollupCounts(db, scope, at) : null;
  if (counts) {
    const figure = rolledUpOne(def, counts);
    return missing ? figure.denominator - figure.numerator : figure.denominator;
  }
  const [counted] = await queryRows<{ total: number }>(db, count);
  return counted?.total ?? 0;
}

/**
 * The figures as a caller may read them: a department user reads its own department's
 * (scope dept:<code> inside its subtree); other readers any scope.
 */
export async function readIndicators(
  db: Db,
  query: IndicatorQuery,
  actor: Actor,
  cache?: IndicatorCache<IndicatorReport>,
): Promise<IndicatorReport> {
  await assertScopeReadable(db, query.scope, actor);
  return computeIndicators(db, query, cache);
}

export async function readIndicatorItems(db: Db, key: string, query: ItemsQuery, actor: Actor): Promise<ItemsPage> {
  await assertScopeReadable(db, query.scope, actor);
  return listIndicatorItems(db, key, query);
}

/**
 * A department user reads figures of its own department subtree only (scope dept:<code>); a
 * department outside it does not exist for him. Other readers of the area read any scope.
 */
export async function assertScopeReadable(db: Db, scope: string, actor: Actor, area: Area = 'indicators'): Promise<void> {
  const limit = departmentLimit(actor.access, 'read', area);
  if (limit === null) return;
  if (!scope.startsWith('dept:')) {
    throw new AppError('forbidden', 'a department user reads its own department’s figures: scope=dept:<department code>', [
      { field: 'scope', message: 'must be dept:<your department or one under it>' },
    ]);
  }
  const code = scope.slice('dept:'.length);
  const [dept] = await db.select({ path: departments.path }).from(departments).where(eq(departments.code, code));
  if (!dept?.path.startsWith(limit)) throw new AppError('not_found', `scope ${scope}: department ${code} does not exist`);
}
