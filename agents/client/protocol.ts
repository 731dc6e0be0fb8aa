/**
 * The ingest protocol as the agents write it (POST /api/v1/ingest/batches). The server's
 * zod schemas (src/ingest/schemas.ts) are the authority; the agents do not import server
 * code, so that each builds into one small file.
 */

export interface NodeSampleItem {
  kind: 'node_sample';
  node: string;
  at: string;
  up: boolean;
  latency_ms: number | null;
  loss: number;
}

export interface Resources {
  vcpu: number;
  memory_gib: number;
  storage_gib: number;
}

export interface TenantItem {
  kind: 'tenant';
  cloud: string;
  external_id: string;
  department: string;
  at: string;
  quota: Resources;
  usage: Resources;
  workload_count: number;
}

export interface WorkloadSeenItem {
  kind: 'workload_seen';
  cloud: string;
  tenant: string;
  system: string;
  workload: string;
  at: string;
}

/**
 * One interface service's count of messages exchanged on one day (信息交换量). The server
 * replaces the count of a (service, date) it has, so re-sending a day never doubles it.
 */
export interface ExchangeVolumeItem {
  kind: 'exchange_volume';
  service: string;
  /** YYYY-MM-DD */
  date: string;
  count: number;
}

export type IngestItem = NodeSampleItem | TenantItem | WorkloadSeenItem | ExchangeVolumeItem;

/** What the spool keeps for a batch; `agent` and `sent_at` are added when it is sent. */
export interface SpooledBatch {
  next_report_seconds: number;
  items: IngestItem[];
}

export interface IngestBatch extends SpooledBatch {
  agent: string;
  seq: number;
  sent_at: string;
}

export type AgentKind = 'cloud' | 'network' | 'exchange';

/** Reported in User-Agent; the server stores it as the agent's version. */
export const agentVersion = '0.1.0';
