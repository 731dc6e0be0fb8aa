/**
 * What the demo's simulated agents report (src/demo/live-samples.ts): samples and tenant
 * items that the ingest schemas accept, a node of each kind, and one tenant near its quota.
 */
import { describe, expect, it } from 'vitest';
import { type DemoTenant, hotTenantVcpuShare, nodeRole, nodeSample, tenantItems } from '../../src/demo/live-samples.ts';
import { NodeSampleItem, TenantItem } from '../../src/ingest/schemas.ts';

const at = new Date('2024-05-01T08:00:00Z');
const codes = Array.from({ length: 12 }, (_, i) => `N-${i}`);

describe('demo live samples', () => {
  it('has one down, one flapping and one lossy node among twelve; the rest healthy', () => {
    const roles = codes.map((_, i) => nodeRole(i));
    expect(roles.filter((r) => r === 'healthy')).toHaveLength(9);
    for (const role of ['down', 'flapping', 'lossy'] as const) expect(roles.filter((r) => r === role)).toHaveLength(1);
  });

  it('reports samples the ingest schema accepts, within the ranges each role promises', () => {
    for (let round = 0; round < 20; round++) {
      codes.forEach((code, i) => {
        const sample = nodeSample(code, i, round, at);
        expect(NodeSampleItem.safeParse(sample).success, `${code} round ${round}`).toBe(true);
        const role = nodeRole(i);
        if (role === 'down') expect(sample).toMatchObject({ up: false, loss: 1, latency_ms: null });
        if (role === 'lossy') {
          expect(sample).toMatchObject({ up: true, loss: 0.3 });
          expect(sample.latency_ms).toBeGreaterThanOrEqual(300);
        }
        if (role === 'healthy') {
          expect(sample).toMatchObject({ up: true, loss: 0 });
          expect(sample.latency_ms).toBeGreaterThanOrEqual(5);
          expect(sample.latency_ms).toBeLessThanOrEqual(40);
        }
      });
    }
  });

  it('flaps every two rounds, and is the same for the same round', () => {
    const flapping = codes.findIndex((_, i) => nodeRole(i) === 'flapping');
    const ups = Array.from({ length: 8 }, (_, round) => nodeSample('N', flapping, round, at).up);
    expect(ups).toEqual([true, true, false, false, true, true, false, false]);
    expect(nodeSample('N', 0, 3, at)).toEqual(nodeSample('N', 0, 3, at));
  });

  it('puts the first tenant with a vCPU quota at 90 % of it and every other use below 85 %', () => {
    const tenants: DemoTenant[] = [
      { externalId: 't-a', department: 'D1', quota: { vcpu: 0, memory_gib: 0, storage_gib: 0 }, workloadCount: 0 },
      ...Array.from({ length: 10 }, (_, i) => ({
        externalId: `t-${i}`,
        department: `D${i}`,
        quota: { vcpu: 16, memory_gib: 64, storage_gib: 500 },
        workloadCount: i,
      })),
    ];
    for (let round = 0; round < 5; round++) {
      const items = tenantItems('GXCLOUD', tenants, round, at);
      for (const item of items) expect(TenantItem.safeParse(item).success).toBe(true);
      expect(items.map((t) => t.department)).toEqual(tenants.map((t) => t.department));
      const share = (t: (typeof items)[number], k: 'vcpu' | 'memory_gib' | 'storage_gib') => (t.quota[k] ? t.usage[k] / t.quota[k] : 0);
      expect(share(items[1] as (typeof items)[number], 'vcpu')).toBeCloseTo(hotTenantVcpuShare, 5);
      const rest = items.flatMap((t, i) =>
        (['vcpu', 'memory_gib', 'storage_gib'] as const).filter((k) => !(i === 1 && k === 'vcpu')).map((k) => share(t, k)),
      );
      expect(Math.max(...rest)).toBeLessThan(0.85);
    }
  });
});
