import type { Db } from '../db/client.ts';
import { type Actor, rootActor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { type JobMonitor, loggedJobs } from '../metrics/jobs.ts';
import { analyzeSnapshots, type FreezeResult, freezeMonth, queueMonths } from './freeze.ts';
import { monthOf, previousMonth } from './months.ts';
import { pendingMonths } from './snapshots.ts';

export const schedulerActor: Actor = rootActor('system:snapshot-scheduler');

export interface SchedulerOptions {
  db: Db;
  /** How often to look for work, in milliseconds. */
  intervalMs: number;
  concurrency?: number;
  /** Injected so tests can stand at any month end. */
  now?: () => Date;
  /** Times and counts each tick (snapshot_freeze) and logs its progress and failures. */
  jobs?: JobMonitor;
}

export interface SnapshotScheduler {
  /** One look: queue the month that last ended, then freeze every queued month, oldest first. */
  tick(): Promise<FreezeResult[]>;
  /** Ticks now (in the background) and then every interval. */
  start(): void;
  /** Stops after the month being frozen, if any; resolves when idle. */
  stop(): Promise<void>;
}

/**
 * The month-end job: after a month ends (in the province's calendar) it freezes that month,
 * and works off months queued by the demo loader or an operator. Freezing is idempotent,
 * so replicas running the same job at the same moment leave one snapshot.
 */
export function createSnapshotScheduler(options: SchedulerOptions): SnapshotScheduler {
  const now = options.now ?? (() => new Date());
  const jobs = options.jobs ?? loggedJobs();
  const log = (line: string) => jobs.logger.info({ job: 'snapshot_freeze' }, line);
  let running: Promise<FreezeResult[]> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;

  const work = async (): Promise<FreezeResult[]> => {
    const today = businessDate(now());
    await queueMonths(options.db, [previousMonth(monthOf(today))], schedulerActor, today);
    const results: FreezeResult[] = [];
    for (const month of await pendingMonths(options.db)) {
      if (stopping) break;
      results.push(
        await freezeMonth(options.db, month, { actor: schedulerActor, today, concurrency: options.concurrency, log, analyze: false }),
      );
    }
    // Once after the queue is worked off (a first start's 19 months), not after every month.
    if (results.some((r) => r.outcome !== 'unchanged')) await analyzeSnapshots(options.db);
    return results;
  };

  const tick = async (): Promise<FreezeResult[]> => {
    if (running) return [];
    running = work();
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  const loop = () => {
    // A failed tick has been logged and counted by run(); the next round tries again.
    jobs
      .run('snapshot_freeze', tick)
      .catch(() => undefined)
      .finally(() => {
        if (!stopping) {
          timer = setTimeout(loop, options.intervalMs);
          timer.unref();
        }
      });
  };

  return {
    tick,
    start: () => {
      stopping = false;
      jobs.scheduled('snapshot_freeze', options.intervalMs / 1000);
      loop();
    },
    stop: async () => {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
