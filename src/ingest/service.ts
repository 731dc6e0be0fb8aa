import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type AuditEntry, recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { agents, departments, ingestBatches, networkNodes, systems } from '../db/schema/index.ts';
import { rootAccess } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import { recordTenantReports } from '../registry/tenant-reports.ts';
import type { AuthenticatedAgent } from './agents.ts';
import type { IngestBatch, IngestReceipt, NodeSampleItem, TenantItem, WorkloadSeenItem } from './schemas.ts';

/** A sample dated further ahead than this is a clock fault, not a fact. */
const maxClockSkewMs = 5 * 60 * 1000;

interface Indexed<T> {
  index: number;
  item: T;
}

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
    receipt.tenants =
      agent.cloudId === null
        ? 0
        : await recordTenantReports(
            db,
            agent.cloudId,
            tenants.map((t) => t.item),
            departmentIds.ids,
            actor,
          );
    receipt.workloads_seen = workloads.length;
    receipt.systems_verified = await verifySystems(db, agent, workloads, actor);
    return receipt;
  });
}

function describe(errors: FieldError[]): string {
  const shown = errors.slice(0, 5).map((e) => `item ${e.index} ${e.field} ${e.message}`);
  return `${shown.join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`;
}

/** A network agent reports node samples only; a cloud agent only its own cloud's tenants and workloads; an alertmanager nothing. */
function checkScope(agent: AuthenticatedAgent, batch: IngestBatch): void {
  const errors: FieldError[] = [];
  batch.items.forEach((item, index) => {
    if (agent.kind === 'alertmanager') {
      errors.push({ index, field: 'kind', message: 'an alertmanager agent reports alerts to POST /api/v1/alerts/alertmanager, not items' });
    } else if (agent.kind === 'network' && item.kind !== 'node_sample') {
      errors.push({ index, field: 'kind', message: `a network agent may not report ${item.kind} items` });
    } else if (agent.kind === 'cloud' && item.kind === 'node_sample') {
      errors.push({ index, field: 'kind', message: 'a cloud agent may not report node samples' });
    } else if (item.kind !== 'node_sample' && item.cloud !== agent.cloudCode) {
      errors.push({ index, field: 'cloud', message: `agent ${agent.name} may report only cloud ${agent.cloudCode}, not ${item.cloud}` });
    }
  });
  if (errors.length > 0)
    throw new AppError('forbidden', `batch ${batch.seq} is outside agent ${agent.name}'s scope: ${describe(errors)}`, errors);
}

function checkClock(batch: IngestBatch, now: Date): void {
  const limit = now.getTime() + maxClockSkewMs;
  const errors: FieldError[] = [];
  batch.items.forEach((item, index) => {
    if (Date.parse(item.at) > limit)
      errors.push({ index, field: 'at', message: 'is more than 5 minutes in the future (check the agent clock)' });
  });
  if (errors.length > 0) throw new AppError('validation_failed', `batch ${batch.seq} refused: ${describe(errors)}`, errors);
}

type CodedTable = typeof networkNodes | typeof departments;

/** Ids of the codes the items name; each unknown code is an error at its item. */
async function resolveCodes<T>(
  db: Db,
  field: string,
  items: Indexed<T>[],
  codeOf: (item: T) => string,
  table: CodedTable,
): Promise<{ ids: Map<string, number>; errors: FieldError[] }> {
  const ids = new Map<string, number>();
  const codes = [...new Set(items.map((i) => codeOf(i.item)))];
  if (codes.length > 0) {
    // One array parameter, not one per code: a 1,500-node round is one short statement.
    const rows = await db
      .select({ id: table.id, code: table.code })
      .from(table)
      .where(sql`${table.code} = any(${sql.param(codes)}::text[])`);
    for (const row of rows) ids.set(row.code, row.id);
  }
  const noun = field === 'node' ? 'network node' : field;
  const errors = items
    .filter((i) => !ids.has(codeOf(i.item)))
    .map((i) => ({ index: i.index, field, message: `unknown ${noun} "${codeOf(i.item)}"` }));
  return { ids, errors };
}

