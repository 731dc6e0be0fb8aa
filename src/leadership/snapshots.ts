import { and, asc, desc, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { SnapshotLevel } from '../db/schema/enums.ts';
import { snapshotFigures, snapshotScopes, snapshots } from '../db/schema/index.ts';
import { AppError } from '../http/errors.ts';
import type { Actor } from '../identity/actor.ts';
import { definitions, type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { percentOf, ratioOf } from '../indicators/percent.ts';
import { computeIndicators, type IndicatorFigure, type IndicatorReport } from '../indicators/service.ts';
import { todayIso } from '../registry/history.ts';
import { readRegistryVersion } from '../registry/version.ts';
import { lastDayOf, parseMonth } from './months.ts';
import { ALL_CITIES, ALL_DEPARTMENTS } from './targets.ts';

type SnapshotRow = typeof snapshots.$inferSelect;

export interface SnapshotMeta {
  month: string;
  revision: number;
  status: SnapshotRow['status'];
  as_of: string;
  requested_at: string;
  requested_by: string;
  frozen_at: string | null;
  frozen_by: string | null;
  reason: string | null;
  registry_version: number | null;
  scope_count: number;
  figure_count: number;
  duration_ms: number | null;
  superseded_at: string | null;
}

export const snapshotMeta = (row: SnapshotRow): SnapshotMeta => ({
  month: row.month,
  revision: row.revision,
  status: row.status,
  as_of: row.asOf,
  requested_at: row.requestedAt.toISOString(),
  requested_by: row.requestedBy,
  frozen_at: row.frozenAt?.toISOString() ?? null,
  frozen_by: row.frozenBy,
  reason: row.reason,
  registry_version: row.registryVersion,
  scope_count: row.scopeCount,
  figure_count: row.figureCount,
  duration_ms: row.durationMs,
  superseded_at: row.supersededAt?.toISOString() ?? null,
});

/** A scope a snapshot covers, with what it was that month. */
export interface FrozenScope {
  scope: string;
  kind: 'region' | 'department';
  level: SnapshotLevel;
  name: string;
  regionCode: string;
  parentCode: string | null;
}

const levelOrder = sql`case level when 'province' then 0 when 'city' then 1 else 2 end`;

/** The province, every city and county, and every department, in a stable order. */
async function scopesToFreeze(db: Db): Promise<FrozenScope[]> {
  const regionRows = await queryRows<{ code: string; name: string; level: 'province' | 'city' | 'county'; parent_code: string | null }>(
    db,
    sql`select code, name, level, parent_code from regions where level in ('province', 'city', 'county') order by ${levelOrder}, code`,
  );
  const deptRows = await queryRows<{ code: string; name: string; region_code: string; parent_code: string | null }>(
    db,
    sql`select d.code, d.name, d.region_code, p.code as parent_code
        from departments d left join departments p on p.id = d.parent_id order by d.code`,
  );
  return [
    ...regionRows.map((r) => ({
      scope: r.code,
      kind: 'region' as const,
      level: r.level,
      name: r.name,
      regionCode: r.code,
      parentCode: r.parent_code,
    })),
    ...deptRows.map((d) => ({
      scope: `dept:${d.code}`,
      kind: 'department' as const,
      level: 'department' as const,
      name: d.name,
      regionCode: d.region_code,
      parentCode: d.parent_code,
    })),
  ];
}

/**
 * Runs `fn` over `items` with at most `limit` at once; results in input order. Each step
 * yields to the event loop: the embedded database answers through promise callbacks alone,
 * and without the yield a background freeze would starve every HTTP request until it ends.
 */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

interface Computed {
  scopes: FrozenScope[];
  reports: IndicatorReport[];
  version: number;
}

/**
 * Every scope's figures through computeIndicators — the one code path — as of `asOf`. The
 * registry version is read before and after: a write landing meanwhile could mix two states
 * of the registry in one month, so the pass is repeated.
 */
async function computeAllScopes(db: Db, asOf: string, concurrency: number, log: (line: string) => void): Promise<Computed> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const version = await readRegistryVersion(db);
    const scopes = await scopesToFreeze(db);
    const reports = await mapLimited(scopes, concurrency, (s) => computeIndicators(db, { scope: s.scope, at: asOf, self: false }));
    if ((await readRegistryVersion(db)) === version) return { scopes, reports, version };
    log(`the registry changed while the figures as of ${asOf} were computed; computing them again`);
  }
  throw new AppError('conflict', `the registry kept changing while the figures as of ${asOf} were computed; try again`);
}

