import { type JobMonitor, loggedJobs } from './jobs.ts';

export interface RefreshOptions {
  now?: () => number;
  /** Each computation runs as a pass of the metrics_refresh job: timed, counted, a failure logged (default: logged only). */
  jobs?: JobMonitor;
}

/**
 * A value recomputed at most once per `ttlMs`, and at most once at a time, that a reader never
 * waits for after the first computation: once it is older than `ttlMs`, the reader gets the
 * value it has and a refresh starts behind it (stale-while-revalidate). So a scrape costs the
 * registry nothing even right after a write; the gauges are at most one interval (plus the
 * refresh) old. A failed refresh keeps the old value and is tried again by the next reader.
 */
export function refreshedEvery<T>(ttlMs: number, compute: () => Promise<T>, options: RefreshOptions = {}): () => Promise<T> {
  const now = options.now ?? Date.now;
  const jobs = options.jobs ?? loggedJobs();
  jobs.scheduled('metrics_refresh', ttlMs / 1000);
  let cached: { at: number; value: T } | null = null;
  let inFlight: Promise<T> | null = null;
  const refresh = () => {
    const started = now();
    inFlight ??= jobs
      .run('metrics_refresh', compute)
      .then((value) => {
        cached = { at: started, value };
        return value;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  return () => {
    if (!cached) return refresh();
    if (now() - cached.at >= ttlMs) {
      // No reader waits for this one: jobs.run has logged and counted its failure, which is
      // not thrown at the scrape that happened to start it.
      refresh().catch(() => undefined);
    }
    return Promise.resolve(cached.value);
  };
}
