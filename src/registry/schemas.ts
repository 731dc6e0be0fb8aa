import { z } from '@hono/zod-openapi';
import {
  classifications,
  cloudKinds,
  cloudRoles,
  departmentKinds,
  nodeTiers,
  privateNetworkStates,
  systemStates,
  systemTypes,
} from '../db/schema/enums.ts';
import { calendarDate } from '../kernel/dates.ts';

/** A business date, YYYY-MM-DD, that exists on the calendar. */
export const isoDate = calendarDate;

const code = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64, 'is longer than 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"');
const name = z.string().trim().min(1, 'is required').max(200, 'is longer than 200 characters');
const regionCode = z.string().regex(/^\d{6}(\d{3})?$/, 'must be a 6- or 9-digit division code');

/**
 * The registry's input rows, one per importable kind. The API's create bodies, the
 * spreadsheet importer and the demo generator all produce these, and one upsert path
 * writes them, so every way in obeys the same rules.
 */
export const DepartmentInput = z
  .object({
    code,
    name,
    region_code: regionCode,
    parent_code: code.nullish(),
    kind: z.enum(departmentKinds),
    extranet_connected: z.boolean().default(false),
    extranet_connected_at: isoDate.nullish(),
  })
  .openapi('DepartmentInput');
export type DepartmentInput = z.infer<typeof DepartmentInput>;

export const SystemInput = z
  .object({
    code,
    name,
    department_code: code,
    classification: z.enum(classifications).default('pending'),
    state: z.enum(systemStates).default('not_migrated'),
    state_at: isoDate.nullish(),
    cloud_code: code.nullish(),
    tenant: z.string().trim().max(200).nullish(),
  })
  .openapi('SystemInput');
export type SystemInput = z.infer<typeof SystemInput>;

export const PrivateNetworkInput = z
  .object({
    code,
    name,
    department_code: code,
    classification: z.enum(classifications).default('pending'),
    state: z.enum(privateNetworkStates).default('not_started'),
    state_at: isoDate.nullish(),
  })
  .openapi('PrivateNetworkInput');
export type PrivateNetworkInput = z.infer<typeof PrivateNetworkInput>;

export const ServiceItemInput = z
  .object({
    code,
    name,
    department_code: code,
    system_type: z.enum(systemTypes),
    integration_required: z.boolean().default(true),
    integrated: z.boolean().default(false),
    integrated_at: isoDate.nullish(),
  })
  .openapi('ServiceItemInput');
export type ServiceItemInput = z.infer<typeof ServiceItemInput>;

export const NetworkNodeInput = z
  .object({
    code,
    name,
    region_code: regionCode,
    tier: z.enum(nodeTiers),
    commissioned: z.boolean().default(false),
    commissioned_at: isoDate.nullish(),
    probe_address: z.string().trim().max(300).nullish(),
  })
  .openapi('NetworkNodeInput');
export type NetworkNodeInput = z.infer<typeof NetworkNodeInput>;

export const CloudInput = z
  .object({
    code,
    name,
    kind: z.enum(cloudKinds),
    role: z.enum(cloudRoles).default('primary'),
    provider: z.string().trim().min(1, 'is required').max(100),
    region_code: regionCode,
    vcpu_capacity: z.number().int().min(0).default(0),
    memory_capacity_gib: z.number().int().min(0).default(0),
    storage_capacity_gib: z.number().int().min(0).default(0),
  })
  .openapi('CloudInput');
export type CloudInput = z.infer<typeof CloudInput>;

export const TenantInput = z
  .object({
    cloud_code: code,
    external_id: z.string().trim().min(1, 'is required').max(200),
    department_code: code,
    vcpu_quota: z.number().min(0).default(0),
    vcpu_used: z.number().min(0).default(0),
    memory_quota_gib: z.number().min(0).default(0),
    memory_used_gib: z.number().min(0).default(0),
    storage_quota_gib: z.number().min(0).default(0),
    storage_used_gib: z.number().min(0).default(0),
    workload_count: z.number().int().min(0).default(0),
  })
  .openapi('TenantInput');
export type TenantInput = z.infer<typeof TenantInput>;

export const importKinds = ['departments', 'systems', 'private-networks', 'service-items', 'network-nodes'] as const;
export type ImportKind = (typeof importKinds)[number];

export interface InputByKind {
  departments: DepartmentInput;
  systems: SystemInput;
  'private-networks': PrivateNetworkInput;
  'service-items': ServiceItemInput;
  'network-nodes': NetworkNodeInput;
}

export const inputSchemas = {
  departments: DepartmentInput,
  systems: SystemInput,
  'private-networks': PrivateNetworkInput,
  'service-items': ServiceItemInput,
  'network-nodes': NetworkNodeInput,
} as const satisfies { [K in ImportKind]: z.ZodType<InputByKind[K]> };
