import { and, asc, count, eq, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import type { CloudKind, CloudRole, CloudState } from '../db/schema/enums.ts';
import { clouds, regions } from '../db/schema/index.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { inRegion, matches, unknownFilter } from './filters.ts';
import { type Stamps, sameRecord, withoutUndefined } from './patch.ts';
import type { Page } from './records/read.ts';
import { type CloudInput, cloudMilestones } from './schemas.ts';

// 政务云: the government clouds, written only here.

export interface CloudItem extends CloudInput, Stamps {
  /** The build-out state on the date asked (today by default). */
  state: CloudState;
}

export interface CloudFilter {
  limit: number;
  offset: number;
  q?: string;
  region?: string;
  kind?: CloudKind;
  role?: CloudRole;
  /** The business date whose build-out state each cloud shows; default today. */
  at?: string;
  state?: CloudState;
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
  planned_on: clouds.plannedOn,
  building_on: clouds.buildingOn,
  in_service_on: clouds.inServiceOn,
  retired_on: clouds.retiredOn,
  security_level: clouds.securityLevel,
  createdAt: clouds.createdAt,
  updatedAt: clouds.updatedAt,
};

const cloudQuery = (db: Db) => db.select(cloudColumns).from(clouds).$dynamic();
type CloudRow = Awaited<ReturnType<typeof cloudQuery>>[number];

const cloudItem =
  (at: string) =>
  ({ createdAt, updatedAt, ...rest }: CloudRow): CloudItem => ({
    ...rest,
    state: cloudStateOn(rest, at),
    created_at: createdAt.toISOString(),
    updated_at: updatedAt.toISOString(),
  });

/**
 * A cloud's build-out state on a business date: the last milestone reached by then. A cloud
 * registered without milestones has always been in service (the clouds that predate them).
 */
export function cloudStateOn(cloud: Pick<CloudInput, (typeof cloudMilestones)[number]>, at: string): CloudState {
  if (cloudMilestones.every((m) => !cloud[m])) return 'in_service';
  if (cloud.retired_on && cloud.retired_on <= at) return 'retired';
  if (cloud.in_service_on && cloud.in_service_on <= at) return 'in_service';
  if (cloud.building_on && cloud.building_on <= at) return 'building';
  return 'planned';
}

/** The same rule in SQL, for filtering a list by state. */
const stateOnSql = (at: string) => sql`case
  when coalesce(${clouds.plannedOn}, ${clouds.buildingOn}, ${clouds.inServiceOn}, ${clouds.retiredOn}) is null then 'in_service'
  when ${clouds.retiredOn} <= ${at}::date then 'retired'
  when ${clouds.inServiceOn} <= ${at}::date then 'in_service'
  when ${clouds.buildingOn} <= ${at}::date then 'building'
  else 'planned' end`;

/** The cloud without its stamps and its derived state: what the audit trail records. */
const cloudView = ({ id: _id, created_at: _c, updated_at: _u, state: _s, ...view }: CloudItem): CloudInput => view;

/** Milestones out of order are refused, naming the first one that comes too early. */
function checkMilestones(cloud: CloudInput): void {
  let previous: { field: string; date: string } | undefined;
  for (const field of cloudMilestones) {
    const date = cloud[field];
    if (!date) continue;
    if (previous && date < previous.date) {
      const message = `${date} is before ${previous.field} ${previous.date}`;
      throw new AppError('validation_failed', `${field} ${message}`, [{ field, message }]);
    }
    previous = { field, date };
  }
}

export async function readCloud(db: Db, code: string, actor: Actor, at?: string): Promise<CloudItem> {
  assertCan(actor.access, 'read', 'clouds');
  return getCloud(db, code, at);
}

export async function getCloud(db: Db, code: string, at = businessDate()): Promise<CloudItem> {
  const [row] = await cloudQuery(db).where(eq(clouds.code, code));
  if (!row) throw notFound('cloud', code);
  return cloudItem(at)(row);
}

export async function listClouds(db: Db, filter: CloudFilter, actor: Actor): Promise<Page<CloudItem>> {
  assertCan(actor.access, 'read', 'clouds');
  const at = filter.at ?? businessDate();
  const where = and(
    await inRegion(db, clouds.regionCode, filter.region),
    filter.state ? sql`${stateOnSql(at)} = ${filter.state}` : undefined,
    filter.kind ? eq(clouds.kind, filter.kind) : undefined,
    filter.role ? eq(clouds.role, filter.role) : undefined,
    matches(filter.q, clouds.name, clouds.code),
  );
  const [counted] = await db.select({ n: count() }).from(clouds).where(where);
  const rows = await cloudQuery(db).where(where).orderBy(asc(clouds.code)).limit(filter.limit).offset(filter.offset);
  return { items: rows.map(cloudItem(at)), total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
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
  plannedOn: c.planned_on ?? null,
  buildingOn: c.building_on ?? null,
  inServiceOn: c.in_service_on ?? null,
  retiredOn: c.retired_on ?? null,
  securityLevel: c.security_level ?? null,
});

export async function createCloud(database: Db, input: CloudInput, actor: Actor): Promise<CloudItem> {
  assertCan(actor.access, 'write', 'clouds');
  checkMilestones(input);
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
    checkMilestones(after);
    if (after.region_code !== before.region_code) await checkRegion(db, after.region_code);
    await db
      .update(clouds)
      .set({ ...cloudValues(after), updatedAt: new Date() })
      .where(eq(clouds.id, locked.id));
    await recordAudit(db, actor, [{ action: 'cloud.update', entityKind: 'cloud', entityCode: code, before, after }]);
    return getCloud(db, code);
  });
}

/** How many clouds of one kind and role are in each build-out state on a date. */
export interface CloudBuildOutRow {
  kind: CloudKind;
  role: CloudRole;
  planned: number;
  building: number;
  in_service: number;
  retired: number;
  total: number;
}

/**
 * The "1+N+14" build-out on a business date — "13 of the 14 city clouds in service" — counted
 * from each cloud's state by `cloudStateOn`, the rule the list shows.
 */
export async function cloudBuildOut(db: Db, actor: Actor, at = businessDate()): Promise<{ at: string; items: CloudBuildOutRow[] }> {
  assertCan(actor.access, 'read', 'clouds');
  const rows = await cloudQuery(db).orderBy(asc(clouds.kind), asc(clouds.role));
  const byGroup = new Map<string, CloudBuildOutRow>();
  for (const row of rows) {
    const key = `${row.kind}/${row.role}`;
    const group = byGroup.get(key) ?? { kind: row.kind, role: row.role, planned: 0, building: 0, in_service: 0, retired: 0, total: 0 };
    group[cloudStateOn(row, at)]++;
    group.total++;
    byGroup.set(key, group);
  }
  return { at, items: [...byGroup.values()] };
}
