import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, real, text, unique } from 'drizzle-orm/pg-core';
import { calendarDate, entityColumns, enumChecks, instant, recordColumns, requiredCode, requiredId } from './columns.ts';
import { departments } from './departments.ts';
import { cloudKinds, cloudRoles } from './enums.ts';
import { regions } from './regions.ts';

/** 政务云: the "1+N+14" shape — one provincial cloud, N industry clouds, one per city. */
export const clouds = pgTable(
  'clouds',
  {
    ...recordColumns('clouds'),
    kind: text({ enum: cloudKinds }).notNull(),
    role: text({ enum: cloudRoles }).notNull().default('primary'),
    provider: text().notNull(),
    regionCode: requiredCode(() => regions.code),
    vcpuCapacity: integer().notNull().default(0),
    memoryCapacityGib: integer().notNull().default(0),
    storageCapacityGib: bigint({ mode: 'number' }).notNull().default(0),
    /** The build-out's milestones (business dates, planned ones may lie ahead): the state on any date follows from them. */
    plannedOn: calendarDate(),
    buildingOn: calendarDate(),
    inServiceOn: calendarDate(),
    retiredOn: calendarDate(),
    /** 等保 level of the cloud platform. */
    securityLevel: integer(),
  },
  (t) => [
    ...enumChecks(t.kind, t.role),
    check('clouds_security_level_check', sql`${t.securityLevel} is null or ${t.securityLevel} between 1 and 4`),
    check(
      'clouds_milestones_ordered_check',
      sql`coalesce(${t.plannedOn}, ${t.buildingOn}, ${t.inServiceOn}, ${t.retiredOn}) is null or (
        coalesce(${t.plannedOn}, '-infinity') <= coalesce(${t.buildingOn}, ${t.inServiceOn}, ${t.retiredOn}, 'infinity')
        and coalesce(${t.buildingOn}, '-infinity') <= coalesce(${t.inServiceOn}, ${t.retiredOn}, 'infinity')
        and coalesce(${t.inServiceOn}, '-infinity') <= coalesce(${t.retiredOn}, 'infinity'))`,
    ),
    index('clouds_region_code_idx').on(t.regionCode),
  ],
);

/** 云租户: a department's tenancy (project / namespace) on one cloud. */
export const cloudTenants = pgTable(
  'cloud_tenants',
  {
    ...entityColumns,
    cloudId: requiredId(() => clouds.id),
    departmentId: requiredId(() => departments.id),
    externalId: text().notNull(),
    vcpuQuota: real().notNull().default(0),
    vcpuUsed: real().notNull().default(0),
    memoryQuotaGib: real().notNull().default(0),
    memoryUsedGib: real().notNull().default(0),
    storageQuotaGib: real().notNull().default(0),
    storageUsedGib: real().notNull().default(0),
    workloadCount: integer().notNull().default(0),
    lastReportAt: instant(),
  },
  (t) => [
    unique('cloud_tenants_cloud_external_key').on(t.cloudId, t.externalId),
    index('cloud_tenants_department_id_idx').on(t.departmentId),
  ],
);