export interface FreezeOptions {
  actor: Actor;
  /** Freeze again a month already frozen (audited; the earlier revision is kept). */
  refreeze?: boolean;
  reason?: string;
  concurrency?: number;
  /** The business date today; a month is frozen only once it has ended. */
  today?: string;
  log?: (line: string) => void;
}

export interface FreezeResult {
  month: string;
  outcome: 'frozen' | 'refrozen' | 'unchanged';
  snapshot: SnapshotMeta;
  /** On a re-freeze: how many figures differ from the revision it replaces. */
  changed_figures?: number;
}

const currentRow = (db: Db, month: string) =>
  db
    .select()
    .from(snapshots)
    .where(and(eq(snapshots.month, month), ne(snapshots.status, 'superseded')));

/** Refuses a month that has not ended: its last day's figures could still change. */
function checkEnded(month: string, today: string): string {
  const asOf = lastDayOf(parseMonth(month));
  if (asOf >= today) {
    throw new AppError('validation_failed', `month ${month} has not ended yet (its last day is ${asOf}, today is ${today})`, [
      { field: 'month', message: 'must be a month that has ended' },
    ]);
  }
  return asOf;
}

const figureKey = (scope: string, indicator: string) => `${scope}|${indicator}`;

/** One figure a re-freeze changed, as `numerator/denominator (pending n)`; null = absent. */
interface FigureChange {
  scope: string;
  indicator: string;
  before: string | null;
  after: string | null;
}

/**
 * Freezes every indicator of every scope as of the month's last day. A month already frozen
 * is left exactly as it is, unless `refreeze` (with a reason) asks for a new revision.
 */
