import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { PeriodicJob } from '../kernel/periodic.ts';
import { type JobMonitor, loggedJobs, startMonitoredJob } from '../metrics/jobs.ts';
import { type Condition, evaluateConditions } from './conditions.ts';
import {
  type AlertChange,
  type AlertNotifier,
  changeOf,
  fire,
  mutedIds,
  type OpenAlert,
  openAlerts,
  reconcileMuting,
  resolve,
} from './lifecycle.ts';
import { loadRuleBook } from './rules.ts';

/** pg_advisory_xact_lock key of alert evaluation ("ywal"): one replica evaluates at a time. */
export const evaluationLock = 0x7977_616c;

/** The actor the engine's events are recorded as. */
export const engineActor = 'system';

export interface EngineOptions {
  /** A resolved alert firing again within this reopens (occurrences + 1). */
  reopenMinutes: number;
  /** Resolved alerts older than this are deleted with their timelines. */
  retentionDays: number;
  notifier?: AlertNotifier;
}

export interface CycleResult {
  /** False when another replica held the evaluation lock: this one did nothing. */
  evaluated: boolean;
  conditions: number;
  pending: number;
  fired: number;
  resolved: number;
  escalated: number;
  notified: number;
  pruned: number;
}

const skipped: CycleResult = { evaluated: false, conditions: 0, pending: 0, fired: 0, resolved: 0, escalated: 0, notified: 0, pruned: 0 };

/**
 * One evaluation cycle, in one transaction under a transaction-scoped advisory lock, so that
 * with several replicas exactly one evaluates at a time and every alert change and the
 * notifications it queues commit together (or not at all).
 */
export async function runEvaluationCycle(database: Db, options: EngineOptions, now = new Date()): Promise<CycleResult> {
  return database.transaction(async (db) => {
    const [lock] = await queryRows<{ locked: boolean }>(db, sql`select pg_try_advisory_xact_lock(${evaluationLock}) as locked`);
    if (!lock?.locked) return skipped;
    const book = await loadRuleBook(db);
    const conditions = await evaluateConditions(db, book, now);
    const since = await trackConditions(db, conditions, now);

    const ready = conditions.filter((c) => {
      const start = since.get(c.fingerprint) ?? now;
      return now.getTime() - start.getTime() >= book[c.rule].for_seconds * 1000;
    });
    const seen = new Set(conditions.map((c) => c.fingerprint));
    const open = await openAlerts(db);
    const gone = [...open.values()].filter((a) => a.rule !== 'prometheus' && !seen.has(a.fingerprint));
    const resolved = await resolve(db, gone, now, engineActor);
    const { fired, escalated } = await fire(
      db,
      ready.map(({ since: _since, seenBy: _seenBy, ...c }) => ({ ...c, startedAt: since.get(c.fingerprint) ?? now })),
      now,
      { reopenMs: options.reopenMinutes * 60_000, actor: engineActor },
    );
    const muting = await reconcileMuting(db, now, engineActor);
    const raised = [...fired, ...escalated.filter((e) => e.severity === 'critical')];
    const notified = await notify(db, options.notifier, { fired: raised, resolved, unmuted: muting.unmuted }, now);
    const pruned = await pruneAlerts(db, options.retentionDays, now);
    return {
      evaluated: true,
      conditions: conditions.length,
      pending: conditions.length - ready.length,
      fired: fired.length,
      resolved: resolved.length,
      escalated: escalated.length,
      notified,
      pruned,
    };
  });
}

/**
 * Keeps alert_conditions in step with what the rules see and returns when each condition
 * began: the data's own start where it has one (a node's down streak), else the first cycle
 * that saw it. A condition that clears is forgotten, so `for` starts again next time.
 */
