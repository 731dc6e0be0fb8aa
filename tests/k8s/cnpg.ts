/**
 * The part of CloudNativePG's `Cluster` (postgresql.cnpg.io/v1) that k8s/overlays/prod uses,
 * written by hand from the operator's API reference: no models package for CNPG exists on npm.
 * Fields are optional where the CRD has defaults; an unknown field or a wrong type fails the
 * type check in kube.ts (excess property checks), as it would fail the CRD's schema.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IToleration } from 'kubernetes-models/v1/Toleration';

type IObjectMeta = NonNullable<IDeployment['metadata']>;

interface StorageConfiguration {
  size?: string;
  storageClass?: string;
  resizeInUseVolumes?: boolean;
}

export interface CnpgCluster {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Cluster';
  metadata: IObjectMeta;
  spec: {
    description?: string;
    /** Required; at least 1. */
    instances: number;
    imageName?: string;
    primaryUpdateStrategy?: 'unsupervised' | 'supervised';
    primaryUpdateMethod?: 'switchover' | 'restart';
    enableSuperuserAccess?: boolean;
    bootstrap?: {
      initdb?: {
        database?: string;
        owner?: string;
        encoding?: string;
        localeCollate?: string;
        localeCType?: string;
        dataChecksums?: boolean;
        secret?: { name: string };
      };
    };
    managed?: {
      roles?: {
        name: string;
        ensure?: 'present' | 'absent';
        comment?: string;
        login?: boolean;
        superuser?: boolean;
        createdb?: boolean;
        createrole?: boolean;
        inherit?: boolean;
        replication?: boolean;
        bypassrls?: boolean;
        connectionLimit?: number;
        validUntil?: string;
        inRoles?: string[];
        passwordSecret?: { name: string };
        disablePassword?: boolean;
      }[];
    };
    postgresql?: {
      parameters?: Record<string, string>;
      pg_hba?: string[];
    };
    storage?: StorageConfiguration;
    walStorage?: StorageConfiguration;
    affinity?: {
      enablePodAntiAffinity?: boolean;
      topologyKey?: string;
      podAntiAffinityType?: 'preferred' | 'required';
      nodeSelector?: Record<string, string>;
      tolerations?: IToleration[];
    };
    resources?: IResourceRequirements;
  };
}

/** Runtime checks the type cannot express. */
export function cnpgClusterProblems(cluster: CnpgCluster): string[] {
  const problems: string[] = [];
  const { spec } = cluster;
  if (!Number.isInteger(spec.instances) || spec.instances < 1) problems.push('spec.instances must be an integer ≥ 1');
  if (spec.storage?.size === undefined) problems.push('spec.storage.size is required (no storage class default for the size)');
  for (const [key, value] of Object.entries(spec.postgresql?.parameters ?? {})) {
    if (typeof value !== 'string') problems.push(`spec.postgresql.parameters.${key} must be a string`);
  }
  const name = cluster.metadata.name ?? '';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 50) problems.push(`metadata.name ${name} is not a valid cluster name`);
  return problems;
}
