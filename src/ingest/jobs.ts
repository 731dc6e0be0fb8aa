import type { Db } from '../db/client.ts';
import { type PeriodicJob, startPeriodic } from '../kernel/periodic.ts';
import { markSilentNodes, pruneSamples } from './samples.ts';

export interface IngestJobOptions {
  retentionDays: number;
  intervalSeconds: number;
  log?: (line: string) => void;
}

export type RunningJobs = PeriodicJob<void, []>;

/**
 * The server's ingest housekeeping: marks silent nodes unknown and prunes samples past
 * their retention, every interval, one pass at a time. A pass that fails (the database
 * restarting) is logged and the next one tries again.
 */
export function startIngestJobs(db: Db, options: IngestJobOptions): RunningJobs {
  const log = options.log ?? (() => {});
  return startPeriodic(options.intervalSeconds * 1000, async () => {
    try {
      const silent = await markSilentNodes(db);
      const pruned = await pruneSamples(db, options.retentionDays);
      if (silent > 0 || pruned.samples > 0) {
        log(
          `ingest housekeeping: ${silent} silent nodes marked unknown, ${pruned.samples} samples and ${pruned.batches} batch receipts pruned`,
        );
      }
    } catch (error) {
      log(`ingest housekeeping failed (retrying next interval): ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