async function trackConditions(db: Db, conditions: Condition[], now: Date): Promise<Map<string, Date>> {
  const rows = conditions.map((c) => ({ fingerprint: c.fingerprint, rule: c.rule, since: (c.since ?? now).toISOString() }));
  await db.execute(sql`delete from alert_conditions where not (fingerprint = any(${sql.param(rows.map((r) => r.fingerprint))}::text[]))`);
  const kept = await queryRows<{ fingerprint: string; since: Date | string }>(
    db,
    sql`insert into alert_conditions (fingerprint, rule, since, last_seen_at)
        select x.fingerprint, x.rule, x.since, ${now} from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(fingerprint text, rule text, since timestamptz)
        on conflict (fingerprint) do update set last_seen_at = excluded.last_seen_at, since = least(alert_conditions.since, excluded.since)
        returning fingerprint, since`,
  );
  return new Map(kept.map((k) => [k.fingerprint, new Date(k.since)]));
}

/** What the people on watch are told: new and reopened alerts, resolutions and alerts no longer muted — never a muted one. */
export async function notify(
  db: Db,
  notifier: AlertNotifier | undefined,
  happened: { fired: OpenAlert[]; resolved: OpenAlert[]; unmuted: number[] },
  now: Date,
): Promise<number> {
  if (!notifier) return 0;
  const muted = await mutedIds(
    db,
    happened.fired.map((f) => f.id),
  );
  const changes: AlertChange[] = [
    ...happened.fired.filter((f) => !muted.has(f.id)).map((f) => changeOf(f, 'firing')),
    ...happened.resolved.filter((r) => r.silenced_by === null && r.inhibited_by === null).map((r) => changeOf(r, 'resolved')),
  ];
  if (happened.unmuted.length > 0) {
    const rows = await queryRows<{ id: number; severity: AlertChange['severity']; rule: AlertChange['rule']; region_code: string | null }>(
      db,
      sql`select id, severity, rule, region_code from alerts where id = any(${sql.param(happened.unmuted)}::int[])`,
    );
    changes.push(...rows.map((r) => changeOf(r, 'firing')));
  }
  let queued = changes.length > 0 ? await notifier.enqueue(db, changes, now) : 0;
  queued += await notifier.repeats(db, now);
  return queued;
}

/**
 * Applies a silence created or expired just now at once, rather than at the next cycle: the
 * alerts it mutes stop paging now, and those it no longer mutes are told now.
 */
export async function refreshMuting(database: Db, notifier: AlertNotifier | undefined, now = new Date()): Promise<void> {
  await database.transaction(async (db) => {
    await db.execute(sql`select pg_advisory_xact_lock(${evaluationLock})`);
    const muting = await reconcileMuting(db, now, engineActor);
    if (muting.unmuted.length > 0) await notify(db, notifier, { fired: [], resolved: [], unmuted: muting.unmuted }, now);
  });
}

async function pruneAlerts(db: Db, retentionDays: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`with gone as (delete from alerts where state = 'resolved' and last_changed_at < ${cutoff} returning 1) select count(*)::int as n from gone`,
  );
  return row?.n ?? 0;
}

export type RunningEngine = PeriodicJob<CycleResult, [now?: Date]>;

/**
 * The engine inside the server: a cycle every interval, one at a time. Every replica runs
 * it; the advisory lock lets exactly one evaluate each round. A failed cycle (the database
 * restarting) is logged and the next one tries again.
 */
export function startAlertEngine(
  db: Db,
  options: EngineOptions & { intervalSeconds: number; jobs?: JobMonitor; onEvaluated?: (seconds: number) => void },
): RunningEngine {
  const jobs = options.jobs ?? loggedJobs();
  return startMonitoredJob(
    jobs,
    'alert_evaluation',
    options.intervalSeconds,
    async (now?: Date) => {
      const started = performance.now();
      const result = await runEvaluationCycle(db, options, now);
      if (result.evaluated) options.onEvaluated?.((performance.now() - started) / 1000);
      if (result.fired > 0 || result.resolved > 0) {
        jobs.logger.info(
          { job: 'alert_evaluation', fired: result.fired, resolved: result.resolved, notified: result.notified },
          'alerts fired, reopened or resolved',
        );
      }
      return result;
    },
    skipped,
  );
}
