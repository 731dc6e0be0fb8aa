import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudCollector } from '../../agents/cloud/agent.ts';
import { KubernetesAdapter, loadKubeConfig, quotaOf } from '../../agents/cloud/kubernetes.ts';
import { gib, parseQuantity } from '../../agents/cloud/quantity.ts';
import { IngestBatch } from '../../src/ingest/schemas.ts';
import { type FakeKubernetes, sampleCluster, startFakeKubernetes } from '../helpers/fake-kubernetes.ts';

describe('Kubernetes quantities', () => {
  it('parses decimal, binary, milli and exponent forms', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(gib(parseQuantity('4Gi'))).toBe(4);
    expect(gib(parseQuantity('512Mi'))).toBe(0.5);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1.5k')).toBe(1500);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity('100n')).toBeCloseTo(1e-7);
    expect(() => parseQuantity('lots')).toThrow(/not a Kubernetes quantity/);
  });

  it('takes the tightest hard limit and the largest usage across a namespace’s quotas', () => {
    const q = (hard: Record<string, string>, used: Record<string, string>) => ({ spec: { hard }, status: { hard, used } });
    expect(
      quotaOf([
        q({ 'requests.cpu': '16' }, { 'requests.cpu': '2' }),
        q({ 'limits.cpu': '12', 'requests.storage': '10Gi' }, { 'requests.cpu': '3' }),
      ]),
    ).toEqual({
      quota: { vcpu: 12, memory_gib: 0, storage_gib: 10 },
      usage: { vcpu: 3, memory_gib: 0, storage_gib: 0 },
    });
    expect(quotaOf([])).toEqual({ quota: { vcpu: 0, memory_gib: 0, storage_gib: 0 }, usage: { vcpu: 0, memory_gib: 0, storage_gib: 0 } });
  });
});

describe('cloud-agent against a fake Kubernetes API', () => {
  let kube: FakeKubernetes;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    kube = await startFakeKubernetes(sampleCluster());
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-kube-'));
    kubeconfig = path.join(dir, 'kubeconfig.yaml');
    await kube.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await kube.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads labelled namespaces as tenants with quota, usage and workloads, following pages', async () => {
    const adapter = new KubernetesAdapter(loadKubeConfig({ kubeconfig }));
    const observed = await adapter.observe();
    expect(observed.tenants).toEqual([
      {
        externalId: 'gx-gat-prod',
        department: 'GX-GAT',
        quota: { vcpu: 12, memory_gib: 64, storage_gib: 500 },
        usage: { vcpu: 4.5, memory_gib: 20, storage_gib: 120 },
        workloadCount: 3,
      },
      {
        externalId: 'gx-gat-test',
        department: 'GX-GAT',
        quota: { vcpu: 0, memory_gib: 0, storage_gib: 0 },
        usage: { vcpu: 0, memory_gib: 0, storage_gib: 0 },
        workloadCount: 0,
      },
      {
        externalId: 'gx-rst',
        department: 'GX-RST',
        quota: { vcpu: 8, memory_gib: 14.901, storage_gib: 1024 },
        usage: { vcpu: 0, memory_gib: 0, storage_gib: 0 },
        workloadCount: 1,
      },
    ]);
    expect(observed.workloads).toEqual([
      { tenant: 'gx-gat-prod', system: 'GX-SYS-0001', workload: 'Deployment/portal' },
      { tenant: 'gx-rst', system: 'GX-SYS-0003', workload: 'Deployment/hr' },
      { tenant: 'gx-gat-prod', system: 'GX-SYS-0002', workload: 'StatefulSet/db' },
    ]);
    expect(kube.requests.some((r) => r.startsWith('/api/v1/namespaces?') && r.includes('labelSelector=yunwang.gov%2Fdepartment'))).toBe(
      true,
    );
    expect(kube.requests.some((r) => r.includes('continue=2'))).toBe(true);
  });

  it('turns the observation into items the server accepts', async () => {
    const collect = cloudCollector({ cloud: 'GX-PROV' }, new KubernetesAdapter(loadKubeConfig({ kubeconfig })));
    const items = await collect();
    expect(items.filter((i) => i.kind === 'tenant')).toHaveLength(3);
    expect(items.filter((i) => i.kind === 'workload_seen')).toHaveLength(3);
    const parsed = IngestBatch.safeParse({ agent: 'c', seq: 1, sent_at: new Date().toISOString(), next_report_seconds: 30, items });
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it('fails the round when the cluster answers an error', async () => {
    kube.failWith = 503;
    try {
      await expect(new KubernetesAdapter(loadKubeConfig({ kubeconfig })).observe()).rejects.toThrow();
    } finally {
      kube.failWith = undefined;
    }
  });
});
