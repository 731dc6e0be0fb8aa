import type { Resources } from '../client/protocol.ts';

/** A department's tenancy as a cloud shows it (a Kubernetes namespace, a vendor project). */
export interface TenantObservation {
  externalId: string;
  department: string;
  quota: Resources;
  usage: Resources;
  workloadCount: number;
}

/** A workload labelled with an information system's code, and the tenant it runs in. */
export interface WorkloadObservation {
  tenant: string;
  system: string;
  /** `<Kind>/<name>`, e.g. `Deployment/portal`. */
  workload: string;
}

export interface CloudObservation {
  tenants: TenantObservation[];
  workloads: WorkloadObservation[];
}

/**
 * What cloud-agent needs from a cloud. Kubernetes is one adapter; a vendor's cloud API
 * (Huawei, Alibaba, Inspur…) is another class implementing this, chosen by `adapter` in
 * the configuration — nothing else in the agent changes.
 */
export interface CloudAdapter {
  readonly name: string;
  observe(): Promise<CloudObservation>;
}
