import type { Db } from '../db/client.ts';
import { type PeriodicJob, startPeriodic } from '../kernel/periodic.ts';
import { pruneLoginRecords } from './lockout.ts';
import { pruneSessions } from './sessions.ts';

export interface IdentityJobOptions {
  intervalSeconds: number;
  log?: (line: string) => void;
}

/**
 * The server's identity housekeeping: deletes sessions past their lifetime or idle timeout
 * (a session nobody presents again would otherwise stay for good), sign-in attempts out of
 * the rate window and stale per-address failure counts. A failed pass is retried next interval.
 */
export function startIdentityJobs(db: Db, options: IdentityJobOptions): PeriodicJob<void, []> {
  const log = options.log ?? (() => {});
  return startPeriodic(options.intervalSeconds * 1000, async () => {
    try {
      const now = new Date();
      const sessions = await pruneSessions(db, now);
      await pruneLoginRecords(db, now);
      if (sessions > 0) log(`identity housekeeping: ${sessions} expired sessions deleted`);
    } catch (error) {
      log(`identity housekeeping failed (retrying next interval): ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
