import { z } from '@hono/zod-openapi';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { interfaceServiceStates } from '../../db/schema/enums.ts';
import { departments, interfaceServiceConsumers, interfaceServices, systems } from '../../db/schema/index.ts';
import type { FieldError } from '../../kernel/errors.ts';
import { interfaceServiceStateLabels, zhNames } from '../../vocabulary/records.ts';
import { code, department, isoDate, name, region, stamps } from '../fields.ts';
import { matches, ownedBy } from '../filters.ts';
import { kindNames, listQuery, namedColumns, stateLifecycle, typed, unknownRef, viewLoader, writeByCode } from './shared.ts';
import type { KindRow, OwnerRef, Planned, RecordKind, References } from './types.ts';

/** A service may be consumed by this many systems at most: far above any real service, and a bound on a row. */
export const maxConsumers = 500;

export const InterfaceServiceInput = z
  .object({
    code,
    name,
    provider_system_code: code.openapi({ description: 'The system publishing the service; its department owns the service' }),
    consumer_system_codes: z
      .array(code)
      .max(maxConsumers, `must list at most ${maxConsumers} systems`)
      .default([])
      .openapi({ description: 'The systems consuming the service (in a spreadsheet: codes separated by ";")' }),
    state: z.enum(interfaceServiceStates).default('planned'),
    state_at: isoDate.nullish(),
  })
  .openapi('InterfaceServiceInput');
export type InterfaceServiceInput = z.infer<typeof InterfaceServiceInput>;

const InterfaceService = InterfaceServiceInput.extend({
  ...stamps,
  department_code: z.string().openapi({ description: "The provider system's department, which owns the service" }),
}).openapi('InterfaceService');

const lifecycle = stateLifecycle<InterfaceServiceInput>(
  interfaceServices,
  { state: interfaceServices.state, stateAt: interfaceServices.stateAt },
  interfaceServiceStateLabels,
  { planned: ['active', 'retired'], active: ['retired'], retired: ['active'] },
  false,
);

/** A row's consumers that are wrong: unknown, named twice, or the provider itself. */
function checkConsumers(r: InterfaceServiceInput, refs: References): FieldError[] {
  const field = 'consumer_system_codes';
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const consumer of r.consumer_system_codes) {
    if (seen.has(consumer)) errors.push({ field, message: `"${consumer}" is listed twice` });
    else if (consumer === r.provider_system_code) errors.push({ field, message: `"${consumer}" is the provider system` });
    else if (!refs.systems.has(consumer)) errors.push(unknownRef(field, 'system', consumer));
    seen.add(consumer);
  }
  return errors;
}

/**
 * Brings each written service's open consumer links to the row's list: a system no longer
 * listed has its link closed on `today`, a newly listed one gets a link from `today`. Links
 * are never deleted, so the consumers on any earlier date stay answerable.
 */
async function syncConsumers(
  db: Db,
  rows: Planned<InterfaceServiceInput>[],
  ids: Map<string, number>,
  refs: References,
  today: string,
): Promise<void> {
  const serviceIds = rows.map((p) => ids.get(p.input.code)).filter((id): id is number => id !== undefined);
  if (serviceIds.length === 0) return;
  const open = await db
    .select({
      id: interfaceServiceConsumers.id,
      serviceId: interfaceServiceConsumers.serviceId,
      systemId: interfaceServiceConsumers.systemId,
    })
    .from(interfaceServiceConsumers)
    .where(and(inArray(interfaceServiceConsumers.serviceId, serviceIds), isNull(interfaceServiceConsumers.removedAt)));
  const close: number[] = [];
  const add: { serviceId: number; systemId: number; addedAt: string }[] = [];
  for (const { input } of rows) {
    const serviceId = ids.get(input.code);
    if (serviceId === undefined) continue;
    const wanted = new Set(input.consumer_system_codes.map((c) => refs.systems.get(c)?.id).filter((id): id is number => id !== undefined));
    const current = open.filter((l) => l.serviceId === serviceId);
    for (const link of current) if (!wanted.has(link.systemId)) close.push(link.id);
    const linked = new Set(current.map((l) => l.systemId));
    for (const systemId of wanted) if (!linked.has(systemId)) add.push({ serviceId, systemId, addedAt: today });
  }
  if (close.length > 0) {
    // A link recorded later than a back-dated write (a test's pinned day) closes on its own first day.
    await db
      .update(interfaceServiceConsumers)
      .set({ removedAt: sql`greatest(${interfaceServiceConsumers.addedAt}, ${today}::date)` })
      .where(inArray(interfaceServiceConsumers.id, close));
  }
  if (add.length > 0) await db.insert(interfaceServiceConsumers).values(add);
}

/**
 * A service belongs to its provider system's department: when systems are written (one moved
 * to another department by the command line), their services' stored department follows, in
 * the same transaction as the systems' own audited write.
 */
