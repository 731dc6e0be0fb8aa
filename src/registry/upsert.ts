import { and, inArray, ne, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import { upsertRows } from '../db/bulk.ts';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import type { TrackedKind } from '../db/schema/enums.ts';
import { clouds, departments, networkNodes, privateNetworks, regions, serviceItems, systems } from '../db/schema/index.ts';
import { AppError, type FieldError } from '../http/errors.ts';
import type { Actor } from '../identity/actor.ts';
import { yieldEvery, yieldToEventLoop } from '../kernel/yielding.ts';
import {
  type ActiveTransition,
  applyTransitions,
  compareTransitions,
  initialStates,
  loadActiveTransitions,
  reconcileDeclared,
  type TransitionChange,
  todayIso,
} from './history.ts';
import type { ImportKind, InputByKind, NetworkNodeInput, PrivateNetworkInput, ServiceItemInput, SystemInput } from './schemas.ts';
import { loadStoredRows, type StoredRow, sameView } from './views.ts';

export interface UpsertResult {
  created: number;
  updated: number;
  unchanged: number;
}

export interface UpsertOptions {
  /** Validate and count, then roll everything back. */
  dryRun?: boolean;
  /** The business "today" (tests pin it); dates after it are refused. */
  today?: string;
}

/** Codes a batch refers to, resolved once. */
interface References {
  regions: Set<string>;
  departments: Map<string, { id: number; path: string }>;
  clouds: Map<string, number>;
}

/** One row after validation: what to store, and the tracked values it declares. */
interface Planned<K extends ImportKind> {
  index: number;
  input: InputByKind[K];
  stored?: StoredRow<K>;
  state: { value: string; since: string | null };
  classification?: string;
}

interface KindSpec<K extends ImportKind> {
  tracked: TrackedKind;
  /** The tracked state a row declares, and since when. */
  declaredState(row: InputByKind[K]): { value: string; since: string | null };
  declaredClassification?(row: InputByKind[K]): string;
  /** Reference and consistency checks beyond the zod schema. */
  check(row: InputByKind[K], refs: References, fileCodes: Set<string>): FieldError[];
  /** Writes the rows' columns (state columns included) and returns code → id. */
  write(db: Db, rows: Planned<K>[], refs: References): Promise<Map<string, number>>;
}

const unknownRef = (field: string, what: string, code: string): FieldError => ({
  field,
  message: `unknown ${what} "${code}"`,
});

/** A yes/no fact with a date only makes sense when it is yes. */
const dateNeedsFlag = (flag: boolean, at: string | null | undefined, flagField: string, atField: string) =>
  !flag && at ? [{ field: atField, message: `is set but ${flagField} is false` }] : [];

const departmentRef = (refs: References, code: string) => {
  const dept = refs.departments.get(code);
  if (!dept) throw new AppError('internal', `department ${code} was not resolved`);
  return dept.id;
};

/** Part by part, letting other requests in between (PGlite runs each query on this thread). */
const chunked = async <T>(items: T[], size: number, fn: (part: T[]) => Promise<void>) => {
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await yieldToEventLoop();
    await fn(items.slice(i, i + size));
  }
};

