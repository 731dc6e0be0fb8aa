import { z } from '@hono/zod-openapi';
import { agentKinds } from '../db/schema/enums.ts';
import { exchangeCount, maxDailyCount } from '../interconnection/volumes.ts';
import { calendarDate } from '../kernel/dates.ts';

/**
 * The ingest protocol's wire shapes. The agents (agents/client/protocol.ts) write the same
 * shapes as plain types; tests/integration/ingest-*.test.ts send what the agents send.
 */

const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' })
  .openapi({ format: 'date-time' });
const code = z.string().trim().min(1, 'is required').max(64, 'is longer than 64 characters');

export const NodeSampleItem = z
  .object({
    kind: z.literal('node_sample'),
    node: code.openapi({ description: 'Network node code' }),
    at: instant.openapi({ description: 'When the probe round for this node ended' }),
    up: z.boolean().openapi({ description: 'At least one attempt reached the node' }),
    latency_ms: z.number().min(0).max(600_000).nullable().openapi({ description: 'Median latency of the successful attempts' }),
    loss: z.number().min(0).max(1).openapi({ description: 'Share of failed attempts, 0–1' }),
  })
  .superRefine((item, ctx) => {
    // A sample must agree with itself, or the latest state would be a guess.
    if (item.up && item.latency_ms === null) ctx.addIssue({ code: 'custom', path: ['latency_ms'], message: 'is required when up is true' });
    if (item.up !== item.loss < 1) {
      ctx.addIssue({ code: 'custom', path: ['loss'], message: item.up ? 'must be below 1 when up is true' : 'must be 1 when up is false' });
    }
  })
  .openapi('NodeSampleItem');
export type NodeSampleItem = z.infer<typeof NodeSampleItem>;

const resources = z.object({
  vcpu: z.number().min(0),
  memory_gib: z.number().min(0),
  storage_gib: z.number().min(0),
});

export const TenantItem = z
  .object({
    kind: z.literal('tenant'),
    cloud: code.openapi({ description: "Cloud code; must be the reporting agent's cloud" }),
    external_id: z.string().trim().min(1, 'is required').max(200).openapi({ description: 'Namespace or project id' }),
    department: code.openapi({ description: 'Department code the tenancy belongs to' }),
    at: instant,
    quota: resources,
    usage: resources,
    workload_count: z.number().int().min(0),
  })
  .openapi('TenantItem');
export type TenantItem = z.infer<typeof TenantItem>;

export const WorkloadSeenItem = z
  .object({
    kind: z.literal('workload_seen'),
    cloud: code,
    tenant: z.string().trim().min(1, 'is required').max(200).openapi({ description: 'External id of the tenant it runs in' }),
    system: code.openapi({ description: 'Information system code from the workload label' }),
    workload: z.string().trim().min(1, 'is required').max(300).openapi({ example: 'Deployment/gx-portal' }),
    at: instant,
  })
  .openapi('WorkloadSeenItem');
export type WorkloadSeenItem = z.infer<typeof WorkloadSeenItem>;

export const ExchangeVolumeItem = z
  .object({
    kind: z.literal('exchange_volume'),
    service: code.openapi({ description: 'Interface service code (接口服务)' }),
    date: calendarDate.openapi({ description: 'Business day (Asia/Shanghai) the count is for' }),
    count: exchangeCount
      .max(maxDailyCount)
      .openapi({ description: "The platform's total of exchanges that day; sent again, it replaces the stored count" }),
  })
  .openapi('ExchangeVolumeItem');
export type ExchangeVolumeItem = z.infer<typeof ExchangeVolumeItem>;

export const IngestItem = z
  .discriminatedUnion('kind', [NodeSampleItem, TenantItem, WorkloadSeenItem, ExchangeVolumeItem])
  .openapi('IngestItem');
export type IngestItem = z.infer<typeof IngestItem>;

export const IngestBatch = z
  .object({
    agent: z.string().min(1).max(100).openapi({ description: 'The agent name the token was issued to' }),
    seq: z
      .number()
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .openapi({ description: "The agent's batch number; (agent, seq) is applied once" }),
    sent_at: instant,
    next_report_seconds: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .openapi({ description: 'When the next batch is due; silent for 3× this → unknown' }),
    items: z.array(IngestItem),
  })
  .openapi('IngestBatch');
export type IngestBatch = z.infer<typeof IngestBatch>;

export const IngestReceipt = z
  .object({
    agent: z.string(),
    seq: z.number().int(),
    status: z.enum(['applied', 'duplicate']).openapi({ description: '`duplicate`: this (agent, seq) was applied before; nothing changed' }),
    items: z.number().int(),
    node_samples: z.number().int(),
    tenants: z.number().int(),
    workloads_seen: z.number().int(),
    systems_verified: z.number().int(),
    exchange_volumes: z.number().int().openapi({ description: 'Daily counts stored (new or replacing an earlier count)' }),
  })
  .openapi('IngestReceipt');
export type IngestReceipt = z.infer<typeof IngestReceipt>;

const timestamp = z.string().openapi({ format: 'date-time' });

export const agentStatuses = ['reporting', 'unknown', 'revoked'] as const;
export type AgentStatus = (typeof agentStatuses)[number];

export const AgentItem = z
  .object({
    name: z.string(),
    kind: z.enum(agentKinds),
    cloud_code: z.string().nullable(),
    status: z.enum(agentStatuses).openapi({
      description: '`unknown`: never seen, or silent for 3× its declared interval; `revoked`: its token was revoked',
    }),
    version: z.string().nullable(),
    last_seen_at: timestamp.nullable(),
    next_report_seconds: z.number().int().nullable(),
    token_issued_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .openapi('Agent');
export type AgentItem = z.infer<typeof AgentItem>;

export const SampleItem = z
  .object({
    at: timestamp,
    up: z.boolean(),
    latency_ms: z.number().nullable(),
    loss: z.number(),
    agent: z.string(),
  })
  .openapi('NodeSample');
export type SampleItem = z.infer<typeof SampleItem>;
