import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { agents, ingestBatches, networkNodes, nodeSamples } from '../db/schema/index.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import type { SampleItem } from './schemas.ts';

export interface SampleQuery {
  from?: string;
  to?: string;
  limit: number;
}

export interface SamplePage {
  node: string;
  from: string;
  to: string;
  items: SampleItem[];
  /** True when the range holds more than `limit` samples: ask again from the last `at`. */
  truncated: boolean;
}

const hour = 3600 * 1000;

/** A node's samples in [from, to], oldest first; the last hour by default. */
export async function listNodeSamples(db: Db, code: string, query: SampleQuery, now = new Date()): Promise<SamplePage> {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - hour);
  if (from > to) {
    throw new AppError('validation_failed', '`from` is after `to`', [{ field: 'from', message: 'must not be after to' }]);
  }
  const [node] = await db.select({ id: networkNodes.id }).from(networkNodes).where(eq(networkNodes.code, code));
  if (!node) throw notFound('network node', code);
  const rows = await db
    .select({ at: nodeSamples.at, up: nodeSamples.up, latency_ms: nodeSamples.latencyMs, loss: nodeSamples.loss, agent: agents.name })
    .from(nodeSamples)
    .innerJoin(agents, eq(agents.id, nodeSamples.agentId))
    .where(and(eq(nodeSamples.nodeId, node.id), gte(nodeSamples.at, from), lte(nodeSamples.at, to)))
    .orderBy(asc(nodeSamples.at), asc(agents.name))
    .limit(query.limit + 1);
  return {
    node: code,
    from: from.toISOString(),
    to: to.toISOString(),
    items: rows.slice(0, query.limit).map((r) => ({ ...r, at: r.at.toISOString() })),
    truncated: rows.length > query.limit,
  };
}

/**
 * Deletes samples, and the batch receipts, older than the retention period. Receipts go
 * too: a spool never holds a batch that long (72 h by default), so no replay needs them.
 */
export async function pruneSamples(db: Db, retentionDays: number, now = new Date()): Promise<{ samples: number; batches: number }> {
  const cutoff = new Date(now.getTime() - retentionDays * 24 * hour);
  // Counted in SQL: a day of samples is too many rows to hand back to JavaScript.
  const [samples] = await queryRows<{ n: number }>(
    db,
    sql`with gone as (delete from ${nodeSamples} where ${nodeSamples.at} < ${cutoff} returning 1) select count(*)::int as n from gone`,
  );
  const [batches] = await queryRows<{ n: number }>(
    db,
    sql`with gone as (delete from ${ingestBatches} where ${ingestBatches.receivedAt} < ${cutoff} returning 1) select count(*)::int as n from gone`,
  );
  return { samples: samples?.n ?? 0, batches: batches?.n ?? 0 };
}

// The jobs and the tests call it from here; the registry writes the nodes.
export { markSilentNodes } from '../registry/node-reports.ts';
