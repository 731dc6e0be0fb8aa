/**
 * What the demo's simulated agents report (src/demo/live.ts): pure, so the shapes are easy to
 * read and test. Items are the ingest protocol's own (src/ingest/schemas.ts).
 */
import type { NodeSampleItem, TenantItem } from '../ingest/schemas.ts';
import { mulberry32 } from './random.ts';

/** How a demo node behaves: the situational-awareness page needs one of each. */
export type NodeRole = 'healthy' | 'down' | 'flapping' | 'lossy';

/** The roles of the probed nodes, by their position in code order; the rest are healthy. */
const roleAt: ReadonlyMap<number, NodeRole> = new Map([
  [5, 'down'],
  [7, 'flapping'],
  [9, 'lossy'],
]);

export const nodeRole = (index: number): NodeRole => roleAt.get(index) ?? 'healthy';

/** A small number from (a, b), the same every time: jitter without a clock or shared state. */
const noise = (a: number, b: number) => mulberry32((Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca6b)) >>> 0).next();
const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * One probe result of node `index` in agent round `round` (counted from the agent's start,
 * backfill included). A flapping node is up for two rounds, then down for two.
 */
export function nodeSample(code: string, index: number, round: number, at: Date): NodeSampleItem {
  const base = { kind: 'node_sample' as const, node: code, at: at.toISOString() };
  const role = nodeRole(index);
  const down = role === 'down' || (role === 'flapping' && Math.floor(round / 2) % 2 === 1);
  if (down) return { ...base, up: false, latency_ms: null, loss: 1 };
  if (role === 'lossy') return { ...base, up: true, latency_ms: round1(310 + 25 * noise(index, round)), loss: 0.3 };
  // Each node its own typical latency (5–30 ms), plus up to 10 ms of jitter.
  return { ...base, up: true, latency_ms: round1(5 + 25 * noise(index, -1) + 10 * noise(index, round)), loss: 0 };
}

/** A tenant of the demo cloud as the registry holds it. */
export interface DemoTenant {
  externalId: string;
  department: string;
  quota: { vcpu: number; memory_gib: number; storage_gib: number };
  workloadCount: number;
}

/** The hot tenant's vCPU use: above the tenant_quota warning (85 %), below critical (95 %). */
export const hotTenantVcpuShare = 0.9;

/**
 * The cloud agent's report of its tenants in round `round`. The first tenant with a vCPU
 * quota runs at 90 % of it; the others stay at 30–80 % of every quota, so exactly one
 * tenant of this cloud is near its quota. Each keeps its registry department.
 */
export function tenantItems(cloud: string, tenants: readonly DemoTenant[], round: number, at: Date): TenantItem[] {
  const hot = tenants.findIndex((t) => t.quota.vcpu > 0);
  return tenants.map((t, i) => {
    const share = (k: number) => Math.min(0.8, 0.3 + 0.45 * noise(i, 1000 + k) + 0.05 * noise(i, round * 3 + k));
    const used = (quota: number, k: number) => Math.round(quota * share(k) * 100) / 100;
    return {
      kind: 'tenant',
      cloud,
      external_id: t.externalId,
      department: t.department,
      at: at.toISOString(),
      quota: t.quota,
      usage: {
        vcpu: i === hot ? Math.round(t.quota.vcpu * hotTenantVcpuShare * 100) / 100 : used(t.quota.vcpu, 0),
        memory_gib: used(t.quota.memory_gib, 1),
        storage_gib: used(t.quota.storage_gib, 2),
      },
      workload_count: t.workloadCount,
    };
  });
}
