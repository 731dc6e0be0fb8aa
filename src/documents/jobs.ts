import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { systemActor } from '../identity/actor.ts';
import type { PeriodicJob } from '../kernel/periodic.ts';
import { type JobMonitor, loggedJobs, startMonitoredJob } from '../metrics/jobs.ts';
import type { DocumentStore } from './store.ts';

/** The most documents one pass deletes: a backlog is worked off over several passes. */
const prunePerPass = 500;

/**
 * Deletes documents uploaded more than `olderThanHours` ago and never attached to anything:
 * an upload whose certification, re-review or order was abandoned. Their bytes go with them
 * (the bucket's object after the row, so a failure leaves an object, never a row without one).
 */
export async function pruneUnattachedDocuments(db: Db, store: DocumentStore, olderThanHours: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - olderThanHours * 3_600_000);
  const pruned = await db.transaction(async (tx) => {
    const rows = await queryRows<{ id: string; name: string; sha256: string; object_key: string | null }>(
      tx,
      sql`delete from documents d where d.id in (
            select id from documents where uploaded_at < ${cutoff}
              and not exists (select 1 from document_links l where l.document_id = documents.id)
            order by uploaded_at limit ${prunePerPass} for update skip locked)
          returning d.id, d.name, d.sha256, d.object_key`,
    );
    await recordAudit(
      tx,
      systemActor,
      rows.map((r) => ({ action: 'document.prune', entityKind: 'document', entityCode: r.id, before: { name: r.name, sha256: r.sha256 } })),
    );
    return rows;
  });
  for (const row of pruned) if (row.object_key) await store.remove(row.object_key);
  return pruned.length;
}

/** The documents' housekeeping inside the server: unattached uploads are pruned hourly. */
export function startDocumentJobs(
  db: Db,
  store: DocumentStore,
  options: { olderThanHours: number; intervalSeconds?: number; jobs?: JobMonitor },
): PeriodicJob<void, []> {
  const jobs = options.jobs ?? loggedJobs();
  return startMonitoredJob(
    jobs,
    'document_pruning',
    options.intervalSeconds ?? 3600,
    async () => {
      const pruned = await pruneUnattachedDocuments(db, store, options.olderThanHours);
      if (pruned > 0) {
        jobs.logger.info(
          { job: 'document_pruning', documents: pruned, older_than_hours: options.olderThanHours },
          'documents: never-attached uploads deleted',
        );
      }
    },
    undefined,
  );
}
