import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, primaryKey, real, text } from 'drizzle-orm/pg-core';
import { clouds } from './clouds.ts';
import { entityColumns, enumChecks, instant, requiredId } from './columns.ts';
import { agentKinds } from './enums.ts';
import { networkNodes } from './network-nodes.ts';

/**
 * An agent (cloud-agent, network-agent) and its token. Only the SHA-256 of the token is
 * kept; a revoked token leaves the agent (and its history) in place with no hash.
 */
export const agents = pgTable(
  'agents',
  {
    ...entityColumns,
    name: text().notNull().unique('agents_name_key'),
    kind: text({ enum: agentKinds }).notNull(),
    /** The one cloud a cloud agent may report tenants of; null for network agents. */
    cloudId: integer().references(() => clouds.id),
    tokenHash: text().unique('agents_token_hash_key'),
    tokenIssuedAt: instant(),
    revokedAt: instant(),
    version: text(),
    lastSeenAt: instant(),
    /** The interval the agent declared in its last batch; silent for 3× this → unknown. */
    nextReportSeconds: integer(),
  },
  (t) => [...enumChecks(t.kind), check('agents_cloud_scope_check', sql`(${t.kind} = 'cloud') = (${t.cloudId} is not null)`)],
);

/** One row per accepted batch: (agent, seq) seen before is acknowledged, not applied again. */
export const ingestBatches = pgTable(
  'ingest_batches',
  {
    agentId: requiredId(() => agents.id),
    seq: bigint({ mode: 'number' }).notNull(),
    receivedAt: instant().notNull().defaultNow(),
    itemCount: integer().notNull(),
  },
  (t) => [
    primaryKey({ name: 'ingest_batches_pkey', columns: [t.agentId, t.seq] }),
    index('ingest_batches_received_at_idx').on(t.receivedAt),
  ],
);

/**
 * Probe sample history of the network nodes, pruned after the retention period. The key
 * serves a node's time range; a BRIN index on `at` lets the pruning job find old rows
 * without the write cost of a second B-tree.
 */
export const nodeSamples = pgTable(
  'node_samples',
  {
    nodeId: requiredId(() => networkNodes.id),
    at: instant().notNull(),
    agentId: requiredId(() => agents.id),
    up: boolean().notNull(),
    latencyMs: real(),
    loss: real().notNull(),
  },
  (t) => [
    primaryKey({ name: 'node_samples_pkey', columns: [t.nodeId, t.at, t.agentId] }),
    index('node_samples_at_brin_idx').using('brin', t.at),
  ],
);

/**
 * Each agent's latest word on each node it probes (its vantage point). A node is down only
 * when every agent that probes it says so, and the alert engine reads this compact table
 * rather than the sample history. Kept up to date by the ingest path, in the batch's transaction.
 */
export const nodeVantages = pgTable(
  'node_vantages',
  {
    nodeId: requiredId(() => networkNodes.id),
    agentId: requiredId(() => agents.id),
    at: instant().notNull(),
    up: boolean().notNull(),
    latencyMs: real(),
    loss: real().notNull(),
    /** The first sample of the current up (or down) streak: a node is down `for` a duration from the data, not from when the engine looked. */
    since: instant().notNull(),
  },
  (t) => [primaryKey({ name: 'node_vantages_pkey', columns: [t.nodeId, t.agentId] }), index('node_vantages_agent_id_idx').on(t.agentId)],
);