function duplicateTenants(tenants: Indexed<TenantItem>[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const { index, item } of tenants) {
    if (seen.has(item.external_id))
      errors.push({ index, field: 'external_id', message: `tenant ${item.external_id} appears twice in the batch` });
    seen.add(item.external_id);
  }
  return errors;
}

/**
 * Appends the samples to the history, then moves each node's latest state forward. Arrays
 * go in as one parameter each (unnest), so a 1,500-node round is three short statements.
 * A sample older than the node's latest (a replay from a spool) joins the history but
 * never rolls the latest state back.
 */
async function writeSamples(
  db: Db,
  agent: AuthenticatedAgent,
  samples: Indexed<NodeSampleItem>[],
  nodeIds: Map<string, number>,
  nextReportSeconds: number,
): Promise<number> {
  if (samples.length === 0) return 0;
  const ids: number[] = [];
  const ats: string[] = [];
  const ups: boolean[] = [];
  const latencies: (number | null)[] = [];
  const losses: number[] = [];
  const latest = new Map<number, NodeSampleItem>();
  for (const { item } of samples) {
    const id = nodeIds.get(item.node) as number;
    ids.push(id);
    ats.push(item.at);
    ups.push(item.up);
    latencies.push(item.latency_ms);
    losses.push(item.loss);
    const seen = latest.get(id);
    if (!seen || Date.parse(seen.at) < Date.parse(item.at)) latest.set(id, item);
  }
  await db.execute(sql`
    insert into node_samples (node_id, at, agent_id, up, latency_ms, loss)
    select v.node_id, v.at, ${agent.id}, v.up, v.latency_ms, v.loss
    from unnest(${sql.param(ids)}::int[], ${sql.param(ats)}::timestamptz[], ${sql.param(ups)}::boolean[],
                ${sql.param(latencies)}::real[], ${sql.param(losses)}::real[]) as v(node_id, at, up, latency_ms, loss)
    on conflict do nothing`);
  // In id order: the node rows are locked in this order below.
  const nodes = [...latest.entries()].sort(([a], [b]) => a - b);
  const streaks = streakStarts(samples.map(({ item }) => ({ id: nodeIds.get(item.node) as number, item })));

  // This agent's latest word on each node (its vantage point), never rolled back by a replay.
  // A streak the batch continues keeps its stored start.
  const stored = new Map(
    (
      await queryRows<{ node_id: number; up: boolean; at: Date | string; since: Date | string }>(
        db,
        sql`select node_id, up, at, since from node_vantages where agent_id = ${agent.id} and node_id = any(${sql.param(nodes.map(([id]) => id))}::int[])`,
      )
    ).map((r) => [r.node_id, r]),
  );
  const since = nodes.map(([id, last]) => {
    const streak = streaks.get(id) as { since: string; whole: boolean };
    const old = stored.get(id);
    const continues = old && old.up === last.up && streak.whole && new Date(old.at).getTime() <= Date.parse(last.at);
    return continues ? new Date(old.since).toISOString() : streak.since;
  });
  await db.execute(sql`
    insert into node_vantages (node_id, agent_id, at, up, latency_ms, loss, since)
    select v.id, ${agent.id}, v.at, v.up, v.latency_ms, v.loss, v.since
    from unnest(${sql.param(nodes.map(([id]) => id))}::int[], ${sql.param(nodes.map(([, s]) => s.at))}::timestamptz[],
                ${sql.param(nodes.map(([, s]) => s.up))}::boolean[], ${sql.param(nodes.map(([, s]) => s.latency_ms))}::real[],
                ${sql.param(nodes.map(([, s]) => s.loss))}::real[], ${sql.param(since)}::timestamptz[]) as v(id, at, up, latency_ms, loss, since)
    on conflict (node_id, agent_id) do update
      set at = excluded.at, up = excluded.up, latency_ms = excluded.latency_ms, loss = excluded.loss, since = excluded.since
      where node_vantages.at <= excluded.at`);

  // The node rows are locked last and in id order: agents probing the same nodes append
  // their history side by side, queue only for this short update, and never deadlock.
  // NO KEY UPDATE (what the update takes anyway) leaves the samples' foreign-key checks be.
  await db.execute(
    sql`select 1 from network_nodes where id = any(${sql.param(nodes.map(([id]) => id))}::int[]) order by id for no key update`,
  );
  await db.execute(sql`
    update network_nodes n
    set live_state = case when not v.up then 'down' when v.loss > 0 then 'degraded' else 'up' end,
        latency_ms = v.latency_ms, loss = v.loss, last_sample_at = v.at,
        live_until = v.at + make_interval(secs => ${3 * nextReportSeconds})
    from unnest(${sql.param(nodes.map(([id]) => id))}::int[], ${sql.param(nodes.map(([, s]) => s.at))}::timestamptz[],
                ${sql.param(nodes.map(([, s]) => s.up))}::boolean[], ${sql.param(nodes.map(([, s]) => s.latency_ms))}::real[],
                ${sql.param(nodes.map(([, s]) => s.loss))}::real[]) as v(id, at, up, latency_ms, loss)
    where n.id = v.id and (n.last_sample_at is null or n.last_sample_at <= v.at)`);
  return samples.length;
}

