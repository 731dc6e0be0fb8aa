import { type AnyColumn, and, asc, count, eq, ilike, inArray, type like, ne, or, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { escapeLike, startsWithLiteral } from '../db/prefix.ts';
import type {
  Classification,
  CloudKind,
  CloudRole,
  commissionStates,
  extranetStates,
  integrationStates,
  NodeLiveState,
  NodeTier,
  PrivateNetworkState,
  SystemState,
  SystemType,
} from '../db/schema/enums.ts';
import { clouds, cloudTenants, departments, networkNodes, privateNetworks, regions, serviceItems, systems } from '../db/schema/index.ts';
import { AppError, type FieldError, notFound } from '../http/errors.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { assertVisible, assertWritable, authorizeRows, departmentsUnder, limitFor, refuseRows } from './authorize.ts';
import type { CloudInput, ImportKind, InputByKind, TenantInput } from './schemas.ts';
import { upsertRecords } from './upsert.ts';
import { loadStoredRows } from './views.ts';

/** What a list endpoint answers: one page and the size of the whole filtered list. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

interface Stamps {
  id: number;
  created_at: string;
  updated_at: string;
}

/** What the network agents last reported; `unknown` once the node is silent for 3× their interval. */
interface NodeLive {
  live_state: NodeLiveState;
  latency_ms: number | null;
  loss: number | null;
  last_sample_at: string | null;
}

interface ExtrasByKind {
  departments: Stamps;
  systems: Stamps & { verified_at: string | null };
  'private-networks': Stamps;
  'service-items': Stamps;
  'network-nodes': Stamps & NodeLive;
}

/** An importable record as the API shows it: its input view (codes, snake_case) plus its stamps. */
export type RecordItem<K extends ImportKind> = InputByKind[K] & ExtrasByKind[K];

interface PageQuery {
  limit: number;
  offset: number;
  /** Name or code contains (case-insensitive). */
  q?: string;
}

interface OwnedFilter extends PageQuery {
  /** Department code; its sub-departments are included. */
  department?: string;
  /** Region code; its whole subtree is included. */
  region?: string;
}

export interface FiltersByKind {
  departments: OwnedFilter & { state?: (typeof extranetStates)[number] };
  systems: OwnedFilter & { state?: SystemState; classification?: Classification; cloud?: string };
  'private-networks': OwnedFilter & { state?: PrivateNetworkState; classification?: Classification };
  'service-items': OwnedFilter & { state?: (typeof integrationStates)[number]; system_type?: SystemType };
  'network-nodes': PageQuery & { region?: string; state?: (typeof commissionStates)[number]; tier?: NodeTier };
}

export const nouns: Record<ImportKind, string> = {
  departments: 'department',
  systems: 'system',
  'private-networks': 'private network',
  'service-items': 'service item',
  'network-nodes': 'network node',
};

const tables = {
  departments,
  systems,
  'private-networks': privateNetworks,
  'service-items': serviceItems,
  'network-nodes': networkNodes,
} as const;

/** Non-generic on purpose: indexed by a generic kind, drizzle cannot resolve the table. */
const tableOf = (kind: ImportKind) => tables[kind];

/** The fields only a transition may change; PATCH refuses them. */
export const trackedFields: Record<ImportKind, readonly string[]> = {
  departments: ['extranet_connected', 'extranet_connected_at'],
  systems: ['state', 'state_at'],
  'private-networks': ['state', 'state_at'],
  'service-items': ['integrated', 'integrated_at'],
  'network-nodes': ['commissioned', 'commissioned_at'],
};

// ---------------------------------------------------------------------------------------------
// Filters

type TextColumn = Parameters<typeof like>[0];
const contains = (column: TextColumn, text: string) => ilike(column, `%${escapeLike(text)}%`);
const matches = (text: string | undefined, ...columns: TextColumn[]) =>
  text ? or(...columns.map((column) => contains(column, text))) : undefined;

const unknownFilter = (field: string, what: string, code: string) =>
  new AppError('validation_failed', `unknown ${what} "${code}"`, [{ field, message: `unknown ${what} "${code}"` }]);

async function departmentPath(db: Db, code: string): Promise<string> {
  const [row] = await db.select({ path: departments.path }).from(departments).where(eq(departments.code, code));
  if (!row) throw unknownFilter('department', 'department', code);
  return row.path;
}

async function regionPath(db: Db, code: string): Promise<string> {
  const [row] = await db.select({ path: regions.path }).from(regions).where(eq(regions.code, code));
  if (!row) throw unknownFilter('region', 'region', code);
  return row.path;
}

async function cloudIdOf(db: Db, code: string, field: string): Promise<number> {
  const [row] = await db.select({ id: clouds.id }).from(clouds).where(eq(clouds.code, code));
  if (!row) throw unknownFilter(field, 'cloud', code);
  return row.id;
}

const regionSubtree = (db: Db, path: string) =>
  db.select({ code: regions.code }).from(regions).where(startsWithLiteral(regions.path, path));

/** Conditions on `departments` for a `department` (subtree) and `region` (subtree) filter. */
async function departmentScope(db: Db, f: OwnedFilter): Promise<SQL[]> {
  const out: SQL[] = [];
  if (f.department) out.push(startsWithLiteral(departments.path, await departmentPath(db, f.department)));
  if (f.region) {
    const path = await regionPath(db, f.region);
    out.push(inArray(departments.regionCode, regionSubtree(db, path)));
  }
  return out;
}

/** Restricts a department-owned table to the departments the filter selects. */
async function ownedBy(db: Db, departmentId: AnyColumn, f: OwnedFilter): Promise<SQL | undefined> {
  const scope = await departmentScope(db, f);
  if (scope.length === 0) return undefined;
  return inArray(
    departmentId,
    db
      .select({ id: departments.id })
      .from(departments)
      .where(and(...scope)),
  );
}

type ConditionBuilder<K extends ImportKind> = (db: Db, f: FiltersByKind[K]) => Promise<(SQL | undefined)[]>;

const conditionBuilders: { [K in ImportKind]: ConditionBuilder<K> } = {
  departments: async (db, f) => [
    ...(await departmentScope(db, f)),
    f.state ? eq(departments.extranetConnected, f.state === 'connected') : undefined,
    matches(f.q, departments.name, departments.code),
  ],
  systems: async (db, f) => [
    await ownedBy(db, systems.departmentId, f),
    f.state ? eq(systems.state, f.state) : undefined,
    f.classification ? eq(systems.classification, f.classification) : undefined,
    f.cloud ? eq(systems.cloudId, await cloudIdOf(db, f.cloud, 'cloud')) : undefined,
    matches(f.q, systems.name, systems.code),
  ],
  'private-networks': async (db, f) => [
    await ownedBy(db, privateNetworks.departmentId, f),
    f.state ? eq(privateNetworks.state, f.state) : undefined,
    f.classification ? eq(privateNetworks.classification, f.classification) : undefined,
    matches(f.q, privateNetworks.name, privateNetworks.code),
  ],
  'service-items': async (db, f) => [
    await ownedBy(db, serviceItems.departmentId, f),
    f.state ? eq(serviceItems.integrated, f.state === 'integrated') : undefined,
    f.system_type ? eq(serviceItems.systemType, f.system_type) : undefined,
    matches(f.q, serviceItems.name, serviceItems.code),
  ],
  'network-nodes': async (db, f) => [
    f.region ? inArray(networkNodes.regionCode, regionSubtree(db, await regionPath(db, f.region))) : undefined,
    f.state ? eq(networkNodes.commissioned, f.state === 'commissioned') : undefined,
    f.tier ? eq(networkNodes.tier, f.tier) : undefined,
    matches(f.q, networkNodes.name, networkNodes.code),
  ],
};

// ---------------------------------------------------------------------------------------------
// Importable records: read

interface StampRow {
  id: number;
  code: string;
  createdAt: Date;
  updatedAt: Date;
  verifiedAt: Date | null;
  liveState: NodeLiveState | null;
  latencyMs: number | null;
  loss: number | null;
  lastSampleAt: Date | null;
}

// A node whose last sample is older than 3× its agent's interval is unknown, never up.
const nodeLiveState = sql<NodeLiveState>`case when ${networkNodes.liveUntil} > now() then ${networkNodes.liveState} else 'unknown' end`;

async function stampsOf(db: Db, kind: ImportKind, where: SQL | undefined, page?: PageQuery): Promise<StampRow[]> {
  const t = tableOf(kind);
  const query = db
    .select({
      id: t.id,
      code: t.code,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      verifiedAt: kind === 'systems' ? systems.verifiedAt : sql<Date | null>`null`,
      liveState: kind === 'network-nodes' ? nodeLiveState : sql<NodeLiveState | null>`null`,
      latencyMs: kind === 'network-nodes' ? networkNodes.latencyMs : sql<number | null>`null`,
      loss: kind === 'network-nodes' ? networkNodes.loss : sql<number | null>`null`,
      lastSampleAt: kind === 'network-nodes' ? networkNodes.lastSampleAt : sql<Date | null>`null`,
    })
    .from(t)
    .where(where)
    .orderBy(asc(t.code))
    .$dynamic();
  return page ? query.limit(page.limit).offset(page.offset) : query;
}

async function itemsOf<K extends ImportKind>(db: Db, kind: K, stamps: StampRow[]): Promise<RecordItem<K>[]> {
  const stored = await loadStoredRows(
    db,
    kind,
    stamps.map((s) => s.code),
  );
  return stamps.map((s) => {
    const row = stored.get(s.code);
    if (!row) throw new AppError('internal', `${nouns[kind]} ${s.code} vanished while being read`);
    const extras = {
      id: s.id,
      created_at: s.createdAt.toISOString(),
      updated_at: s.updatedAt.toISOString(),
      ...(kind === 'systems' ? { verified_at: s.verifiedAt?.toISOString() ?? null } : {}),
      ...(kind === 'network-nodes'
        ? {
            live_state: s.liveState ?? 'unknown',
            latency_ms: s.latencyMs,
            loss: s.loss,
            last_sample_at: s.lastSampleAt?.toISOString() ?? null,
          }
        : {}),
    };
    // The extras match ExtrasByKind[K] by the branch above; TS cannot follow `kind` into K.
    return { ...row.view, ...extras } as RecordItem<K>;
  });
}

/** One record by code; 404 naming the code when there is none. */
export async function getRecord<K extends ImportKind>(db: Db, kind: K, code: string): Promise<RecordItem<K>> {
  const [item] = await itemsOf(db, kind, await stampsOf(db, kind, eq(tableOf(kind).code, code)));
  if (!item) throw notFound(nouns[kind], code);
  return item;
}

/** One record as a caller may see it: outside their department subtree it does not exist. */
export async function readRecord<K extends ImportKind>(db: Db, kind: K, code: string, actor: Actor): Promise<RecordItem<K>> {
  await assertVisible(db, kind, code, actor, 'read');
  return getRecord(db, kind, code);
}

/** Rows of a kind inside a department subtree (department-owned kinds, or departments themselves). */
function confinedTo(db: Db, kind: ImportKind, path: string): SQL {
  if (kind === 'departments') return startsWithLiteral(departments.path, path);
  const owner = {
    systems: systems.departmentId,
    'private-networks': privateNetworks.departmentId,
    'service-items': serviceItems.departmentId,
  }[kind as 'systems' | 'private-networks' | 'service-items'];
  // Network nodes are not department-owned; the permission table never confines them.
  if (!owner) throw new AppError('forbidden', `${kind} cannot be confined to a department`);
  return inArray(owner, departmentsUnder(db, path));
}

/** The id of a record by code; 404 when there is none. */
export async function recordId(db: Db, kind: ImportKind, code: string): Promise<number> {
  const t = tableOf(kind);
  const [row] = await db.select({ id: t.id }).from(t).where(eq(t.code, code));
  if (!row) throw notFound(nouns[kind], code);
  return row.id;
}

/** A filtered page of records, ordered by code. */
export async function listRecords<K extends ImportKind>(
  db: Db,
  kind: K,
  filter: FiltersByKind[K],
  actor: Actor,
): Promise<Page<RecordItem<K>>> {
  const build = conditionBuilders[kind] as ConditionBuilder<K>;
  const limit = limitFor(actor, 'read', kind);
  const where = and(...(await build(db, filter)), limit === null ? undefined : confinedTo(db, kind, limit));
  const t = tableOf(kind);
  const [counted] = await db.select({ n: count() }).from(t).where(where);
  const stamps = await stampsOf(db, kind, where, filter);
  return { items: await itemsOf(db, kind, stamps), total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

// ---------------------------------------------------------------------------------------------
// Importable records: write (always through upsertRecords)

async function upsertOne<K extends ImportKind>(db: Db, kind: K, row: InputByKind[K], actor: Actor): Promise<void> {
  try {
    await upsertRecords(db, kind, [row], actor);
  } catch (error) {
    // A single API row has no batch position: keep the field names, drop `index`.
    if (error instanceof AppError && error.code === 'import_rejected') {
      const errors = error.errors.map(({ field, message }) => ({ field, message }));
      const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ') || error.message;
      throw new AppError('validation_failed', `invalid ${nouns[kind]}: ${detail}`, errors);
    }
    throw error;
  }
}

/** Creates a record through the one write path; 409 when its code is taken. */
export async function createRecord<K extends ImportKind>(
  database: Db,
  kind: K,
  input: InputByKind[K],
  actor: Actor,
): Promise<RecordItem<K>> {
  return database.transaction(async (db) => {
    // Serialises concurrent creates of one code, so the later one sees the earlier and gets 409.
    await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`${kind}:${input.code}`}))`);
    const t = tableOf(kind);
    const [existing] = await db.select({ id: t.id }).from(t).where(eq(t.code, input.code));
    if (existing) throw await takenCode(db, kind, input.code, actor);
    refuseRows(await authorizeRows(db, kind, [input], actor), true);
    await upsertOne(db, kind, input, actor);
    return getRecord(db, kind, input.code);
  });
}

/**
 * The 409 for a code in use. Codes are unique across departments, so a department user must
 * choose another either way; only a record the caller may see is named and said to exist.
 */
async function takenCode(db: Db, kind: ImportKind, code: string, actor: Actor): Promise<AppError> {
  const visible = await assertVisible(db, kind, code, actor, 'read').then(
    () => true,
    () => false,
  );
  if (visible) return new AppError('conflict', `${nouns[kind]} ${code} already exists`);
  return new AppError('conflict', `this ${nouns[kind]} code cannot be used; choose another code`, [
    { field: 'code', message: 'is not available' },
  ]);
}

const sameValue = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

/**
 * Merges a partial body onto the stored view and writes it through the one write path.
 * Tracked state moves only by transitions (they carry a date and a note), and `code` is
 * the record's identity, so changing either is refused.
 */
export async function patchRecord<K extends ImportKind>(
  database: Db,
  kind: K,
  code: string,
  patch: Partial<InputByKind[K]>,
  actor: Actor,
): Promise<RecordItem<K>> {
  await assertWritable(database, kind, code, actor, `${nouns[kind].replace(' ', '_')}.update`);
  return database.transaction(async (db) => {
    await assertVisible(db, kind, code, actor, 'write');
    const t = tableOf(kind);
    const [locked] = await db.select({ id: t.id }).from(t).where(eq(t.code, code)).for('update');
    if (!locked) throw notFound(nouns[kind], code);
    const stored = (await loadStoredRows(db, kind, [code])).get(code);
    if (!stored) throw notFound(nouns[kind], code);

    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const view: Record<string, unknown> = { ...stored.view };
    const errors: FieldError[] = [];
    if ('code' in given && given.code !== code) errors.push({ field: 'code', message: 'cannot be changed' });
    for (const field of trackedFields[kind]) {
      if (field in given && !sameValue(given[field], view[field])) {
        errors.push({ field, message: `is a tracked state; change it with POST /api/v1/${kind}/${code}/transitions` });
      }
    }
    if (errors.length > 0) {
      throw new AppError(
        'validation_failed',
        `cannot change ${errors.map((e) => e.field).join(', ')} of ${nouns[kind]} ${code} by PATCH`,
        errors,
      );
    }
    const merged = { ...stored.view, ...given, code } as InputByKind[K];
    refuseRows(await authorizeRows(db, kind, [merged], actor), true);
    await upsertOne(db, kind, merged, actor);
    return getRecord(db, kind, code);
  });
}

// ---------------------------------------------------------------------------------------------
// Clouds

export interface CloudItem extends CloudInput, Stamps {}

export interface CloudFilter extends PageQuery {
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
    filter.region ? inArray(clouds.regionCode, regionSubtree(db, await regionPath(db, filter.region))) : undefined,
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

// ---------------------------------------------------------------------------------------------
// Cloud tenants

export interface TenantItem extends TenantInput, Stamps {
  last_report_at: string | null;
}

export interface TenantFilter extends PageQuery {
  cloud?: string;
  department?: string;
  region?: string;
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

/** Resolves a tenant's cloud and department codes, naming each unknown one. */
async function tenantRefs(db: Db, cloudCode: string, departmentCode: string): Promise<{ cloudId: number; departmentId: number }> {
  const [cloud] = await db.select({ id: clouds.id }).from(clouds).where(eq(clouds.code, cloudCode));
  const [department] = await db.select({ id: departments.id }).from(departments).where(eq(departments.code, departmentCode));
  const errors: FieldError[] = [
    ...(cloud ? [] : [{ field: 'cloud_code', message: `unknown cloud "${cloudCode}"` }]),
    ...(department ? [] : [{ field: 'department_code', message: `unknown department "${departmentCode}"` }]),
  ];
  if (!cloud || !department)
    throw new AppError('validation_failed', `invalid tenant: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
  return { cloudId: cloud.id, departmentId: department.id };
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

const tenantLabel = (t: { cloud_code: string; external_id: string }) => `${t.cloud_code}/${t.external_id}`;
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
    const cloudIds = new Map(
      (
        await db
          .select({ id: clouds.id, code: clouds.code })
          .from(clouds)
          .where(inArray(clouds.code, [...new Set(inputs.map((t) => t.cloud_code))]))
      ).map((c) => [c.code, c.id]),
    );
    const departmentIds = new Map(
      (
        await db
          .select({ id: departments.id, code: departments.code })
          .from(departments)
          .where(inArray(departments.code, [...new Set(inputs.map((t) => t.department_code))]))
      ).map((d) => [d.code, d.id]),
    );
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
    const refs = await tenantRefs(db, after.cloud_code, after.department_code);
    if (after.external_id !== before.external_id) {
      const [taken] = await db
        .select({ id: cloudTenants.id })
        .from(cloudTenants)
        .where(and(eq(cloudTenants.cloudId, refs.cloudId), eq(cloudTenants.externalId, after.external_id), ne(cloudTenants.id, id)));
      if (taken) throw tenantTaken(after);
    }
    await db
      .update(cloudTenants)
      .set({ departmentId: refs.departmentId, ...tenantValues(after), updatedAt: new Date() })
      .where(eq(cloudTenants.id, id));
    await recordAudit(db, actor, [{ action: 'tenant.update', entityKind: 'tenant', entityCode: tenantLabel(after), before, after }]);
    return getTenant(db, id);
  });
}

// ---------------------------------------------------------------------------------------------

function withoutUndefined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sameRecord(a: object, b: object): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => sameValue(ra[k], rb[k]));
}
