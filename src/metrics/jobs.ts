import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { fallbackLogger, type Logger } from '../kernel/log.ts';
import { type PeriodicJob, startPeriodic } from '../kernel/periodic.ts';

/** The server's background jobs: the `job` label of yunwang_job_*, from this list only. */
export const jobNames = [
  'metrics_refresh',
  /** Also marks silent nodes unknown: the ingest housekeeping pass. */
  'sample_pruning',
  'snapshot_freeze',
  'alert_evaluation',
  'notification_delivery',
  'session_pruning',
  'document_pruning',
  'sla_watch',
] as const;
export type JobName = (typeof jobNames)[number];

/** How a background job runs its passes: timed, counted, and its failures logged, never swallowed. */
export interface JobMonitor {
  readonly logger: Logger;
  /**
   * Runs one pass of `job`: success sets its last-success time, failure counts and is logged
   * with the error (parameters of a failed query left out) and then rethrown.
   */
  run<T>(job: JobName, pass: () => Promise<T>): Promise<T>;
  /** The job's period, for "late" alerts: time() - last success > 3 × interval. */
  scheduled(job: JobName, intervalSeconds: number): void;
}

/** Logs failures and records nothing: for jobs run without the server's registry (tests, the CLI). */
export function loggedJobs(logger: Logger = fallbackLogger()): JobMonitor {
  return monitor(logger, null);
}

/** yunwang_job_* on `registry`, every job's series present (0) from the start. */
export function registerJobMetrics(registry: Registry, logger: Logger): JobMonitor {
  const labelNames = ['job'] as const;
  const lastSuccess = new Gauge({
    name: 'yunwang_job_last_success_timestamp_seconds',
    help: 'When each background job last finished a pass without error, in Unix seconds (0: not yet).',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'yunwang_job_duration_seconds',
    help: 'Time each pass of a background job took, failed passes included.',
    labelNames,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'yunwang_job_failures_total',
    help: 'Passes of a background job that failed (each is logged with its error).',
    labelNames,
    registers: [registry],
  });
  const interval = new Gauge({
    name: 'yunwang_job_interval_seconds',
    help: 'How often each background job runs on this replica (0: not scheduled here); late when time() - last success > 3 × this.',
    labelNames,
    registers: [registry],
  });
  for (const job of jobNames) {
    lastSuccess.set({ job }, 0);
    failures.inc({ job }, 0);
    interval.set({ job }, 0);
  }
  return monitor(logger, { lastSuccess, duration, failures, interval });
}

interface JobSeries {
  lastSuccess: Gauge<'job'>;
  duration: Histogram<'job'>;
  failures: Counter<'job'>;
  interval: Gauge<'job'>;
}

function monitor(logger: Logger, series: JobSeries | null): JobMonitor {
  return {
    logger,
    run: async (job, pass) => {
      const started = performance.now();
      const took = () => (performance.now() - started) / 1000;
      try {
        const result = await pass();
        series?.duration.observe({ job }, took());
        series?.lastSuccess.set({ job }, Date.now() / 1000);
        return result;
      } catch (error) {
        const seconds = took();
        series?.duration.observe({ job }, seconds);
        series?.failures.inc({ job });
        logger.error({ job, duration_ms: Math.round(seconds * 1000), err: error }, `${job} failed; the next pass tries again`);
        throw error;
      }
    },
    scheduled: (job, seconds) => series?.interval.set({ job }, seconds),
  };
}

/**
 * startPeriodic for a named job: every pass goes through `jobs.run`; a failed pass resolves
 * to `failed` (it has been logged and counted) and the next one tries again.
 */
export function startMonitoredJob<T, A extends unknown[]>(
  jobs: JobMonitor,
  job: JobName,
  intervalSeconds: number,
  pass: (...args: A) => Promise<T>,
  failed: T,
): PeriodicJob<T, A> {
  jobs.scheduled(job, intervalSeconds);
  return startPeriodic(intervalSeconds * 1000, (...args: A) => jobs.run(job, () => pass(...args)).catch(() => failed));
}