export async function freezeMonth(database: Db, month: string, options: FreezeOptions): Promise<FreezeResult> {
  const log = options.log ?? (() => {});
  const asOf = checkEnded(month, options.today ?? todayIso());
  const refreeze = options.refreeze ?? false;
  const reason = options.reason?.trim() || null;
  if (refreeze && !reason) {
    throw new AppError('validation_failed', 're-freezing a month needs a reason', [
      { field: 'reason', message: 'is required with refreeze' },
    ]);
  }
  const [existing] = await currentRow(database, month);
  if (existing?.status === 'frozen' && !refreeze) return { month, outcome: 'unchanged', snapshot: snapshotMeta(existing) };

  const started = performance.now();
  const { scopes, reports, version } = await computeAllScopes(database, asOf, options.concurrency ?? 4, log);
  const figures = reports.flatMap((report) =>
    report.indicators.map((f) => ({
      scope: report.scope,
      indicator: f.key,
      numerator: f.numerator,
      denominator: f.denominator,
      pending: f.pending,
      breakdown: f.breakdown ?? null,
    })),
  );
  const durationMs = Math.round(performance.now() - started);

  const result = await database.transaction(async (db): Promise<FreezeResult> => {
    // The lock orders concurrent freezes of one month (two replicas' schedulers, say).
    const [current] = await currentRow(db, month).for('update');
    if (current?.status === 'frozen' && !refreeze) return { month, outcome: 'unchanged' as const, snapshot: snapshotMeta(current) };
    const frozen = {
      status: 'frozen' as const,
      asOf,
      frozenAt: new Date(),
      frozenBy: options.actor.name,
      reason,
      registryVersion: version,
      scopeCount: scopes.length,
      figureCount: figures.length,
      durationMs,
    };
    let row: SnapshotRow | undefined;
    let changes: FigureChange[] | undefined;
    if (current?.status === 'pending') {
      [row] = await db.update(snapshots).set(frozen).where(eq(snapshots.id, current.id)).returning();
    } else if (current?.status === 'frozen') {
      changes = await diffAgainst(db, current.id, figures);
      await db.update(snapshots).set({ status: 'superseded', supersededAt: new Date() }).where(eq(snapshots.id, current.id));
      [row] = await db
        .insert(snapshots)
        .values({ month, revision: current.revision + 1, requestedBy: options.actor.name, ...frozen })
        .returning();
    } else {
      [row] = await db
        .insert(snapshots)
        .values({ month, revision: 1, requestedBy: options.actor.name, ...frozen })
        .onConflictDoNothing()
        .returning();
      if (!row) {
        // Another process froze it between our check and our insert: theirs stands.
        const [theirs] = await currentRow(db, month);
        if (!theirs) throw new AppError('internal', `snapshot ${month} vanished`);
        return { month, outcome: 'unchanged' as const, snapshot: snapshotMeta(theirs) };
      }
    }
    if (!row) throw new AppError('internal', `snapshot ${month} was not written`);
    const snapshotId = row.id;
    for (let i = 0; i < scopes.length; i += 1000) {
      await db.insert(snapshotScopes).values(scopes.slice(i, i + 1000).map((s) => ({ snapshotId, ...s })));
    }
    for (let i = 0; i < figures.length; i += 1000) {
      await db.insert(snapshotFigures).values(figures.slice(i, i + 1000).map((f) => ({ snapshotId, ...f })));
    }
    // scopes and reports are index-aligned (mapLimited keeps the order).
    const province = reports[scopes.findIndex((s) => s.level === 'province')];
    const summary = Object.fromEntries((province?.indicators ?? []).map((f) => [f.key, `${f.numerator}/${f.denominator}`]));
    const meta = snapshotMeta(row);
    await recordAudit(db, options.actor, [
      {
        action: current?.status === 'frozen' ? 'snapshot.refreeze' : 'snapshot.freeze',
        entityKind: 'snapshot',
        entityCode: month,
        before: current ? snapshotMeta(current) : null,
        after: {
          ...meta,
          province: summary,
          ...(changes ? { changed_figures: changes.length, changes: changes.slice(0, 100) } : {}),
        },
      },
    ]);
    log(
      `froze ${month} (as of ${asOf}, revision ${row.revision}): ${scopes.length} scopes, ${figures.length} figures in ${(durationMs / 1000).toFixed(1)} s`,
    );
    return changes
      ? { month, outcome: 'refrozen' as const, snapshot: meta, changed_figures: changes.length }
      : { month, outcome: 'frozen' as const, snapshot: meta };
  });
  // Thousands of new rows a month: without fresh statistics the planner, still believing the
  // tables empty, picked plans that took a province-scale ranking from 0.1 s to 8 s.
  if (result.outcome !== 'unchanged') await database.execute(sql`analyze snapshots, snapshot_scopes, snapshot_figures`);
  return result;
}

async function diffAgainst(
  db: Db,
  snapshotId: number,
  figures: { scope: string; indicator: string; numerator: number; denominator: number; pending: number }[],
) {
  const old = await db.select().from(snapshotFigures).where(eq(snapshotFigures.snapshotId, snapshotId));
  const oldByKey = new Map(old.map((f) => [figureKey(f.scope, f.indicator), f]));
  const text = (f: { numerator: number; denominator: number; pending: number }) => `${f.numerator}/${f.denominator} (pending ${f.pending})`;
  const changes: FigureChange[] = [];
  for (const f of figures) {
    const key = figureKey(f.scope, f.indicator);
    const o = oldByKey.get(key);
    oldByKey.delete(key);
    if (!o || o.numerator !== f.numerator || o.denominator !== f.denominator || o.pending !== f.pending) {
      changes.push({ scope: f.scope, indicator: f.indicator, before: o ? text(o) : null, after: text(f) });
    }
  }
  // Scopes gone from the registry since (a department merged away, say).
  for (const o of oldByKey.values()) changes.push({ scope: o.scope, indicator: o.indicator, before: text(o), after: null });
  return changes;
}

