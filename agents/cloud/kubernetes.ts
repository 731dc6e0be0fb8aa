import { AppsV1Api, CoreV1Api, KubeConfig, type V1ObjectMeta, type V1ResourceQuota } from '@kubernetes/client-node';
import type { Resources } from '../client/protocol.ts';
import type { CloudAdapter, CloudObservation, TenantObservation, WorkloadObservation } from './adapter.ts';
import { gib, parseQuantity } from './quantity.ts';

export const departmentLabel = 'yunwang.gov/department';
export const systemLabel = 'yunwang.gov/system';

export interface KubernetesSource {
  /** A kubeconfig file; absent: the pod's service account (in-cluster). */
  kubeconfig?: string;
  context?: string;
}

export function loadKubeConfig(source: KubernetesSource): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfig) kc.loadFromFile(source.kubeconfig);
  else kc.loadFromCluster();
  if (source.context) kc.setCurrentContext(source.context);
  return kc;
}

interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string };
}

/** Follows `continue` tokens so a large cluster is read in pages of 500. */
async function listAll<T>(page: (token: string | undefined) => Promise<ListPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    items.push(...result.items);
    token = result.metadata?._continue || undefined;
  } while (token);
  return items;
}

/** The quota keys that mean each resource, preferred first (requests are what the scheduler counts). */
const keys: Record<keyof Resources, string[]> = {
  vcpu: ['requests.cpu', 'cpu', 'limits.cpu'],
  memory_gib: ['requests.memory', 'memory', 'limits.memory'],
  storage_gib: ['requests.storage'],
};

function pick(values: Record<string, string> | undefined, resource: keyof Resources): number | undefined {
  if (!values) return undefined;
  const key = keys[resource].find((k) => values[k] !== undefined);
  if (key === undefined) return undefined;
  const quantity = parseQuantity(values[key] as string);
  return resource === 'vcpu' ? quantity : gib(quantity);
}

/**
 * A namespace's quota and usage from its ResourceQuotas. Several quotas all constrain it,
 * so the limit is the smallest hard value; each counts the same usage, so usage is the
 * largest `used` (they can differ while a quota's status is being refreshed).
 */
export function quotaOf(quotas: V1ResourceQuota[]): { quota: Resources; usage: Resources } {
  const quota: Resources = { vcpu: 0, memory_gib: 0, storage_gib: 0 };
  const usage: Resources = { vcpu: 0, memory_gib: 0, storage_gib: 0 };
  for (const resource of Object.keys(keys) as (keyof Resources)[]) {
    const hard = quotas.map((q) => pick(q.status?.hard ?? q.spec?.hard, resource)).filter((v): v is number => v !== undefined);
    const used = quotas.map((q) => pick(q.status?.used, resource)).filter((v): v is number => v !== undefined);
    quota[resource] = hard.length > 0 ? round(Math.min(...hard)) : 0;
    usage[resource] = used.length > 0 ? round(Math.max(...used)) : 0;
  }
  return { quota, usage };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Tenants are the namespaces labelled `yunwang.gov/department=<code>`; quota and usage
 * come from their ResourceQuotas; Deployments and StatefulSets labelled
 * `yunwang.gov/system=<code>` are the workloads seen. Four cluster-wide lists a round,
 * however many namespaces there are.
 */
export class KubernetesAdapter implements CloudAdapter {
  readonly name = 'kubernetes';
  readonly #core: CoreV1Api;
  readonly #apps: AppsV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#apps = kubeConfig.makeApiClient(AppsV1Api);
  }

  async observe(): Promise<CloudObservation> {
    const limit = 500;
    const [namespaces, quotas, deployments, statefulSets] = await Promise.all([
      listAll((token) => this.#core.listNamespace({ labelSelector: departmentLabel, limit, _continue: token })),
      listAll((token) => this.#core.listResourceQuotaForAllNamespaces({ limit, _continue: token })),
      listAll((token) => this.#apps.listDeploymentForAllNamespaces({ limit, _continue: token })),
      listAll((token) => this.#apps.listStatefulSetForAllNamespaces({ limit, _continue: token })),
    ]);

    const departments = new Map<string, string>();
    for (const ns of namespaces) {
      const name = ns.metadata?.name;
      const department = ns.metadata?.labels?.[departmentLabel]?.trim();
      if (name && department) departments.set(name, department);
    }
    const quotasByNamespace = new Map<string, V1ResourceQuota[]>();
    for (const q of quotas) {
      const ns = q.metadata?.namespace;
      if (ns && departments.has(ns)) quotasByNamespace.set(ns, [...(quotasByNamespace.get(ns) ?? []), q]);
    }

    const workloadCount = new Map<string, number>();
    const workloads: WorkloadObservation[] = [];
    const see = (kind: string, meta: V1ObjectMeta | undefined) => {
      const ns = meta?.namespace;
      if (!ns || !meta?.name || !departments.has(ns)) return;
      workloadCount.set(ns, (workloadCount.get(ns) ?? 0) + 1);
      const system = meta.labels?.[systemLabel]?.trim();
      if (system) workloads.push({ tenant: ns, system, workload: `${kind}/${meta.name}` });
    };
    for (const d of deployments) see('Deployment', d.metadata);
    for (const s of statefulSets) see('StatefulSet', s.metadata);

    const tenants: TenantObservation[] = [...departments].map(([externalId, department]) => ({
      externalId,
      department,
      ...quotaOf(quotasByNamespace.get(externalId) ?? []),
      workloadCount: workloadCount.get(externalId) ?? 0,
    }));
    tenants.sort((a, b) => a.externalId.localeCompare(b.externalId));
    return { tenants, workloads };
  }
}