const departmentSpec: KindSpec<'departments'> = {
  tracked: 'department',
  declaredState: (r) => ({
    value: r.extranet_connected ? 'connected' : 'not_connected',
    since: r.extranet_connected ? (r.extranet_connected_at ?? null) : null,
  }),
  check: (r, refs, fileCodes) => [
    ...(refs.regions.has(r.region_code) ? [] : [unknownRef('region_code', 'region', r.region_code)]),
    ...(r.parent_code && r.parent_code === r.code ? [{ field: 'parent_code', message: 'a department cannot be its own parent' }] : []),
    ...(r.parent_code && !refs.departments.has(r.parent_code) && !fileCodes.has(r.parent_code)
      ? [unknownRef('parent_code', 'department', r.parent_code)]
      : []),
    ...dateNeedsFlag(r.extranet_connected, r.extranet_connected_at, 'extranet_connected', 'extranet_connected_at'),
  ],
  // Parents are written before their children, one generation at a time, so that every
  // child finds its parent's id and path.
  async write(db, rows, refs) {
    const ids = new Map<string, number>();
    let pending = rows;
    while (pending.length > 0) {
      const waiting = new Set(pending.map((p) => p.input.code));
      const ready = pending.filter((p) => !p.input.parent_code || !waiting.has(p.input.parent_code));
      if (ready.length === 0) {
        throw new AppError(
          'import_rejected',
          'departments refer to each other in a cycle',
          pending.map((p) => ({ index: p.index, field: 'parent_code', message: 'is part of a parent cycle' })),
        );
      }
      const planned = ready.map((p) => {
        const r = p.input;
        const parent = r.parent_code ? refs.departments.get(r.parent_code) : undefined;
        if (parent?.path.includes(`/${r.code}/`)) {
          throw new AppError('import_rejected', 'departments refer to each other in a cycle', [
            { index: p.index, field: 'parent_code', message: `${r.parent_code} is below ${r.code}` },
          ]);
        }
        const path = `${parent?.path ?? '/'}${r.code}/`;
        return {
          oldPath: refs.departments.get(r.code)?.path,
          values: {
            code: r.code,
            name: r.name,
            regionCode: r.region_code,
            parentId: parent ? departmentRef(refs, r.parent_code as string) : null,
            kind: r.kind,
            path,
            extranetConnected: p.state.value === 'connected',
            extranetConnectedAt: p.state.value === 'connected' ? p.state.since : null,
          },
        };
      });
      const written = await upsertRows<typeof departments, { id: number; code: string; path: string }>(
        db,
        departments,
        planned.map((p) => p.values),
        { conflictKey: 'code', returning: ['id', 'code', 'path'] },
      );
      for (const w of written) {
        refs.departments.set(w.code, { id: w.id, path: w.path });
        ids.set(w.code, w.id);
      }
      for (const { oldPath, values } of planned) {
        if (!oldPath || oldPath === values.path) continue;
        // Moving a department moves its whole subtree. The offset is cast: an untyped parameter
        // makes `substring(text from …)` the regular-expression form, which yields null.
        await db
          .update(departments)
          .set({ path: sql`${values.path} || substring(${departments.path} from ${oldPath.length + 1}::int)` })
          .where(and(startsWithLiteral(departments.path, oldPath), ne(departments.code, values.code)));
      }
      pending = pending.filter((p) => !ready.includes(p));
    }
    return ids;
  },
};

/** Upserts rows by code and returns code → id. */
async function writeByCode(
  db: Db,
  table: typeof systems | typeof privateNetworks | typeof serviceItems | typeof networkNodes,
  values: Record<string, unknown>[],
): Promise<Map<string, number>> {
  const written = await upsertRows<typeof table, { id: number; code: string }>(db, table, values as never, {
    conflictKey: 'code',
    returning: ['id', 'code'],
  });
  return new Map(written.map((w) => [w.code, w.id]));
}

const classifiedSpec = <K extends 'systems' | 'private-networks'>(
  tracked: TrackedKind,
  write: KindSpec<K>['write'],
  extraCheck: (row: InputByKind[K], refs: References) => FieldError[],
): KindSpec<K> => ({
  tracked,
  declaredState: (r) => ({ value: r.state, since: r.state_at ?? null }),
  declaredClassification: (r) => r.classification,
  check: (r, refs) => [
    ...(refs.departments.has(r.department_code) ? [] : [unknownRef('department_code', 'department', r.department_code)]),
    ...extraCheck(r, refs),
  ],
  write,
});

