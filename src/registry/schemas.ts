import { z } from '@hono/zod-openapi';
import { cloudKinds, cloudRoles } from '../db/schema/enums.ts';
import { code, isoDate, name, regionCode, securityLevel } from './fields.ts';

export { isoDate } from './fields.ts';
export { type ImportKind, type InputByKind, importKinds, inputSchemas } from './kinds/index.ts';

/** A build-out milestone: a business date, planned ones ahead of today allowed. */
const milestone = (what: string) => isoDate.nullish().openapi({ description: `Business date the cloud ${what}` });

/** The milestones of a cloud's build-out, in order; its state on a date is the last one reached. */
export const cloudMilestones = ['planned_on', 'building_on', 'in_service_on', 'retired_on'] as const;

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
    planned_on: milestone('planned (规划)'),
    building_on: milestone('building began (开工建设)'),
    in_service_on: milestone('went into service (建成启用)'),
    retired_on: milestone('was retired'),
    security_level: securityLevel.nullish().openapi({
      description: '等保 level of the cloud platform',
    }),
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
