import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, real, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { entityColumns } from './columns.ts';
import { departments } from './departments.ts';
import { type CloudKind, type CloudRole, cloudKinds, cloudRoles, sqlList } from './enums.ts';
import { regions } from './regions.ts';

/** 政务云: the "1+N+14" shape — one provincial cloud, N industry clouds, one per city. */
export const clouds = pgTable(
  'clouds',
  {
    ...entityColumns,
    code: text().notNull().unique('clouds_code_key'),
    name: text().notNull(),
    kind: text().$type<CloudKind>().notNull(),
    role: text().$type<CloudRole>().notNull().default('primary'),
    provider: text().notNull(),
    regionCode: text()
      .notNull()
      .references(() => regions.code),
    vcpuCapacity: integer().notNull().default(0),
    memoryCapacityGib: integer().notNull().default(0),
    storageCapacityGib: bigint({ mode: 'number' }).notNull().default(0),
  },
  (t) => [
    check('clouds_kind_check', sql`${t.kind} in (${sql.raw(sqlList(cloudKinds))})`),
    check('clouds_role_check', sql`${t.role} in (${sql.raw(sqlList(cloudRoles))})`),
    index('clouds_region_code_idx').on(t.regionCode),
  ],
);

/** 云租户: a department's tenancy (project / namespace) on one cloud. */
export const cloudTenants = pgTable(
  'cloud_tenants',
  {
    ...entityColumns,
    cloudId: integer()
      .notNull()
      .references(() => clouds.id),
    departmentId: integer()
      .notNull()
      .references(() => departments.id),
    externalId: text().notNull(),
    vcpuQuota: real().notNull().default(0),
    vcpuUsed: real().notNull().default(0),
    memoryQuotaGib: real().notNull().default(0),
    memoryUsedGib: real().notNull().default(0),
    storageQuotaGib: real().notNull().default(0),
    storageUsedGib: real().notNull().default(0),
    workloadCount: integer().notNull().default(0),
    lastReportAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    unique('cloud_tenants_cloud_external_key').on(t.cloudId, t.externalId),
    index('cloud_tenants_department_id_idx').on(t.departmentId),
  ],
);
