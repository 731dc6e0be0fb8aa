import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, departments, ingestBatches, interfaceServices, networkNodes } from '../db/schema/index.ts';
import { rootAccess } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { writeVolumes } from '../interconnection/volumes.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { recordTenantReports } from '../registry/tenant-reports.ts';
import { recordSightings, verifySystemsSeen } from '../registry/workload-reports.ts';
import type { AuthenticatedAgent } from './agents.ts';
import { checkClock, checkScope, describe, duplicateTenants, type Indexed, resolveCodes } from './batch-checks.ts';
import { writeSamples } from './sample-writes.ts';
import type { ExchangeVolumeItem, IngestBatch, IngestReceipt, NodeSampleItem, TenantItem, WorkloadSeenItem } from './schemas.ts';

export interface BatchContext {
  agent: AuthenticatedAgent;
  /** From the agent's User-Agent (`yunwang-agent/<version>`), when it sent one. */
  version?: string;
  now?: Date;
}

/**
 * The actor ingest writes are audited as: the agent itself, never its token. Its scope (its
 * cloud, its kind of items) is enforced by this service, not by user roles.
 */
export const agentActor = (agent: { name: string }, requestId?: string): Actor => ({
  name: `agent:${agent.name}`,
  access: rootAccess,
  requestId,
});

/**
 * Applies one agent batch in one transaction: all of it or none. An (agent, seq) already
 * applied is acknowledged as a duplicate and changes nothing but the agent's last-seen.
 * Scope and references are checked before anything is written; every problem is named
 * by item index and field.
 */
export async function applyBatch(database: Db, batch: IngestBatch, context: BatchContext, actor: Actor): Promise<IngestReceipt> {
  const { agent } = context;
  const now = context.now ?? new Date();
  if (batch.agent !== agent.name) {
    throw new AppError('forbidden', `this token belongs to agent ${agent.name}, not ${batch.agent}`, [
      { field: 'agent', message: `must be ${agent.name}, the agent the token was issued to` },
    ]);
  }
  checkScope(agent, batch);
  checkClock(batch, now);

  const samples: Indexed<NodeSampleItem>[] = [];
  const tenants: Indexed<TenantItem>[] = [];
  const workloads: Indexed<WorkloadSeenItem>[] = [];
  const volumes: Indexed<ExchangeVolumeItem>[] = [];
  batch.items.forEach((item, index) => {
    if (item.kind === 'node_sample') samples.push({ index, item });
    else if (item.kind === 'tenant') tenants.push({ index, item });
    else if (item.kind === 'workload_seen') workloads.push({ index, item });
    else volumes.push({ index, item });
  });

  return database.transaction(async (db) => {
    const receipt: IngestReceipt = {
      agent: agent.name,
      seq: batch.seq,
      status: 'applied',
      items: batch.items.length,
      node_samples: 0,
      tenants: 0,
      workloads_seen: 0,
      systems_verified: 0,
      exchange_volumes: 0,
    };
    const fresh = await db
      .insert(ingestBatches)
      .values({ agentId: agent.id, seq: batch.seq, itemCount: batch.items.length })
      .onConflictDoNothing()
      .returning({ seq: ingestBatches.seq });
    if (fresh.length === 0) {
      await touchAgent(db, agent, batch, context.version);
      return { ...receipt, status: 'duplicate' };
    }

    const nodeIds = await resolveCodes(db, 'node', samples, (s) => s.node, networkNodes);
    const departmentIds = await resolveCodes(db, 'department', tenants, (t) => t.department, departments);
    // An unknown service is refused at its item, never dropped: the agent keeps the batch (dead letter).
    const serviceIds = await resolveCodes(db, 'service', volumes, (v) => v.service, interfaceServices);
    const errors = [...nodeIds.errors, ...departmentIds.errors, ...serviceIds.errors, ...duplicateTenants(tenants)].sort(
      (a, b) => (a.index ?? 0) - (b.index ?? 0),
    );
    if (errors.length > 0) {
      throw new AppError('validation_failed', `batch ${batch.seq} refused: ${describe(errors)}`, errors);
    }

    await touchAgent(db, agent, batch, context.version);
    // Shared rows (nodes, tenants, systems) last, so their locks are held only until the commit.
    receipt.node_samples = await writeSamples(db, agent, samples, nodeIds.ids, batch.next_report_seconds);
    receipt.workloads_seen = workloads.length;
    receipt.exchange_volumes = await writeVolumeItems(db, batch, volumes, actor, businessDate(now));
    // Only a cloud agent reports tenants and workloads (checkScope).
    if (agent.cloudId !== null) {
      const tenantReports = tenants.map((t) => t.item);
      receipt.tenants = await recordTenantReports(db, agent.cloudId, tenantReports, departmentIds.ids, actor);
      receipt.systems_verified = await verifySystemsSeen(
        db,
        agent.cloudId,
        workloads.map((w) => w.item),
        actor,
      );
      await recordSightings(
        db,
        agent.cloudId,
        workloads.map((w) => w.item),
      );
    }
    return receipt;
  });
}

/**
 * The batch's daily counts through the one volume writer. A day's count is a total: the same
 * service and day given twice in a batch is one count, the later item's (a newer reading).
 */
async function writeVolumeItems(
  db: Db,
  batch: IngestBatch,
  volumes: Indexed<ExchangeVolumeItem>[],
  actor: Actor,
  today: string,
): Promise<number> {
  if (volumes.length === 0) return 0;
  const latest = new Map<string, ExchangeVolumeItem>();
  for (const { item } of volumes) latest.set(`${item.service}|${item.date}`, item);
  const rows = [...latest.values()].map((v) => ({ service_code: v.service, date: v.date, count: v.count }));
  const written = await writeVolumes(db, rows, actor, { source: `${batch.agent}#${batch.seq}`, today, serviceField: 'service' });
  return written.created + written.updated;
}

async function touchAgent(db: Db, agent: AuthenticatedAgent, batch: IngestBatch, version: string | undefined): Promise<void> {
  await db
    .update(agents)
    .set({ lastSeenAt: sql`now()`, nextReportSeconds: batch.next_report_seconds, ...(version ? { version } : {}) })
    .where(eq(agents.id, agent.id));
}
