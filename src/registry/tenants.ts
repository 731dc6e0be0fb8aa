import { and, asc, count, eq, inArray, ne } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { clouds, cloudTenants, departments } from '../db/schema/index.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, type FieldError, notFound } from '../kernel/errors.ts';
import { cloudIdOf, matches, type OwnedFilter, ownedBy } from './filters.ts';
import { type Stamps, sameRecord, withoutUndefined } from './patch.ts';
import type { Page } from './records/read.ts';
import type { TenantInput } from './schemas.ts';

// 云租户: a department's tenancy on a cloud. This module and tenant-reports.ts (what the cloud
// agents report, called by the ingest) are the only writers of cloud_tenants.

export interface TenantItem extends TenantInput, Stamps {
  last_report_at: string | null;
}

export interface TenantFilter extends OwnedFilter {
  cloud?: string;
}

const tenantColumns = {
  id: cloudTenants.id,
  cloud_code: clouds.code,
  external_id: cloudTenants.externalId,
  department_code: departments.code,
  vcpu_quota: cloudTenants.vcpuQuota,
  vcpu_used: cloudTenants.vcpuUsed,
  memory_quota_gib: cloudTenants.memoryQuotaGib,
  memory_used_gib: cloudTenants.memoryUsedGib,
  storage_quota_gib: cloudTenants.storageQuotaGib,
  storage_used_gib: cloudTenants.storageUsedGib,
  workload_count: cloudTenants.workloadCount,
  lastReportAt: cloudTenants.lastReportAt,
  createdAt: cloudTenants.createdAt,
  updatedAt: cloudTenants.updatedAt,
};

const tenantItem = ({ lastReportAt, createdAt, updatedAt, ...rest }: TenantRow): TenantItem => ({
  ...rest,
  last_report_at: lastReportAt?.toISOString() ?? null,
  created_at: createdAt.toISOString(),
  updated_at: updatedAt.toISOString(),
});

const tenantQuery = (db: Db) =>
  db
    .select(tenantColumns)
    .from(cloudTenants)
    .innerJoin(clouds, eq(clouds.id, cloudTenants.cloudId))
    .innerJoin(departments, eq(departments.id, cloudTenants.departmentId))
    .$dynamic();
type TenantRow = Awaited<ReturnType<typeof tenantQuery>>[number];

const tenantView = ({ id: _id, created_at: _c, updated_at: _u, last_report_at: _l, ...view }: TenantItem): TenantInput => view;

export async function readTenant(db: Db, id: number, actor: Actor): Promise<TenantItem> {
  assertCan(actor.access, 'read', 'tenants');
  return getTenant(db, id);
}

export async function getTenant(db: Db, id: number): Promise<TenantItem> {
  const [row] = await tenantQuery(db).where(eq(cloudTenants.id, id));
  if (!row) throw notFound('tenant', String(id));
  return tenantItem(row);
}

