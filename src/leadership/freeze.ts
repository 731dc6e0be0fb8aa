import { eq, sql } from 'drizzle-orm';
import { type AuditEntry, recordAudit } from '../audit/service.ts';
import { insertRows } from '../db/bulk.ts';
import { type Db, isEmbedded } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { snapshotFigures, snapshotScopes, snapshots } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { computeIndicatorsForScopes } from '../indicators/many-scopes.ts';
import type { IndicatorReport } from '../indicators/service.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { readRegistryVersion } from '../registry/version.ts';
import type { FrozenScope } from './frozen-figures.ts';
import { lastDayOf, parseMonth } from './months.ts';
import { currentRow, type SnapshotMeta, type SnapshotRow, snapshotMeta } from './snapshots.ts';

/** Freezing months: every scope's figures computed once a month has ended, and kept. */

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

interface Computed {
  scopes: FrozenScope[];
  reports: IndicatorReport[];
  version: number;
}

/**
 * Every scope's figures as of `asOf`, all at once from the rollups (computeIndicatorsForScopes:
 * the same figures computeIndicators gives, which the tests compare). The
 * registry version is read before and after: a write landing meanwhile could mix two states
 * of the registry in one month, so the pass is repeated.
 */
async function computeAllScopes(db: Db, asOf: string, concurrency: number, log: (line: string) => void): Promise<Computed> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const version = await readRegistryVersion(db);
    const scopes = await scopesToFreeze(db);
    const figures = await computeIndicatorsForScopes(
      db,
      scopes.map((s) => s.scope),
      asOf,
      { concurrency },
    );
    const reports = scopes.map((s) => figures.get(s.scope) as IndicatorReport);
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
  /** Refresh the planner's statistics afterwards (default); a backfill does it once at its end. */
  analyze?: boolean;
  /** The business date today; a month is frozen only once it has ended. */
  today?: string;
  log?: (line: string) => void;
  /** Called as the month's figure rows are written: rows written so far, and all of them (the CLI's progress bar). */
  onProgress?: (done: number, total: number, month: string) => void;
}

export interface FreezeResult {
  month: string;
  outcome: 'frozen' | 'refrozen' | 'unchanged';
  snapshot: SnapshotMeta;
  /** On a re-freeze: how many figures differ from the revision it replaces. */
  changed_figures?: number;
}

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

/** The audit entry of a month's snapshot being queued, frozen or re-frozen. */
const snapshotEntry = (verb: 'queue' | 'freeze' | 'refreeze', month: string, before: unknown, after: unknown): AuditEntry => ({
  action: `snapshot.${verb}`,
  entityKind: 'snapshot',
  entityCode: month,
  before,
  after,
});

/** Figure rows written between two progress reports (insertRows still sends them 1,000 a statement). */
const figuresPerProgress = 10_000;

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
  const asOf = checkEnded(month, options.today ?? businessDate());
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
    // One JSON parameter per 1,000 rows: drizzle's values() would bind eight parameters a figure.
    await insertRows(
      db,
      snapshotScopes,
      scopes.map((s) => ({ snapshotId, ...s })),
    );
    options.onProgress?.(0, figures.length, month);
    for (let i = 0; i < figures.length; i += figuresPerProgress) {
      const slice = figures.slice(i, i + figuresPerProgress);
      await insertRows(
        db,
        snapshotFigures,
        slice.map((f) => ({ snapshotId, ...f })),
      );
      options.onProgress?.(i + slice.length, figures.length, month);
    }
    // scopes and reports are index-aligned.
    const province = reports[scopes.findIndex((s) => s.level === 'province')];
    const summary = Object.fromEntries((province?.indicators ?? []).map((f) => [f.key, `${f.numerator}/${f.denominator}`]));
    const meta = snapshotMeta(row);
    await recordAudit(db, options.actor, [
      snapshotEntry(current?.status === 'frozen' ? 'refreeze' : 'freeze', month, current ? snapshotMeta(current) : null, {
        ...meta,
        province: summary,
        ...(changes ? { changed_figures: changes.length, changes: changes.slice(0, 100) } : {}),
      }),
    ]);
    log(
      `froze ${month} (as of ${asOf}, revision ${row.revision}): ${scopes.length} scopes, ${figures.length} figures in ${(durationMs / 1000).toFixed(1)} s`,
    );
    return changes
      ? { month, outcome: 'refrozen' as const, snapshot: meta, changed_figures: changes.length }
      : { month, outcome: 'frozen' as const, snapshot: meta };
  });
  if (result.outcome !== 'unchanged' && options.analyze !== false) await analyzeSnapshots(database);
  return result;
}

/**
 * Thousands of new rows a month: without fresh statistics the planner, not knowing the newest
 * snapshot's rows, picked plans that took a ranking from 0.03 s to 4 s (demo) or 8 s (province).
 * The embedded database has no autovacuum to refresh them. There each statement holds the
 * thread, so a table a statement, each from a sample of 3,000 rows (statistics target 10) rather
 * than 30,000: 15 ms instead of 140 ms for the demo's 167,000 figures, requests going between.
 */
export async function analyzeSnapshots(db: Db): Promise<void> {
  const embedded = isEmbedded(db);
  for (const table of [snapshots, snapshotScopes, snapshotFigures]) {
    if (embedded) {
      await db.transaction(async (tx) => {
        await tx.execute(sql`set local default_statistics_target = 10`);
        await tx.execute(sql`analyze ${table}`);
      });
    } else {
      await db.execute(sql`analyze ${table}`);
    }
  }
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
  const today = options.today ?? businessDate();
  for (const month of months) checkEnded(month, today);
  const results: FreezeResult[] = [];
  for (const month of months) results.push(await freezeMonth(database, month, { ...options, today, analyze: false }));
  if (results.some((r) => r.outcome !== 'unchanged')) await analyzeSnapshots(database);
  return results;
}

/** Queues months for the server's snapshot job; months already queued or frozen are left alone. */
export async function queueMonths(database: Db, months: readonly string[], actor: Actor, today = businessDate()): Promise<string[]> {
  const rows = months.map((month) => ({ month, asOf: checkEnded(month, today), status: 'pending' as const, requestedBy: actor.name }));
  if (rows.length === 0) return [];
  return database.transaction(async (db) => {
    const queued = await db.insert(snapshots).values(rows).onConflictDoNothing().returning({ month: snapshots.month });
    if (queued.length > 0) {
      await recordAudit(
        db,
        actor,
        queued.map((q) => snapshotEntry('queue', q.month, null, { status: 'pending' })),
      );
    }
    return queued.map((q) => q.month).sort();
  });
}
