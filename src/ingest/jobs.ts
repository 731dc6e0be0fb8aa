import type { Db } from '../db/client.ts';
import type { PeriodicJob } from '../kernel/periodic.ts';
import { type JobMonitor, loggedJobs, startMonitoredJob } from '../metrics/jobs.ts';
import { markSilentNodes, pruneSamples } from './samples.ts';

export interface IngestJobOptions {
  retentionDays: number;
  intervalSeconds: number;
  jobs?: JobMonitor;
}

export type RunningJobs = PeriodicJob<void, []>;

/**
 * The server's ingest housekeeping: marks silent nodes unknown and prunes samples past
 * their retention, every interval, one pass at a time. A pass that fails (the database
 * restarting) is logged and the next one tries again.
 */
export function startIngestJobs(db: Db, options: IngestJobOptions): RunningJobs {
  const jobs = options.jobs ?? loggedJobs();
  return startMonitoredJob(
    jobs,
    'sample_pruning',
    options.intervalSeconds,
    async () => {
      const silent = await markSilentNodes(db);
      const pruned = await pruneSamples(db, options.retentionDays);
      if (silent > 0 || pruned.samples > 0) {
        jobs.logger.info(
          { job: 'sample_pruning', silent_nodes: silent, samples: pruned.samples, batch_receipts: pruned.batches },
          'ingest housekeeping: silent nodes marked unknown, old samples and batch receipts pruned',
        );
      }
    },
    undefined,
  );
}