/**
 * Where each node's latest up/down streak starts within a batch, and whether the whole batch
 * is that one streak (then a streak already stored continues instead of starting again).
 */
function streakStarts(samples: { id: number; item: NodeSampleItem }[]): Map<number, { since: string; whole: boolean }> {
  const byNode = new Map<number, NodeSampleItem[]>();
  for (const { id, item } of samples) byNode.set(id, [...(byNode.get(id) ?? []), item]);
  const starts = new Map<number, { since: string; whole: boolean }>();
  for (const [id, items] of byNode) {
    const sorted = items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const last = sorted[sorted.length - 1] as NodeSampleItem;
    let first = sorted.length - 1;
    while (first > 0 && (sorted[first - 1] as NodeSampleItem).up === last.up) first--;
    starts.set(id, { since: (sorted[first] as NodeSampleItem).at, whole: first === 0 });
  }
  return starts;
}

/**
 * claimed → verified: a system its department declared migrated is verified the first
 * time its workload is seen in the very tenant (cloud and external id) the system names.
 * A label naming an unknown system, or another place, verifies nothing and is not an error:
 * it is a fact about the cluster, not a fault of the agent.
 */
async function verifySystems(db: Db, agent: AuthenticatedAgent, workloads: Indexed<WorkloadSeenItem>[], actor: Actor): Promise<number> {
  if (workloads.length === 0 || agent.cloudId === null) return 0;
  const codes = [...new Set(workloads.map((w) => w.item.system))];
  const candidates = new Map<string, { id: number; tenant: string | null }>();
  for (let i = 0; i < codes.length; i += 5000) {
    const rows = await db
      .select({ id: systems.id, code: systems.code, tenant: systems.tenant })
      .from(systems)
      .where(
        and(
          inArray(systems.code, codes.slice(i, i + 5000)),
          eq(systems.cloudId, agent.cloudId),
          eq(systems.state, 'migrated'),
          isNull(systems.verifiedAt),
        ),
      );
    for (const row of rows) candidates.set(row.code, row);
  }
  const firstSeen = new Map<string, { id: number; at: string; workload: string; tenant: string }>();
  for (const { item } of workloads) {
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

async function touchAgent(db: Db, agent: AuthenticatedAgent, batch: IngestBatch, version: string | undefined): Promise<void> {
  await db
    .update(agents)
    .set({ lastSeenAt: sql`now()`, nextReportSeconds: batch.next_report_seconds, ...(version ? { version } : {}) })
    .where(eq(agents.id, agent.id));
}
