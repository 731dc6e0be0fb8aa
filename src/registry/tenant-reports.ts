import { and, eq, inArray, sql } from 'drizzle-orm';
import { type AuditEntry, recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { cloudTenants } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';

/** What a cloud agent reports of one tenant it saw (the ingest's tenant item). */
export interface TenantReport {
  cloud: string;
  external_id: string;
  department: string;
  at: string;
  quota: { vcpu: number; memory_gib: number; storage_gib: number };
  usage: { vcpu: number; memory_gib: number; storage_gib: number };
  workload_count: number;
}

/**
 * Upserts the tenants a cloud agent saw, by (cloud, external id). A tenant seen for the
 * first time, or moved to another department by its label, is audited; quota and usage
 * updates are live state, not registry edits, and are not.
 */
export async function recordTenantReports(
  db: Db,
  cloudId: number,
  tenants: TenantReport[],
  departmentIds: Map<string, number>,
  actor: Actor,
): Promise<number> {
  if (tenants.length === 0) return 0;
  const before = new Map<string, { departmentId: number; lastReportAt: Date | null }>();
  const externalIds = tenants.map((t) => t.external_id);
  for (let i = 0; i < externalIds.length; i += 5000) {
    const rows = await db
      .select({ externalId: cloudTenants.externalId, departmentId: cloudTenants.departmentId, lastReportAt: cloudTenants.lastReportAt })
      .from(cloudTenants)
      .where(and(eq(cloudTenants.cloudId, cloudId), inArray(cloudTenants.externalId, externalIds.slice(i, i + 5000))));
    for (const row of rows) before.set(row.externalId, row);
  }

  for (let i = 0; i < tenants.length; i += 500) {
    const part = tenants.slice(i, i + 500);
    await db
      .insert(cloudTenants)
      .values(
        part.map((item) => ({
          cloudId,
          departmentId: departmentIds.get(item.department) as number,
          externalId: item.external_id,
          vcpuQuota: item.quota.vcpu,
          vcpuUsed: item.usage.vcpu,
          memoryQuotaGib: item.quota.memory_gib,
          memoryUsedGib: item.usage.memory_gib,
          storageQuotaGib: item.quota.storage_gib,
          storageUsedGib: item.usage.storage_gib,
          workloadCount: item.workload_count,
          lastReportAt: new Date(item.at),
        })),
      )
      .onConflictDoUpdate({
        target: [cloudTenants.cloudId, cloudTenants.externalId],
        set: {
          departmentId: sql`excluded.department_id`,
          vcpuQuota: sql`excluded.vcpu_quota`,
          vcpuUsed: sql`excluded.vcpu_used`,
          memoryQuotaGib: sql`excluded.memory_quota_gib`,
          memoryUsedGib: sql`excluded.memory_used_gib`,
          storageQuotaGib: sql`excluded.storage_quota_gib`,
          storageUsedGib: sql`excluded.storage_used_gib`,
          workloadCount: sql`excluded.workload_count`,
          lastReportAt: sql`excluded.last_report_at`,
          updatedAt: sql`case when ${cloudTenants.departmentId} <> excluded.department_id then now() else ${cloudTenants.updatedAt} end`,
        },
        // A replayed old snapshot must not roll a newer one back.
        setWhere: sql`${cloudTenants.lastReportAt} is null or ${cloudTenants.lastReportAt} <= excluded.last_report_at`,
      });
  }

  const label = (item: TenantReport) => `${item.cloud}/${item.external_id}`;
  const entries = tenants.flatMap((item): AuditEntry[] => {
    const old = before.get(item.external_id);
    const departmentId = departmentIds.get(item.department) as number;
    if (!old) {
      return [
        {
          action: 'tenant.discover',
          entityKind: 'tenant',
          entityCode: label(item),
          before: null,
          after: { department_code: item.department },
        },
      ];
    }
    const newer = old.lastReportAt === null || old.lastReportAt.getTime() <= Date.parse(item.at);
    if (newer && old.departmentId !== departmentId) {
      return [
        {
          action: 'tenant.update',
          entityKind: 'tenant',
          entityCode: label(item),
          before: { department_id: old.departmentId },
          after: { department_code: item.department },
        },
      ];
    }
    return [];
  });
  if (entries.length > 0) await recordAudit(db, actor, entries);
  return tenants.length;
}
