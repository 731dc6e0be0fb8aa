/**
 * The part of CloudNativePG's `Cluster` and `ScheduledBackup` (postgresql.cnpg.io/v1) that k8s/
 * uses, written by hand from the operator's API reference (1.26–1.31, with the built-in Barman
 * Cloud backup): no models package for CNPG exists on npm. Fields are optional where the CRD has
 * defaults; an unknown field or a wrong type fails the type check in kube.ts (excess property
 * checks), as it would fail the CRD's schema. The CRD's patterns and enums the types cannot hold
 * are checked at run time below.
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

interface SecretKeySelector {
  name: string;
  key: string;
}

type Compression = 'bzip2' | 'gzip' | 'lz4' | 'snappy' | 'xz' | 'zstd';

/** barman-cloud's BarmanObjectStoreConfiguration (S3 only: the one k8s/ uses). */
export interface BarmanObjectStore {
  /** Required: s3://bucket/path/. */
  destinationPath: string;
  endpointURL?: string;
  endpointCA?: SecretKeySelector;
  serverName?: string;
  s3Credentials?: {
    accessKeyId?: SecretKeySelector;
    secretAccessKey?: SecretKeySelector;
    region?: SecretKeySelector;
    sessionToken?: SecretKeySelector;
    inheritFromIAMRole?: boolean;
  };
  wal?: {
    compression?: Compression;
    encryption?: 'AES256' | 'aws:kms';
    maxParallel?: number;
  };
  data?: {
    compression?: Compression;
    encryption?: 'AES256' | 'aws:kms';
    immediateCheckpoint?: boolean;
    jobs?: number;
  };
  tags?: Record<string, string>;
  historyTags?: Record<string, string>;
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
    inheritedMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
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
      recovery?: {
        /** An externalClusters name (object store), or `backup` (a Backup object). */
        source?: string;
        backup?: { name: string };
        database?: string;
        owner?: string;
        secret?: { name: string };
        recoveryTarget?: {
          backupID?: string;
          targetTLI?: string;
          targetXID?: string;
          targetName?: string;
          targetLSN?: string;
          targetTime?: string;
          targetImmediate?: boolean;
          exclusive?: boolean;
        };
      };
    };
    externalClusters?: {
      name: string;
      connectionParameters?: Record<string, string>;
      password?: SecretKeySelector;
      barmanObjectStore?: BarmanObjectStore;
    }[];
    backup?: {
      barmanObjectStore?: BarmanObjectStore;
      /** `<n>d`, `<n>w` or `<n>m`. */
      retentionPolicy?: string;
      target?: 'primary' | 'prefer-standby';
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

export interface CnpgScheduledBackup {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'ScheduledBackup';
  metadata: IObjectMeta;
  spec: {
    /** Required: six cron fields, seconds first. */
    schedule: string;
    cluster: { name: string };
    suspend?: boolean;
    immediate?: boolean;
    backupOwnerReference?: 'none' | 'self' | 'cluster';
    target?: 'primary' | 'prefer-standby';
    method?: 'barmanObjectStore' | 'volumeSnapshot' | 'plugin';
    online?: boolean;
  };
}

const validName = (name: string) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 50;

function objectStoreProblems(where: string, store: BarmanObjectStore): string[] {
  const problems: string[] = [];
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(store.destinationPath))
    problems.push(`${where}.destinationPath ${store.destinationPath} is not s3://<bucket>/…`);
  if (store.endpointURL !== undefined && !/^https?:\/\/[^/\s]+/.test(store.endpointURL))
    problems.push(`${where}.endpointURL ${store.endpointURL} is not an http(s) URL`);
  const credentials = store.s3Credentials;
  if (!credentials?.inheritFromIAMRole && (!credentials?.accessKeyId || !credentials.secretAccessKey))
    problems.push(`${where}.s3Credentials needs accessKeyId and secretAccessKey (or inheritFromIAMRole)`);
  for (const [key, n] of [
    ['wal.maxParallel', store.wal?.maxParallel],
    ['data.jobs', store.data?.jobs],
  ] as const) {
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) problems.push(`${where}.${key} must be an integer ≥ 1`);
  }
  return problems;
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
  if (!validName(name)) problems.push(`metadata.name ${name} is not a valid cluster name`);
  const bootstrap = Object.keys(spec.bootstrap ?? {});
  if (bootstrap.length > 1) problems.push(`spec.bootstrap must hold one method, not ${bootstrap.join(' and ')}`);
  const recovery = spec.bootstrap?.recovery;
  if (recovery) {
    if ((recovery.source === undefined) === (recovery.backup === undefined))
      problems.push('spec.bootstrap.recovery needs either source or backup');
    if (recovery.source !== undefined && !spec.externalClusters?.some((c) => c.name === recovery.source))
      problems.push(`spec.bootstrap.recovery.source ${recovery.source} names no externalClusters entry`);
  }
  const external = spec.externalClusters ?? [];
  if (new Set(external.map((c) => c.name)).size !== external.length) problems.push('spec.externalClusters names must be unique');
  external.forEach((c, i) => {
    if (c.barmanObjectStore) problems.push(...objectStoreProblems(`spec.externalClusters[${i}].barmanObjectStore`, c.barmanObjectStore));
  });
  if (spec.backup?.barmanObjectStore) problems.push(...objectStoreProblems('spec.backup.barmanObjectStore', spec.backup.barmanObjectStore));
  if (spec.backup?.retentionPolicy !== undefined && !/^[1-9][0-9]*[dwm]$/.test(spec.backup.retentionPolicy))
    problems.push(`spec.backup.retentionPolicy ${spec.backup.retentionPolicy} must match ^[1-9][0-9]*[dwm]$`);
  return problems;
}

/** A cron field: `*`, a number, a range, a list or a step (robfig/cron, which CNPG uses). */
const cronField = /^(\*|\?|[0-9]+(-[0-9]+)?)(\/[0-9]+)?(,(\*|[0-9]+(-[0-9]+)?)(\/[0-9]+)?)*$/;

export function cnpgScheduledBackupProblems(backup: CnpgScheduledBackup): string[] {
  const problems: string[] = [];
  const fields = backup.spec.schedule.trim().split(/\s+/);
  // CNPG's schedule has six fields, seconds first: a five-field crontab line would run every minute.
  if (fields.length !== 6 || !fields.every((f) => cronField.test(f)))
    problems.push(`spec.schedule "${backup.spec.schedule}" is not six cron fields (seconds first)`);
  if (!validName(backup.spec.cluster.name)) problems.push(`spec.cluster.name ${backup.spec.cluster.name} is not a valid cluster name`);
  return problems;
}
