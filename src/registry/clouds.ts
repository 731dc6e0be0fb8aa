import { and, asc, count, eq } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import type { CloudKind, CloudRole } from '../db/schema/enums.ts';
import { clouds, regions } from '../db/schema/index.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { inRegion, matches, unknownFilter } from './filters.ts';
import { type Stamps, sameRecord, withoutUndefined } from './patch.ts';
import type { Page } from './records/read.ts';
import type { CloudInput } from './schemas.ts';

// 政务云: the government clouds, written only here.

export interface CloudItem extends CloudInput, Stamps {}

export interface CloudFilter {
  limit: number;
  offset: number;
  q?: string;
  region?: string;
  kind?: CloudKind;
  role?: CloudRole;
}

const cloudColumns = {
  id: clouds.id,
  code: clouds.code,
  name: clouds.name,
  kind: clouds.kind,
  role: clouds.role,
  provider: clouds.provider,
  region_code: clouds.regionCode,
  vcpu_capacity: clouds.vcpuCapacity,
  memory_capacity_gib: clouds.memoryCapacityGib,
  storage_capacity_gib: clouds.storageCapacityGib,
  createdAt: clouds.createdAt,
  updatedAt: clouds.updatedAt,
};

const cloudQuery = (db: Db) => db.select(cloudColumns).from(clouds).$dynamic();
type CloudRow = Awaited<ReturnType<typeof cloudQuery>>[number];

const cloudItem = ({ createdAt, updatedAt, ...rest }: CloudRow): CloudItem => ({
  ...rest,
  created_at: createdAt.toISOString(),
  updated_at: updatedAt.toISOString(),
});

/** The cloud without its stamps: what the audit trail records. */
const cloudView = ({ id: _id, created_at: _c, updated_at: _u, ...view }: CloudItem): CloudInput => view;

export async function readCloud(db: Db, code: string, actor: Actor): Promise<CloudItem> {
  assertCan(actor.access, 'read', 'clouds');
  return getCloud(db, code);
}

export async function getCloud(db: Db, code: string): Promise<CloudItem> {
  const [row] = await cloudQuery(db).where(eq(clouds.code, code));
  if (!row) throw notFound('cloud', code);
  return cloudItem(row);
}

export async function listClouds(db: Db, filter: CloudFilter, actor: Actor): Promise<Page<CloudItem>> {
  assertCan(actor.access, 'read', 'clouds');
  const where = and(
    await inRegion(db, clouds.regionCode, filter.region),
    filter.kind ? eq(clouds.kind, filter.kind) : undefined,
    filter.role ? eq(clouds.role, filter.role) : undefined,
    matches(filter.q, clouds.name, clouds.code),
  );
  const [counted] = await db.select({ n: count() }).from(clouds).where(where);
  const rows = await cloudQuery(db).where(where).orderBy(asc(clouds.code)).limit(filter.limit).offset(filter.offset);
  return { items: rows.map(cloudItem), total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

async function checkRegion(db: Db, code: string): Promise<void> {
  const [row] = await db.select({ code: regions.code }).from(regions).where(eq(regions.code, code));
  if (!row) throw unknownFilter('region_code', 'region', code);
}

const cloudValues = (c: CloudInput) => ({
  name: c.name,
  kind: c.kind,
  role: c.role,
  provider: c.provider,
  regionCode: c.region_code,
  vcpuCapacity: c.vcpu_capacity,
  memoryCapacityGib: c.memory_capacity_gib,
  storageCapacityGib: c.storage_capacity_gib,
});

export async function createCloud(database: Db, input: CloudInput, actor: Actor): Promise<CloudItem> {
  assertCan(actor.access, 'write', 'clouds');
  return database.transaction(async (db) => {
    await checkRegion(db, input.region_code);
    const [row] = await db
      .insert(clouds)
      .values({ code: input.code, ...cloudValues(input) })
      .onConflictDoNothing({ target: clouds.code })
      .returning({ id: clouds.id });
    if (!row) throw new AppError('conflict', `cloud ${input.code} already exists`);
    const item = await getCloud(db, input.code);
    await recordAudit(db, actor, [
      { action: 'cloud.create', entityKind: 'cloud', entityCode: input.code, before: null, after: cloudView(item) },
    ]);
    return item;
  });
}

export async function updateCloud(database: Db, code: string, patch: Partial<CloudInput>, actor: Actor): Promise<CloudItem> {
  assertCan(actor.access, 'write', 'clouds');
  return database.transaction(async (db) => {
    const [locked] = await db.select({ id: clouds.id }).from(clouds).where(eq(clouds.code, code)).for('update');
    if (!locked) throw notFound('cloud', code);
    if (patch.code !== undefined && patch.code !== code) {
      throw new AppError('validation_failed', `the code of cloud ${code} cannot be changed`, [
        { field: 'code', message: 'cannot be changed' },
      ]);
    }
    const before = cloudView(await getCloud(db, code));
    const after: CloudInput = { ...before, ...withoutUndefined(patch), code };
    if (sameRecord(before, after)) return getCloud(db, code);
    if (after.region_code !== before.region_code) await checkRegion(db, after.region_code);
    await db
      .update(clouds)
      .set({ ...cloudValues(after), updatedAt: new Date() })
      .where(eq(clouds.id, locked.id));
    await recordAudit(db, actor, [{ action: 'cloud.update', entityKind: 'cloud', entityCode: code, before, after }]);
    return getCloud(db, code);
  });
}