export async function listTenants(db: Db, filter: TenantFilter, actor: Actor): Promise<Page<TenantItem>> {
  assertCan(actor.access, 'read', 'tenants');
  const where = and(
    filter.cloud ? eq(cloudTenants.cloudId, await cloudIdOf(db, filter.cloud, 'cloud')) : undefined,
    await ownedBy(db, cloudTenants.departmentId, filter),
    matches(filter.q, cloudTenants.externalId),
  );
  const [counted] = await db.select({ n: count() }).from(cloudTenants).where(where);
  const rows = await tenantQuery(db)
    .where(where)
    .orderBy(asc(clouds.code), asc(cloudTenants.externalId))
    .limit(filter.limit)
    .offset(filter.offset);
  return { items: rows.map(tenantItem), total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

type TenantRefs = Pick<TenantInput, 'cloud_code' | 'department_code' | 'external_id'>;

const tenantLabel = (t: { cloud_code: string; external_id: string }) => `${t.cloud_code}/${t.external_id}`;

/**
 * The ids of the clouds and departments tenants name, by code. Refused, naming each unknown
 * code (and each tenant given twice) at its index; a single tenant's errors have no index.
 */
async function tenantRefIds(db: Db, inputs: TenantRefs[]): Promise<{ cloudIds: Map<string, number>; departmentIds: Map<string, number> }> {
  const idsByCode = async (table: typeof clouds | typeof departments, field: 'cloud_code' | 'department_code') =>
    new Map(
      (
        await db
          .select({ id: table.id, code: table.code })
          .from(table)
          .where(inArray(table.code, [...new Set(inputs.map((t) => t[field]))]))
      ).map((r) => [r.code, r.id]),
    );
  const cloudIds = await idsByCode(clouds, 'cloud_code');
  const departmentIds = await idsByCode(departments, 'department_code');
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  inputs.forEach((t, index) => {
    if (!cloudIds.has(t.cloud_code)) errors.push({ index, field: 'cloud_code', message: `unknown cloud "${t.cloud_code}"` });
    if (!departmentIds.has(t.department_code))
      errors.push({ index, field: 'department_code', message: `unknown department "${t.department_code}"` });
    if (seen.has(tenantLabel(t))) errors.push({ index, field: 'external_id', message: `${tenantLabel(t)} appears twice in the batch` });
    seen.add(tenantLabel(t));
  });
  if (errors.length > 0) {
    const single = inputs.length === 1 ? errors.map(({ index: _i, ...e }) => e) : errors;
    throw new AppError('validation_failed', `invalid tenant: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, single);
  }
  return { cloudIds, departmentIds };
}

const tenantValues = (t: TenantInput) => ({
  externalId: t.external_id,
  vcpuQuota: t.vcpu_quota,
  vcpuUsed: t.vcpu_used,
  memoryQuotaGib: t.memory_quota_gib,
  memoryUsedGib: t.memory_used_gib,
  storageQuotaGib: t.storage_quota_gib,
  storageUsedGib: t.storage_used_gib,
  workloadCount: t.workload_count,
});

const tenantTaken = (t: { cloud_code: string; external_id: string }) =>
  new AppError('conflict', `tenant ${t.external_id} already exists on cloud ${t.cloud_code}`);

export async function createTenant(database: Db, input: TenantInput, actor: Actor): Promise<TenantItem> {
  return database.transaction(async (db) => {
    const [id] = await createTenants(db, [input], actor);
    return getTenant(db, id as number);
  });
}

/** Creates tenants in one statement (an agent or the demo registers hundreds at once). */
export async function createTenants(database: Db, inputs: TenantInput[], actor: Actor): Promise<number[]> {
  assertCan(actor.access, 'write', 'tenants');
  if (inputs.length === 0) return [];
  return database.transaction(async (db) => {
    const { cloudIds, departmentIds } = await tenantRefIds(db, inputs);
    const ids: number[] = [];
    for (let i = 0; i < inputs.length; i += 500) {
      const part = inputs.slice(i, i + 500);
      const written = await db
        .insert(cloudTenants)
        .values(
          part.map((t) => ({
            cloudId: cloudIds.get(t.cloud_code) as number,
            departmentId: departmentIds.get(t.department_code) as number,
            ...tenantValues(t),
          })),
        )
        .onConflictDoNothing({ target: [cloudTenants.cloudId, cloudTenants.externalId] })
        .returning({ id: cloudTenants.id, cloudId: cloudTenants.cloudId, externalId: cloudTenants.externalId });
      const fresh = new Set(written.map((w) => `${w.cloudId}/${w.externalId}`));
      const taken = part.find((t) => !fresh.has(`${cloudIds.get(t.cloud_code)}/${t.external_id}`));
      if (taken) throw tenantTaken(taken);
      ids.push(...written.map((w) => w.id));
    }
    await recordAudit(
      db,
      actor,
      inputs.map((t) => ({ action: 'tenant.create', entityKind: 'tenant', entityCode: tenantLabel(t), before: null, after: t })),
    );
    return ids;
  });
}

/** A tenancy belongs to one cloud: moving it is a new tenant, so `cloud_code` is refused. */
export async function updateTenant(database: Db, id: number, patch: Partial<TenantInput>, actor: Actor): Promise<TenantItem> {
  assertCan(actor.access, 'write', 'tenants');
  return database.transaction(async (db) => {
    const [locked] = await db.select({ id: cloudTenants.id }).from(cloudTenants).where(eq(cloudTenants.id, id)).for('update');
    if (!locked) throw notFound('tenant', String(id));
    const before = tenantView(await getTenant(db, id));
    if (patch.cloud_code !== undefined && patch.cloud_code !== before.cloud_code) {
      throw new AppError('validation_failed', `tenant ${id} cannot move to another cloud`, [
        { field: 'cloud_code', message: 'cannot be changed; create a tenant on the other cloud' },
      ]);
    }
    const after: TenantInput = { ...before, ...withoutUndefined(patch), cloud_code: before.cloud_code };
    if (sameRecord(before, after)) return getTenant(db, id);
    const { cloudIds, departmentIds } = await tenantRefIds(db, [after]);
    const cloudId = cloudIds.get(after.cloud_code) as number;
    if (after.external_id !== before.external_id) {
      const [taken] = await db
        .select({ id: cloudTenants.id })
        .from(cloudTenants)
        .where(and(eq(cloudTenants.cloudId, cloudId), eq(cloudTenants.externalId, after.external_id), ne(cloudTenants.id, id)));
      if (taken) throw tenantTaken(after);
    }
    await db
      .update(cloudTenants)
      .set({ departmentId: departmentIds.get(after.department_code) as number, ...tenantValues(after), updatedAt: new Date() })
      .where(eq(cloudTenants.id, id));
    await recordAudit(db, actor, [{ action: 'tenant.update', entityKind: 'tenant', entityCode: tenantLabel(after), before, after }]);
    return getTenant(db, id);
  });
}