const systemSpec = classifiedSpec<'systems'>(
  'system',
  (db, rows, refs) =>
    writeByCode(
      db,
      systems,
      rows.map(({ input: r, state }) => ({
        code: r.code,
        name: r.name,
        departmentId: departmentRef(refs, r.department_code),
        classification: r.classification,
        state: r.state,
        stateAt: state.since,
        cloudId: r.cloud_code ? (refs.clouds.get(r.cloud_code) ?? null) : null,
        tenant: r.tenant ?? null,
      })),
    ),
  (r: SystemInput, refs) => [
    ...(r.cloud_code && !refs.clouds.has(r.cloud_code) ? [unknownRef('cloud_code', 'cloud', r.cloud_code)] : []),
    ...(r.tenant && !r.cloud_code ? [{ field: 'tenant', message: 'is set but cloud_code is empty' }] : []),
  ],
);

const privateNetworkSpec = classifiedSpec<'private-networks'>(
  'private_network',
  (db, rows, refs) =>
    writeByCode(
      db,
      privateNetworks,
      rows.map(({ input: r, state }) => ({
        code: r.code,
        name: r.name,
        departmentId: departmentRef(refs, r.department_code),
        classification: r.classification,
        state: r.state,
        stateAt: state.since,
      })),
    ),
  (_r: PrivateNetworkInput) => [],
);

const serviceItemSpec: KindSpec<'service-items'> = {
  tracked: 'service_item',
  declaredState: (r) => ({
    value: r.integrated ? 'integrated' : 'not_integrated',
    since: r.integrated ? (r.integrated_at ?? null) : null,
  }),
  check: (r: ServiceItemInput, refs) => [
    ...(refs.departments.has(r.department_code) ? [] : [unknownRef('department_code', 'department', r.department_code)]),
    ...dateNeedsFlag(r.integrated, r.integrated_at, 'integrated', 'integrated_at'),
  ],
  write: (db, rows, refs) =>
    writeByCode(
      db,
      serviceItems,
      rows.map(({ input: r, state }) => ({
        code: r.code,
        name: r.name,
        departmentId: departmentRef(refs, r.department_code),
        systemType: r.system_type,
        integrationRequired: r.integration_required,
        integrated: state.value === 'integrated',
        integratedAt: state.value === 'integrated' ? state.since : null,
      })),
    ),
};

const networkNodeSpec: KindSpec<'network-nodes'> = {
  tracked: 'network_node',
  declaredState: (r) => ({
    value: r.commissioned ? 'commissioned' : 'not_commissioned',
    since: r.commissioned ? (r.commissioned_at ?? null) : null,
  }),
  check: (r: NetworkNodeInput, refs) => [
    ...(refs.regions.has(r.region_code) ? [] : [unknownRef('region_code', 'region', r.region_code)]),
    ...dateNeedsFlag(r.commissioned, r.commissioned_at, 'commissioned', 'commissioned_at'),
  ],
  write: (db, rows) =>
    writeByCode(
      db,
      networkNodes,
      rows.map(({ input: r, state }) => ({
        code: r.code,
        name: r.name,
        regionCode: r.region_code,
        tier: r.tier,
        probeAddress: r.probe_address ?? null,
        commissioned: state.value === 'commissioned',
        commissionedAt: state.value === 'commissioned' ? state.since : null,
      })),
    ),
};

const specs: { [K in ImportKind]: KindSpec<K> } = {
  departments: departmentSpec,
  systems: systemSpec,
  'private-networks': privateNetworkSpec,
  'service-items': serviceItemSpec,
  'network-nodes': networkNodeSpec,
};

