import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, departments, ingestBatches, networkNodes } from '../db/schema/index.ts';
import { rootAccess } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError } from '../kernel/errors.ts';
import { recordTenantReports } from '../registry/tenant-reports.ts';
import { recordSightings, verifySystemsSeen } from '../registry/workload-reports.ts';
import type { AuthenticatedAgent } from './agents.ts';
import { checkClock, checkScope, describe, duplicateTenants, type Indexed, resolveCodes } from './batch-checks.ts';
import { writeSamples } from './sample-writes.ts';
import type { IngestBatch, IngestReceipt, NodeSampleItem, TenantItem, WorkloadSeenItem } from './schemas.ts';

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
  batch.items.forEach((item, index) => {
    if (item.kind === 'node_sample') samples.push({ index, item });
    else if (item.kind === 'tenant') tenants.push({ index, item });
    else workloads.push({ index, item });
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
    const errors = [...nodeIds.errors, ...departmentIds.errors, ...duplicateTenants(tenants)].sort(
      (a, b) => (a.index ?? 0) - (b.index ?? 0),
    );
    if (errors.length > 0) {
      throw new AppError('validation_failed', `batch ${batch.seq} refused: ${describe(errors)}`, errors);
    }

    await touchAgent(db, agent, batch, context.version);
    // Shared rows (nodes, tenants, systems) last, so their locks are held only until the commit.
    receipt.node_samples = await writeSamples(db, agent, samples, nodeIds.ids, batch.next_report_seconds);
    receipt.workloads_seen = workloads.length;
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

async function touchAgent(db: Db, agent: AuthenticatedAgent, batch: IngestBatch, version: string | undefined): Promise<void> {
  await db
    .update(agents)
    .set({ lastSeenAt: sql`now()`, nextReportSeconds: batch.next_report_seconds, ...(version ? { version } : {}) })
    .where(eq(agents.id, agent.id));
}
