import { asc, eq, inArray, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import { clouds, departments, networkNodes, privateNetworks, serviceItems, systems } from '../db/schema/index.ts';
import { yieldToEventLoop } from '../kernel/yielding.ts';
import type { ImportKind, InputByKind } from './schemas.ts';

/**
 * Each importable entity seen as its input row (codes instead of ids): what export
 * writes, what the upsert compares a file row against, and what the audit trail shows.
 */
export interface StoredRow<K extends ImportKind> {
  id: number;
  view: InputByKind[K];
}

type ViewLoader<K extends ImportKind> = (db: Db, where: { codes?: string[]; afterId?: number; limit?: number }) => Promise<StoredRow<K>[]>;

const parents = alias(departments, 'parent');

const byCodes = (column: Parameters<typeof inArray>[0], codes?: string[]): SQL | undefined => (codes ? inArray(column, codes) : undefined);

export const viewLoaders: { [K in ImportKind]: ViewLoader<K> } = {
  departments: async (db, { codes }) => {
    const rows = await db
      .select({
        id: departments.id,
        code: departments.code,
        name: departments.name,
        region_code: departments.regionCode,
        parent_code: parents.code,
        kind: departments.kind,
        extranet_connected: departments.extranetConnected,
        extranet_connected_at: departments.extranetConnectedAt,
      })
      .from(departments)
      .leftJoin(parents, eq(parents.id, departments.parentId))
      .where(byCodes(departments.code, codes))
      .orderBy(asc(departments.path));
    return rows.map(({ id, ...view }) => ({ id, view }));
  },
  systems: async (db, { codes }) => {
    const rows = await db
      .select({
        id: systems.id,
        code: systems.code,
        name: systems.name,
        department_code: departments.code,
        classification: systems.classification,
        state: systems.state,
        state_at: systems.stateAt,
        cloud_code: clouds.code,
        tenant: systems.tenant,
      })
      .from(systems)
      .innerJoin(departments, eq(departments.id, systems.departmentId))
      .leftJoin(clouds, eq(clouds.id, systems.cloudId))
      .where(byCodes(systems.code, codes))
      .orderBy(asc(systems.code));
    return rows.map(({ id, ...view }) => ({ id, view }));
  },
  'private-networks': async (db, { codes }) => {
    const rows = await db
      .select({
        id: privateNetworks.id,
        code: privateNetworks.code,
        name: privateNetworks.name,
        department_code: departments.code,
        classification: privateNetworks.classification,
        state: privateNetworks.state,
        state_at: privateNetworks.stateAt,
      })
      .from(privateNetworks)
      .innerJoin(departments, eq(departments.id, privateNetworks.departmentId))
      .where(byCodes(privateNetworks.code, codes))
      .orderBy(asc(privateNetworks.code));
    return rows.map(({ id, ...view }) => ({ id, view }));
  },
  'service-items': async (db, { codes }) => {
    const rows = await db
      .select({
        id: serviceItems.id,
        code: serviceItems.code,
        name: serviceItems.name,
        department_code: departments.code,
        system_type: serviceItems.systemType,
        integration_required: serviceItems.integrationRequired,
        integrated: serviceItems.integrated,
        integrated_at: serviceItems.integratedAt,
      })
      .from(serviceItems)
      .innerJoin(departments, eq(departments.id, serviceItems.departmentId))
      .where(byCodes(serviceItems.code, codes))
      .orderBy(asc(serviceItems.code));
    return rows.map(({ id, ...view }) => ({ id, view }));
  },
  'network-nodes': async (db, { codes }) => {
    const rows = await db
      .select({
        id: networkNodes.id,
        code: networkNodes.code,
        name: networkNodes.name,
        region_code: networkNodes.regionCode,
        tier: networkNodes.tier,
        commissioned: networkNodes.commissioned,
        commissioned_at: networkNodes.commissionedAt,
        probe_address: networkNodes.probeAddress,
      })
      .from(networkNodes)
      .where(byCodes(networkNodes.code, codes))
      .orderBy(asc(networkNodes.code));
    return rows.map(({ id, ...view }) => ({ id, view }));
  },
};

/** Codes per query: under the bind-parameter limit, and short enough on PGlite (see below). */
const storedRowsPart = 2000;

/** Loads stored rows by code, in chunks that keep under the bind-parameter limit. */
export async function loadStoredRows<K extends ImportKind>(db: Db, kind: K, codes: string[]): Promise<Map<string, StoredRow<K>>> {
  const loader = viewLoaders[kind] as ViewLoader<K>;
  const out = new Map<string, StoredRow<K>>();
  // In parts, with a turn for other requests between them: on PGlite a query holds the thread.
  for (let i = 0; i < codes.length; i += storedRowsPart) {
    if (i > 0) await yieldToEventLoop();
    for (const row of await loader(db, { codes: codes.slice(i, i + storedRowsPart) })) out.set(row.view.code, row);
  }
  return out;
}

/** Every stored row of a kind, as input rows: the body of an export. */
export async function exportRows<K extends ImportKind>(db: Db, kind: K): Promise<InputByKind[K][]> {
  const loader = viewLoaders[kind] as ViewLoader<K>;
  return (await loader(db, {})).map((r) => r.view);
}

/** Input rows compare equal when every field does, absent and null being the same. */
export function sameView(a: object, b: object): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of keys) if ((ra[k] ?? null) !== (rb[k] ?? null)) return false;
  return true;
}