async function resolveReferences(db: Db, codes: { regions: string[]; departments: string[]; clouds: string[] }): Promise<References> {
  const refs: References = { regions: new Set(), departments: new Map(), clouds: new Map() };
  const unique = (xs: string[]) => [...new Set(xs)];
  await chunked(unique(codes.regions), 5000, async (part) => {
    for (const r of await db.select({ code: regions.code }).from(regions).where(inArray(regions.code, part))) refs.regions.add(r.code);
  });
  await chunked(unique(codes.departments), 5000, async (part) => {
    const rows = await db
      .select({ id: departments.id, code: departments.code, path: departments.path })
      .from(departments)
      .where(inArray(departments.code, part));
    for (const d of rows) refs.departments.set(d.code, { id: d.id, path: d.path });
  });
  await chunked(unique(codes.clouds), 5000, async (part) => {
    for (const c of await db.select({ id: clouds.id, code: clouds.code }).from(clouds).where(inArray(clouds.code, part))) {
      refs.clouds.set(c.code, c.id);
    }
  });
  return refs;
}

function referencedCodes<K extends ImportKind>(kind: K, rows: InputByKind[K][]) {
  const field = (name: string) =>
    rows.map((r) => (r as Record<string, unknown>)[name]).filter((v): v is string => typeof v === 'string' && v !== '');
  return {
    regions: field('region_code'),
    // A department file refers to departments by its own codes too: an existing row's path matters.
    departments: kind === 'departments' ? [...field('parent_code'), ...field('code')] : field('department_code'),
    clouds: field('cloud_code'),
  };
}

const tableOfKind: Record<ImportKind, string> = {
  departments: 'departments',
  systems: 'systems',
  'private-networks': 'private_networks',
  'service-items': 'service_items',
  'network-nodes': 'network_nodes',
};

/** Rows changed in one batch beyond which the planner's statistics are refreshed. */
export const bulkWriteThreshold = 1000;

/**
 * After a bulk write the planner's statistics are stale until autovacuum catches up, and
 * the indicator queries pick slow plans meanwhile. Call after the batch has committed.
 */
export async function refreshStatistics(db: Db, kind: ImportKind, result: UpsertResult): Promise<void> {
  if (result.created + result.updated < bulkWriteThreshold) return;
  await db.execute(sql.raw(`analyze ${tableOfKind[kind]}, transitions, timeline, audit_log`));
}

class DryRun extends Error {
  constructor(readonly result: UpsertResult) {
    super('dry run');
  }
}

/**
 * The one write path for departments, systems, private networks, service items and
 * network nodes, whether they come from the API, a spreadsheet or the demo data: upsert
 * by code, record every tracked change as a transition, rebuild the timeline, audit each
 * changed row — all in one transaction. Any bad row rejects the whole batch, with every
 * problem listed (`errors[].index` is the row's position in `rows`).
 */
