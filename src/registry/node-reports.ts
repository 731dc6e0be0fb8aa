import { and, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { networkNodes } from '../db/schema/index.ts';

// What the network agents report of the nodes (called by the ingest): the live-state columns,
// the only ones of network_nodes the registry's own writes leave alone.

/** A node's latest sample in a batch. */
export interface NodeReport {
  id: number;
  at: string;
  up: boolean;
  latency_ms: number | null;
  loss: number | null;
}

/**
 * Moves each node's live state to its latest sample, live until 3× the agent's interval. A
 * sample older than the stored one (a replay from a spool) leaves the state as it is.
 */
export async function storeNodeLiveStates(db: Db, reports: NodeReport[], nextReportSeconds: number): Promise<void> {
  const ids = reports.map((r) => r.id);
  // The node rows are locked in id order: agents probing the same nodes queue only for this
  // short update, and never deadlock. NO KEY UPDATE (what the update takes anyway) leaves the
  // samples' foreign-key checks be.
  await db.execute(sql`select 1 from network_nodes where id = any(${sql.param(ids)}::int[]) order by id for no key update`);
  await db.execute(sql`
    update network_nodes n
    set live_state = case when not v.up then 'down' when v.loss > 0 then 'degraded' else 'up' end,
        latency_ms = v.latency_ms, loss = v.loss, last_sample_at = v.at,
        live_until = v.at + make_interval(secs => ${3 * nextReportSeconds})
    from unnest(${sql.param(ids)}::int[], ${sql.param(reports.map((r) => r.at))}::timestamptz[],
                ${sql.param(reports.map((r) => r.up))}::boolean[], ${sql.param(reports.map((r) => r.latency_ms))}::real[],
                ${sql.param(reports.map((r) => r.loss))}::real[]) as v(id, at, up, latency_ms, loss)
    where n.id = v.id and (n.last_sample_at is null or n.last_sample_at <= v.at)`);
}

/**
 * Stores `unknown` for nodes whose last sample is older than 3× the interval their agent
 * declared. Reads already show them unknown; this keeps the stored column honest too.
 */
export async function markSilentNodes(db: Db): Promise<number> {
  const rows = await db
    .update(networkNodes)
    .set({ liveState: 'unknown' })
    .where(and(ne(networkNodes.liveState, 'unknown'), or(isNull(networkNodes.liveUntil), lt(networkNodes.liveUntil, sql`now()`))))
    .returning({ id: networkNodes.id });
  return rows.length;
}
