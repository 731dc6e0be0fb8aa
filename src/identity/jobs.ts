import type { Db } from '../db/client.ts';
import type { PeriodicJob } from '../kernel/periodic.ts';
import { type JobMonitor, loggedJobs, startMonitoredJob } from '../metrics/jobs.ts';
import { pruneLoginRecords } from './lockout.ts';
import { pruneSessions } from './sessions.ts';

export interface IdentityJobOptions {
  intervalSeconds: number;
  jobs?: JobMonitor;
}

/**
 * The server's identity housekeeping: deletes sessions past their lifetime or idle timeout
 * (a session nobody presents again would otherwise stay for good), sign-in attempts out of
 * the rate window and stale per-address failure counts. A failed pass is retried next interval.
 */
export function startIdentityJobs(db: Db, options: IdentityJobOptions): PeriodicJob<void, []> {
  const jobs = options.jobs ?? loggedJobs();
  return startMonitoredJob(
    jobs,
    'session_pruning',
    options.intervalSeconds,
    async () => {
      const now = new Date();
      const sessions = await pruneSessions(db, now);
      await pruneLoginRecords(db, now);
      if (sessions > 0) jobs.logger.info({ job: 'session_pruning', sessions }, 'identity housekeeping: expired sessions deleted');
    },
    undefined,
  );
}
