import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type AuditEntry, recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { systems } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';

// What the cloud agents report of workloads (called by the ingest): besides the registry's
// own writes, the only writer of systems, and only of verified_at and last_seen_at.

/** A workload a cloud agent saw running (the ingest's workload_seen item). */
export interface WorkloadReport {
  tenant: string;
  /** The information system code from the workload's label. */
  system: string;
  workload: string;
  at: string;
}

/**
 * claimed → verified: a system its department declared migrated is verified the first
 * time its workload is seen in the very tenant (cloud and external id) the system names.
 * A label naming an unknown system, or another place, verifies nothing and is not an error:
 * it is a fact about the cluster, not a fault of the agent.
 */
export async function verifySystemsSeen(db: Db, cloudId: number, workloads: WorkloadReport[], actor: Actor): Promise<number> {
  if (workloads.length === 0) return 0;
  const codes = [...new Set(workloads.map((w) => w.system))];
  const candidates = new Map<string, { id: number; tenant: string | null }>();
  for (let i = 0; i < codes.length; i += 5000) {
    const rows = await db
      .select({ id: systems.id, code: systems.code, tenant: systems.tenant })
      .from(systems)
      .where(
        and(
          inArray(systems.code, codes.slice(i, i + 5000)),
          eq(systems.cloudId, cloudId),
          eq(systems.state, 'migrated'),
          isNull(systems.verifiedAt),
        ),
      );
    for (const row of rows) candidates.set(row.code, row);
  }
  const firstSeen = new Map<string, { id: number; at: string; workload: string; tenant: string }>();
  for (const item of workloads) {
    const system = candidates.get(item.system);
    if (!system || system.tenant !== item.tenant) continue;
    const seen = firstSeen.get(item.system);
    if (!seen || Date.parse(item.at) < Date.parse(seen.at))
      firstSeen.set(item.system, { id: system.id, at: item.at, workload: item.workload, tenant: item.tenant });
  }
  const entries: AuditEntry[] = [];
  for (const [code, seen] of firstSeen) {
    const updated = await db
      .update(systems)
      .set({ verifiedAt: new Date(seen.at) })
      .where(and(eq(systems.id, seen.id), isNull(systems.verifiedAt)))
      .returning({ id: systems.id });
    if (updated.length > 0) {
      entries.push({
        action: 'system.verify',
        entityKind: 'system',
        entityCode: code,
        before: { verified_at: null },
        after: { verified_at: seen.at, tenant: seen.tenant, workload: seen.workload },
      });
    }
  }
  if (entries.length > 0) await recordAudit(db, actor, entries);
  return entries.length;
}

/**
 * Systems verified at given instants, without a report to show for it (the demo's agents, seen
 * a week after each migration): one statement, one audit entry each, and a system already
 * verified is left as it is.
 */
export async function markSystemsVerified(db: Db, verified: { code: string; at: string }[], actor: Actor): Promise<number> {
  if (verified.length === 0) return 0;
  const rows = await queryRows<{ code: string; verified_at: Date | string }>(
    db,
    sql`update systems s set verified_at = v.at
        from jsonb_to_recordset(${JSON.stringify(verified)}::jsonb) as v(code text, at timestamptz)
        where s.code = v.code and s.verified_at is null
        returning s.code, s.verified_at`,
  );
  await recordAudit(
    db,
    actor,
    rows.map((v) => ({
      action: 'system.verify',
      entityKind: 'system',
      entityCode: v.code,
      before: { verified_at: null },
      after: { verified_at: new Date(v.verified_at).toISOString() },
    })),
  );
  return rows.length;
}

/**
 * Evidence of use: the last time a system's workload was seen running on its own cloud
 * (`last_seen_at`, which idle-system detection reads). Kept to the hour, so that an agent
 * reporting every minute does not rewrite every system's row every minute.
 */
export async function recordSightings(db: Db, cloudId: number, workloads: WorkloadReport[]): Promise<void> {
  const latest = new Map<string, string>();
  for (const w of workloads) {
    const seen = latest.get(w.system);
    if (!seen || Date.parse(w.at) > Date.parse(seen)) latest.set(w.system, w.at);
  }
  if (latest.size === 0) return;
  const sightings = [...latest].map(([code, at]) => ({ code, at }));
  // Rows locked in id order, so that two agents of one cloud reporting the same systems cannot deadlock.
  await db.execute(sql`with seen as (
        select s.id, v.at from systems s
        join jsonb_to_recordset(${JSON.stringify(sightings)}::jsonb) as v(code text, at timestamptz) on v.code = s.code
        where s.cloud_id = ${cloudId} and (s.last_seen_at is null or s.last_seen_at < v.at - interval '1 hour')
        order by s.id for update of s)
      update systems s set last_seen_at = seen.at from seen where s.id = seen.id`);
}
