import { z } from '@hono/zod-openapi';
import { eq, sql } from 'drizzle-orm';
import { type NodeLiveState, nodeLiveStates, nodeTiers } from '../../db/schema/enums.ts';
import { networkNodes } from '../../db/schema/index.ts';
import { commissionStateLabels, nodeTierLabels, zhNames } from '../../vocabulary/records.ts';
import { code, isoDate, name, region, regionCode, stamps, timestamp } from '../fields.ts';
import { inRegion, matches } from '../filters.ts';
import { flagLifecycle, kindNames, knownRegion, listQuery, namedColumns, regionColumn, viewLoader, writeByCode } from './shared.ts';
import type { RecordKind } from './types.ts';

export const NetworkNodeInput = z
  .object({
    code,
    name,
    region_code: regionCode,
    tier: z.enum(nodeTiers),
    commissioned: z.boolean().default(false),
    commissioned_at: isoDate.nullish(),
    probe_address: z.string().trim().max(300).nullish(),
  })
  .openapi('NetworkNodeInput');
export type NetworkNodeInput = z.infer<typeof NetworkNodeInput>;

const NetworkNode = NetworkNodeInput.extend({
  ...stamps,
  live_state: z.enum(nodeLiveStates).openapi({ description: 'From the network agents; `unknown` when silent for 3× their interval' }),
  latency_ms: z.number().nullable(),
  loss: z.number().nullable(),
  last_sample_at: timestamp.nullable(),
}).openapi('NetworkNode');

const lifecycle = flagLifecycle(networkNodes, { flag: networkNodes.commissioned, at: networkNodes.commissionedAt }, commissionStateLabels);

// A node whose last sample is older than 3× its agent's interval is unknown, never up.
const nodeLiveState = sql<NodeLiveState>`case when ${networkNodes.liveUntil} > now() then ${networkNodes.liveState} else 'unknown' end`;

/** 网络节点: the extranet's backbone and metro nodes; no department owns them. */
export const networkNodesKind: RecordKind<NetworkNodeInput, z.infer<typeof NetworkNode>> = {
  ...kindNames('network-nodes', 'network_node', 'NetworkNode'),
  table: networkNodes,
  schemas: {
    input: NetworkNodeInput,
    item: NetworkNode,
    query: listQuery({ region, state: lifecycle.stateQuery, tier: z.enum(nodeTiers).optional() }),
  },
  ...lifecycle.descriptor,
  columns: [
    ...namedColumns,
    regionColumn,
    { field: 'tier', alias: '层级', type: 'enum', values: zhNames(nodeTierLabels) },
    { field: 'commissioned', alias: '已建成', type: 'boolean' },
    { field: 'commissioned_at', alias: '建成日期', type: 'date' },
    { field: 'probe_address', alias: '探测地址', type: 'text' },
  ],
  indicators: ['horizontal_coverage_city', 'horizontal_coverage_county', 'horizontal_coverage_township'],
  extras: {
    columns: {
      liveState: nodeLiveState,
      latencyMs: networkNodes.latencyMs,
      loss: networkNodes.loss,
      lastSampleAt: networkNodes.lastSampleAt,
    },
    item: (row) => ({
      live_state: row.liveState ?? 'unknown',
      latency_ms: row.latencyMs,
      loss: row.loss,
      last_sample_at: (row.lastSampleAt as Date | null)?.toISOString() ?? null,
    }),
  },
  filters: async (db, f) => [
    await inRegion(db, networkNodes.regionCode, f.region as string | undefined),
    lifecycle.stateFilter(f.state),
    f.tier ? eq(networkNodes.tier, f.tier as NetworkNodeInput['tier']) : undefined,
    matches(f.q, networkNodes.name, networkNodes.code),
  ],
  loadViews: viewLoader<NetworkNodeInput>(networkNodes, {
    code: networkNodes.code,
    name: networkNodes.name,
    region_code: networkNodes.regionCode,
    tier: networkNodes.tier,
    commissioned: networkNodes.commissioned,
    commissioned_at: networkNodes.commissionedAt,
    probe_address: networkNodes.probeAddress,
  }),
  check: (r, refs) => [...knownRegion(refs, r.region_code), ...lifecycle.checkFlag(r)],
  write: (db, rows) =>
    writeByCode(
      db,
      networkNodes,
      rows.map(({ input: r, state }) => ({
        code: r.code,
        name: r.name,
        regionCode: r.region_code,
        tier: r.tier,
        probeAddress: r.probe_address ?? null,
        ...lifecycle.stored(state),
      })),
    ),
};
