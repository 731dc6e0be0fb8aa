import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { type AgentKind, type NodeLiveState, type NodeTier, regionLevels } from '../db/schema/enums.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import { definitions, type IndicatorKey } from '../indicators/definitions.ts';
import { resolveScope } from '../indicators/scope.ts';
import { computeIndicators, type IndicatorReport } from '../indicators/service.ts';
import { computeFigures, resolvePeriod } from '../interconnection/service.ts';
import { businessDate } from '../kernel/dates.ts';
import type { JobMonitor } from './jobs.ts';
import { refreshedEvery } from './ttl.ts';

/** One numerator/denominator pair of an indicator, for one region of the partition and one level. */
export interface IndicatorSample {
  indicator: IndicatorKey;
  region: string;
  /** The departments' level where the indicator splits by it (对接完成率), else `all`. */
  level: string;
  numerator: number;
  denominator: number;
}

export interface CloudSample {
  cloud: string;
  kind: string;
  tenants: number;
  /** vCPU cores, bytes, bytes. */
  quota: Record<CloudResource, number>;
  usage: Record<CloudResource, number>;
  capacity: Record<CloudResource, number>;
}
export const cloudResources = ['vcpu', 'memory_bytes', 'storage_bytes'] as const;
export type CloudResource = (typeof cloudResources)[number];

export interface NodeSample {
  node: string;
  region: string;
  tier: NodeTier;
  up: boolean;
  latencySeconds: number | null;
}

export interface BusinessSnapshot {
  /** The province (450000) and its cities, with their names. */
  regions: { code: string; name: string; level: 'province' | 'city' }[];
  indicators: IndicatorSample[];
  /** The ratio of each region of the partition (summed over levels); absent when nothing is counted. */
  ratios: { indicator: IndicatorKey; region: string; ratio: number }[];
  /** Items awaiting classification, by the table they are in (`systems`). */
  pending: { kind: string; region: string; count: number }[];
  clouds: CloudSample[];
  /** Commissioned nodes per city (the province's own nodes under 450000), tier and live state; zeros included. */
  nodeCounts: { region: string; tier: NodeTier; state: NodeLiveState; count: number }[];
  /** Backbone and province- or city-level nodes that have reported at least once. */
  nodes: NodeSample[];
  agents: { agent: string; kind: AgentKind; lastSeenSeconds: number; intervalSeconds: number | null }[];
  /** The interconnection figures (互联互通) of each region of the partition, cumulative up to today. */
  interconnection: InterconnectionSample[];
}

export interface InterconnectionSample {
  region: string;
  services: number;
  systemsServed: number;
  connectedUnits: number;
  volume: number;
  dailyAverage: number;
}

const gib = 1024 ** 3;
const levels: ReadonlySet<string> = new Set(regionLevels);

/**
 * The indicator figures of the partition /metrics exports: each city (its whole subtree) and
 * the province's own level (本级, self), so that summing over `region` gives the province.
 * Read through computeIndicators and the app's figure cache, never a query of its own.
 */
async function indicatorSamples(
  db: Db,
  partition: BusinessSnapshot['regions'],
  at: string,
  cache?: IndicatorCache<IndicatorReport>,
): Promise<Pick<BusinessSnapshot, 'indicators' | 'ratios' | 'pending'>> {
  const reports = await Promise.all(
    partition.map((r) => computeIndicators(db, { scope: r.code, at, self: r.level === 'province' }, cache)),
  );
  const out: Pick<BusinessSnapshot, 'indicators' | 'ratios' | 'pending'> = { indicators: [], ratios: [], pending: [] };
  reports.forEach((report, i) => {
    const region = partition[i]?.code as string;
    for (const f of report.indicators) {
      if (f.key === 'service_integration' && f.breakdown) {
        for (const [level, fig] of Object.entries(f.breakdown.by_level)) {
          if (levels.has(level))
            out.indicators.push({ indicator: f.key, region, level, numerator: fig.numerator, denominator: fig.denominator });
        }
      } else {
        out.indicators.push({ indicator: f.key, region, level: 'all', numerator: f.numerator, denominator: f.denominator });
      }
      if (f.ratio !== null) out.ratios.push({ indicator: f.key, region, ratio: f.ratio });
      const classifies = definitions[f.key].classifies;
      if (classifies) out.pending.push({ kind: classifies, region, count: f.pending });
    }
  });
  return out;
}