export async function upsertRecords<K extends ImportKind>(
  database: Db,
  kind: K,
  rows: InputByKind[K][],
  actor: Actor,
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  const today = options.today ?? todayIso();
  const spec = specs[kind] as KindSpec<K>;
  try {
    return await database.transaction(async (db) => {
      const result = await upsertInTransaction(db, kind, spec, rows, actor, today);
      if (options.dryRun) throw new DryRun(result);
      return result;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.result;
    throw error;
  }
}

async function upsertInTransaction<K extends ImportKind>(
  db: Db,
  kind: K,
  spec: KindSpec<K>,
  rows: InputByKind[K][],
  actor: Actor,
  today: string,
): Promise<UpsertResult> {
  const refs = await resolveReferences(db, referencedCodes(kind, rows));
  const fileCodes = new Set(rows.map((r) => r.code));
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  const pause = yieldEvery();
  for (const [index, row] of rows.entries()) {
    await pause();
    const first = seen.get(row.code);
    if (first !== undefined) errors.push({ index, field: 'code', message: `"${row.code}" appears twice in the batch` });
    seen.set(row.code, index);
    for (const e of spec.check(row, refs, fileCodes)) errors.push({ ...e, index });
    const since = spec.declaredState(row).since;
    if (since && since > today) errors.push({ index, field: dateFieldOf(kind), message: `${since} is in the future` });
  }
  if (errors.length > 0) {
    throw new AppError(
      'import_rejected',
      `${new Set(errors.map((e) => e.index)).size} of ${rows.length} rows are invalid; nothing was written`,
      errors,
    );
  }

  const stored = await loadStoredRows(
    db,
    kind,
    rows.map((r) => r.code),
  );
  const changedRows: Planned<K>[] = [];
  let unchanged = 0;
  for (const [index, input] of rows.entries()) {
    await pause();
    const existing = stored.get(input.code);
    if (existing && sameView(existing.view, input)) {
      unchanged++;
      continue;
    }
    changedRows.push({
      index,
      input,
      stored: existing,
      state: spec.declaredState(input),
      classification: spec.declaredClassification?.(input),
    });
  }
  if (changedRows.length === 0) return { created: 0, updated: 0, unchanged };

  // Reconcile each declared value with the recorded history before writing, so that the
  // stored "since" date is the one the history ends up with.
  const existingIds = changedRows.flatMap((p) => (p.stored ? [p.stored.id] : []));
  const active = await loadActiveTransitions(db, spec.tracked, existingIds);
  const plans = [];
  for (const p of changedRows) {
    await pause();
    const history = p.stored ? (active.get(p.stored.id) ?? []) : [];
    const onField = (field: 'state' | 'classification') => history.filter((t) => t.field === field);
    const state = reconcileDeclared(onField('state'), initialStates[spec.tracked], p.state.value, p.state.since, today);
    // A file carries no date for classification: only a changed value is recorded, dated
    // today (a new entity's classification holds since always).
    const currentClassification = onField('classification').sort(compareTransitions).at(-1)?.toValue ?? 'pending';
    const classification =
      p.classification === undefined || (p.stored && p.classification === currentClassification)
        ? undefined
        : reconcileDeclared(onField('classification'), 'pending', p.classification, p.stored ? today : null, today);
    const remaining = onField('state').filter((t) => !state.supersede.includes(t.id));
    const since = state.add ? state.add.effectiveAt : (remaining.sort(compareTransitions).at(-1)?.effectiveAt ?? null);
    plans.push({ planned: { ...p, state: { value: p.state.value, since } }, state, classification, history });
  }

  const ids = await spec.write(
    db,
    plans.map((p) => p.planned),
    refs,
  );
  const add: TransitionChange[] = [];
  const supersede: number[] = [];
  for (const { planned, state, classification, history } of plans) {
    await pause();
    const entityId = ids.get(planned.input.code);
    if (entityId === undefined) throw new AppError('internal', `${planned.input.code} was not written`);
    const current = (field: string, initial: string) =>
      history
        .filter((t: ActiveTransition) => t.field === field)
        .sort(compareTransitions)
        .at(-1)?.toValue ?? initial;
    if (state.add) {
      add.push({
        entityId,
        field: 'state',
        fromValue: current('state', initialStates[spec.tracked]),
        toValue: state.add.value,
        effectiveAt: state.add.effectiveAt,
      });
    }
    supersede.push(...state.supersede);
    if (classification?.add) {
      add.push({
        entityId,
        field: 'classification',
        fromValue: current('classification', 'pending'),
        toValue: classification.add.value,
        effectiveAt: classification.add.effectiveAt,
      });
    }
    supersede.push(...(classification?.supersede ?? []));
  }
  await applyTransitions(db, spec.tracked, actor, { add, supersede, touched: [...ids.values()] });

  const label = spec.tracked;
  await recordAudit(
    db,
    actor,
    changedRows.map((p) => ({
      action: p.stored ? `${label}.update` : `${label}.create`,
      entityKind: label,
      entityCode: p.input.code,
      before: p.stored?.view ?? null,
      after: p.input,
    })),
  );
  const created = changedRows.filter((p) => !p.stored).length;
  return { created, updated: changedRows.length - created, unchanged };
}

function dateFieldOf(kind: ImportKind): string {
  switch (kind) {
    case 'departments':
      return 'extranet_connected_at';
    case 'service-items':
      return 'integrated_at';
    case 'network-nodes':
      return 'commissioned_at';
    default:
      return 'state_at';
  }
}
