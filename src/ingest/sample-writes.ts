import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { storeNodeLiveStates } from '../registry/node-reports.ts';
import type { AuthenticatedAgent } from './agents.ts';
import type { Indexed } from './batch-checks.ts';
import type { NodeSampleItem } from './schemas.ts';

/**
 * Appends the samples to the history, then moves each node's latest state forward. Arrays
 * go in as one parameter each (unnest), so a 1,500-node round is three short statements.
 * A sample older than the node's latest (a replay from a spool) joins the history but
 * never rolls the latest state back.
 */
export async function writeSamples(
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

  // The nodes last: agents probing the same nodes append their history side by side and
  // queue only for this short update.
  await storeNodeLiveStates(
    db,
    nodes.map(([id, s]) => ({ id, at: s.at, up: s.up, latency_ms: s.latency_ms, loss: s.loss })),
    nextReportSeconds,
  );
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