async function cloudSamples(db: Db): Promise<CloudSample[]> {
  const rows = await queryRows<{
    code: string;
    kind: string;
    tenants: number;
    vcpu_quota: number;
    vcpu_used: number;
    memory_quota_gib: number;
    memory_used_gib: number;
    storage_quota_gib: number;
    storage_used_gib: number;
    vcpu_capacity: number;
    memory_capacity_gib: number;
    storage_capacity_gib: number;
  }>(
    db,
    sql`select c.code, c.kind, count(t.id)::int as tenants,
               coalesce(sum(t.vcpu_quota), 0)::float8 as vcpu_quota, coalesce(sum(t.vcpu_used), 0)::float8 as vcpu_used,
               coalesce(sum(t.memory_quota_gib), 0)::float8 as memory_quota_gib, coalesce(sum(t.memory_used_gib), 0)::float8 as memory_used_gib,
               coalesce(sum(t.storage_quota_gib), 0)::float8 as storage_quota_gib, coalesce(sum(t.storage_used_gib), 0)::float8 as storage_used_gib,
               c.vcpu_capacity::float8 as vcpu_capacity, c.memory_capacity_gib::float8 as memory_capacity_gib,
               c.storage_capacity_gib::float8 as storage_capacity_gib
        from clouds c left join cloud_tenants t on t.cloud_id = c.id
        group by c.id order by c.code`,
  );
  return rows.map((r) => ({
    cloud: r.code,
    kind: r.kind,
    tenants: r.tenants,
    quota: { vcpu: r.vcpu_quota, memory_bytes: r.memory_quota_gib * gib, storage_bytes: r.storage_quota_gib * gib },
    usage: { vcpu: r.vcpu_used, memory_bytes: r.memory_used_gib * gib, storage_bytes: r.storage_used_gib * gib },
    capacity: { vcpu: r.vcpu_capacity, memory_bytes: r.memory_capacity_gib * gib, storage_bytes: r.storage_capacity_gib * gib },
  }));
}

/** A node past its live-until (3 × its agent's interval without a sample) counts as unknown, job or no job. */
const effectiveState = sql`case when n.live_until is not null and n.live_until < now() then 'unknown' else n.live_state end`;
/** The city a region lies in (its path's second code), or the province for the province's own nodes. */
const cityOf = sql`coalesce((select c.code from regions c where c.level = 'city' and c.code = split_part(r.path, '/', 3)), split_part(r.path, '/', 2))`;

async function nodeSamples(db: Db): Promise<Pick<BusinessSnapshot, 'nodeCounts' | 'nodes'>> {
  const counts = await queryRows<{ region: string; tier: NodeTier; state: NodeLiveState; count: number }>(
    db,
    sql`select ${cityOf} as region, n.tier, ${effectiveState} as state, count(*)::int as count
        from network_nodes n join regions r on r.code = n.region_code
        where n.commissioned
        group by 1, 2, 3`,
  );
  const nodes = await queryRows<{ code: string; region: string; tier: NodeTier; state: NodeLiveState; latency_ms: number | null }>(
    db,
    sql`select n.code, ${cityOf} as region, n.tier, ${effectiveState} as state, n.latency_ms::float8 as latency_ms
        from network_nodes n join regions r on r.code = n.region_code
        where n.commissioned and n.last_sample_at is not null and (n.tier = 'backbone' or r.level in ('province', 'city'))
        order by n.code`,
  );
  return {
    nodeCounts: counts,
    nodes: nodes.map((n) => {
      const up = n.state === 'up' || n.state === 'degraded';
      return { node: n.code, region: n.region, tier: n.tier, up, latencySeconds: up && n.latency_ms !== null ? n.latency_ms / 1000 : null };
    }),
  };
}

/** The same partition as the indicators: each city's subtree and the province's own level. */
async function interconnectionSamples(db: Db, partition: BusinessSnapshot['regions'], today: string): Promise<InterconnectionSample[]> {
  const [from, to] = await resolvePeriod(db, {}, today);
  const out: InterconnectionSample[] = [];
  for (const r of partition) {
    const f = await computeFigures(db, await resolveScope(db, r.code, r.level === 'province'), from, to);
    out.push({
      region: r.code,
      services: f.services,
      systemsServed: f.systems_served,
      connectedUnits: f.connected_units,
      volume: f.volume_total,
      dailyAverage: f.volume_daily_average,
    });
  }
  return out;
}

async function agentSamples(db: Db): Promise<BusinessSnapshot['agents']> {
  const rows = await queryRows<{ name: string; kind: AgentKind; last_seen: number; interval: number | null }>(
    db,
    sql`select name, kind, extract(epoch from last_seen_at)::float8 as last_seen, next_report_seconds as interval
        from agents where token_hash is not null and last_seen_at is not null order by name`,
  );
  return rows.map((r) => ({ agent: r.name, kind: r.kind, lastSeenSeconds: r.last_seen, intervalSeconds: r.interval }));
}

/**
 * Everything the business gauges show, computed at most once per `ttlMs` (and once at a
 * time), refreshed behind the scrapes: a scrape never waits for the registry but the first.
 */
export function businessSource(
  db: Db,
  options: { ttlMs: number; jobs?: JobMonitor; cache?: IndicatorCache<IndicatorReport>; now?: () => Date },
) {
  const now = options.now ?? (() => new Date());
  const compute = async (): Promise<BusinessSnapshot> => {
    const regions = await queryRows<{ code: string; name: string; level: 'province' | 'city' }>(
      db,
      sql`select code, name, level from regions where level in ('province', 'city') order by code`,
    );
    // One after the other: on the embedded database the connection is single anyway, and on
    // PostgreSQL the indicator scopes already run side by side.
    const indicators = await indicatorSamples(db, regions, businessDate(now()), options.cache);
    const clouds = await cloudSamples(db);
    const nodes = await nodeSamples(db);
    const agents = await agentSamples(db);
    const interconnection = await interconnectionSamples(db, regions, businessDate(now()));
    return { regions, ...indicators, clouds, ...nodes, agents, interconnection };
  };
  return { snapshot: refreshedEvery(options.ttlMs, compute, { now: () => now().getTime(), jobs: options.jobs }) };
}