export async function followProviderDepartments(db: Db, systemIds: readonly number[]): Promise<void> {
  if (systemIds.length === 0) return;
  await db.execute(sql`
    update interface_services s set department_id = sy.department_id, updated_at = now()
    from systems sy
    where sy.id = s.provider_system_id and sy.id = any(${sql.param([...systemIds])}::int[]) and s.department_id <> sy.department_id`);
}

/** The open consumer links' system codes, sorted: the view's `consumer_system_codes`. */
const consumerCodes = sql<string[]>`coalesce((
  select json_agg(cs.code order by cs.code) from interface_service_consumers isc join systems cs on cs.id = isc.system_id
  where isc.service_id = ${interfaceServices.id} and isc.removed_at is null), '[]'::json)`;

/** An interface service belongs to its provider system's department. */
const owner: OwnerRef = {
  field: 'provider_system_code',
  refusal: 'is not a system of your department',
  async departmentCodes(db: Db, rows: readonly KindRow[]) {
    const providers = rows.map((r) => (typeof r.provider_system_code === 'string' ? r.provider_system_code : ''));
    const known = new Map<string, string>();
    const wanted = [...new Set(providers.filter((p) => p !== ''))];
    if (wanted.length > 0) {
      const found = await db
        .select({ code: systems.code, department: departments.code })
        .from(systems)
        .innerJoin(departments, eq(departments.id, systems.departmentId))
        .where(inArray(systems.code, wanted));
      for (const f of found) known.set(f.code, f.department);
    }
    return providers.map((p) => known.get(p));
  },
};

/**
 * 接口服务: a service a system publishes on the interconnection platform, and the systems
 * consuming it. Owned by — and scoped to — the provider system's department.
 */
export const interfaceServicesKind: RecordKind<InterfaceServiceInput, z.infer<typeof InterfaceService>> = {
  ...kindNames('interface-services', 'interface_service', 'InterfaceService'),
  table: interfaceServices,
  ownerColumn: interfaceServices.departmentId,
  owner,
  schemas: {
    input: InterfaceServiceInput,
    item: InterfaceService,
    query: listQuery({
      department,
      region,
      state: z.enum(interfaceServiceStates).optional(),
      provider: z.string().max(64).optional().openapi({ description: 'Provider system code' }),
    }),
  },
  ...lifecycle,
  columns: [
    ...namedColumns,
    { field: 'provider_system_code', alias: '提供方系统编码', type: 'text' },
    { field: 'consumer_system_codes', alias: '消费方系统编码', type: 'list' },
    { field: 'state', alias: '状态', type: 'enum', values: zhNames(interfaceServiceStateLabels) },
    { field: 'state_at', alias: '状态日期', type: 'date' },
  ],
  indicators: [],
  extras: {
    columns: { departmentCode: sql<string>`(select d.code from departments d where d.id = ${interfaceServices.departmentId})` },
    item: (row) => ({ department_code: row.departmentCode }),
  },
  filters: async (db, f) => [
    await ownedBy(db, interfaceServices.departmentId, f),
    f.state ? eq(interfaceServices.state, f.state as InterfaceServiceInput['state']) : undefined,
    typeof f.provider === 'string' && f.provider
      ? inArray(interfaceServices.providerSystemId, db.select({ id: systems.id }).from(systems).where(eq(systems.code, f.provider)))
      : undefined,
    matches(f.q, interfaceServices.name, interfaceServices.code),
  ],
  loadViews: viewLoader<InterfaceServiceInput>(
    interfaceServices,
    {
      code: interfaceServices.code,
      name: interfaceServices.name,
      provider_system_code: typed<string>(systems.code),
      consumer_system_codes: consumerCodes,
      state: interfaceServices.state,
      state_at: interfaceServices.stateAt,
    },
    undefined,
    [[systems, eq(systems.id, interfaceServices.providerSystemId)]],
  ),
  check: (r, refs) => [
    ...(refs.systems.has(r.provider_system_code) ? [] : [unknownRef('provider_system_code', 'system', r.provider_system_code)]),
    ...checkConsumers(r, refs),
  ],
  async write(db, rows, refs, today) {
    const provider = (r: InterfaceServiceInput) => {
      const system = refs.systems.get(r.provider_system_code);
      if (!system) throw new Error(`system ${r.provider_system_code} was not resolved`);
      return system;
    };
    const ids = await writeByCode(
      db,
      interfaceServices,
      rows.map(({ input: r, state }) => ({
        code: r.code,
        name: r.name,
        providerSystemId: provider(r).id,
        departmentId: provider(r).departmentId,
        state: r.state,
        stateAt: state.since,
      })),
    );
    await syncConsumers(db, rows, ids, refs, today);
    return ids;
  },
};