/** Freezes months one after another (a backfill); each month is its own transaction. */
export async function freezeMonths(database: Db, months: readonly string[], options: FreezeOptions): Promise<FreezeResult[]> {
  const today = options.today ?? todayIso();
  for (const month of months) checkEnded(month, today);
  const results: FreezeResult[] = [];
  for (const month of months) results.push(await freezeMonth(database, month, { ...options, today }));
  return results;
}

/** Queues months for the server's snapshot job; months already queued or frozen are left alone. */
export async function queueMonths(database: Db, months: readonly string[], actor: Actor, today = todayIso()): Promise<string[]> {
  const rows = months.map((month) => ({ month, asOf: checkEnded(month, today), status: 'pending' as const, requestedBy: actor.name }));
  if (rows.length === 0) return [];
  return database.transaction(async (db) => {
    const queued = await db.insert(snapshots).values(rows).onConflictDoNothing().returning({ month: snapshots.month });
    if (queued.length > 0) {
      await recordAudit(
        db,
        actor,
        queued.map((q) => ({
          action: 'snapshot.queue',
          entityKind: 'snapshot',
          entityCode: q.month,
          before: null,
          after: { status: 'pending' },
        })),
      );
    }
    return queued.map((q) => q.month).sort();
  });
}

export async function pendingMonths(db: Db): Promise<string[]> {
  const rows = await db
    .select({ month: snapshots.month })
    .from(snapshots)
    .where(eq(snapshots.status, 'pending'))
    .orderBy(asc(snapshots.month));
  return rows.map((r) => r.month);
}

/** Each month's current snapshot (pending or frozen), oldest first. */
export async function listSnapshots(db: Db): Promise<SnapshotMeta[]> {
  const rows = await db.select().from(snapshots).where(ne(snapshots.status, 'superseded')).orderBy(asc(snapshots.month));
  return rows.map(snapshotMeta);
}

/** Every revision of a month, newest first. */
export async function snapshotRevisions(db: Db, month: string): Promise<SnapshotMeta[]> {
  parseMonth(month);
  const rows = await db.select().from(snapshots).where(eq(snapshots.month, month)).orderBy(desc(snapshots.revision));
  if (rows.length === 0) throw new AppError('not_found', `no snapshot of ${month}; freeze it with: yunwang snapshot --month ${month}`);
  return rows.map(snapshotMeta);
}

/** The month's frozen snapshot, or undefined when it is not frozen (yet). */
export async function frozenSnapshot(db: Db, month: string): Promise<SnapshotRow | undefined> {
  const [row] = await db
    .select()
    .from(snapshots)
    .where(and(eq(snapshots.month, parseMonth(month)), eq(snapshots.status, 'frozen')));
  return row;
}

export async function requireFrozen(db: Db, month: string): Promise<SnapshotRow> {
  const row = await frozenSnapshot(db, month);
  if (!row) {
    throw new AppError('not_found', `${month} is not frozen; freeze it first: yunwang snapshot --month ${month}`, [
      { field: 'month', message: 'no frozen snapshot of this month' },
    ]);
  }
  return row;
}

/** A frozen figure with the scope it belongs to. */
export interface FrozenFigure {
  scope: string;
  kind: 'region' | 'department';
  level: SnapshotLevel;
  name: string;
  regionCode: string;
  parentCode: string | null;
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
