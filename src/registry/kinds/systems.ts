import { z } from '@hono/zod-openapi';
import { asc, eq, inArray } from 'drizzle-orm';
import { classifications, systemStates } from '../../db/schema/enums.ts';
import { clouds, departments, systems } from '../../db/schema/index.ts';
import { classificationLabels, recordKindLabels, systemStateLabels, zhNames } from '../../vocabulary/records.ts';
import { classification, cloud, code, department, isoDate, name, region, stamps, timestamp } from '../fields.ts';
import { cloudIdOf, matches, ownedBy } from '../filters.ts';
import { departmentRef, knownDepartment, listQuery, stateLifecycle, unknownRef, writeByCode } from './shared.ts';
import type { RecordKind } from './types.ts';

export const SystemInput = z
  .object({
    code,
    name,
    department_code: code,
    classification: z.enum(classifications).default('pending'),
    state: z.enum(systemStates).default('not_migrated'),
    state_at: isoDate.nullish(),
    cloud_code: code.nullish(),
    tenant: z.string().trim().max(200).nullish(),
  })
  .openapi('SystemInput');
export type SystemInput = z.infer<typeof SystemInput>;

const System = SystemInput.extend({ ...stamps, verified_at: timestamp.nullable() }).openapi('System');

const lifecycle = stateLifecycle<SystemInput>(systems, { state: systems.state, stateAt: systems.stateAt }, systemStateLabels, {
  not_migrated: ['migrating', 'migrated', 'retired'],
  migrating: ['migrated', 'not_migrated', 'retired'],
  migrated: ['migrating', 'retired'],
  retired: [],
});

/** 信息系统: a department's information systems, to be moved onto a government cloud. */
export const systemsKind: RecordKind<SystemInput, z.infer<typeof System>> = {
  segment: 'systems',
  tracked: 'system',
  names: { one: 'System', many: 'Systems' },
  label: recordKindLabels.systems,
  area: 'systems',
  table: systems,
  ownerColumn: systems.departmentId,
  classificationColumn: systems.classification,
  schemas: {
    input: SystemInput,
    item: System,
    query: listQuery({ department, region, state: z.enum(systemStates).optional(), classification, cloud }),
  },
  ...lifecycle,
  columns: [
    { field: 'code', alias: '编码', type: 'text' },
    { field: 'name', alias: '名称', type: 'text' },
    { field: 'department_code', alias: '部门编码', type: 'text' },
    { field: 'classification', alias: '密级', type: 'enum', values: zhNames(classificationLabels) },
    { field: 'state', alias: '状态', type: 'enum', values: zhNames(systemStateLabels) },
    { field: 'state_at', alias: '状态日期', type: 'date' },
    { field: 'cloud_code', alias: '云平台编码', type: 'text' },
    { field: 'tenant', alias: '租户', type: 'text' },
  ],
  indicators: ['cloud_migration'],
  extras: {
    columns: { verifiedAt: systems.verifiedAt },
    item: (row) => ({ verified_at: (row.verifiedAt as Date | null)?.toISOString() ?? null }),
  },
  filters: async (db, f) => [
    await ownedBy(db, systems.departmentId, f),
    f.state ? eq(systems.state, f.state as SystemInput['state']) : undefined,
    f.classification ? eq(systems.classification, f.classification as SystemInput['classification']) : undefined,
    typeof f.cloud === 'string' && f.cloud ? eq(systems.cloudId, await cloudIdOf(db, f.cloud, 'cloud')) : undefined,
    matches(f.q, systems.name, systems.code),
  ],
  loadViews: async (db, codes) => {
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
      .where(codes ? inArray(systems.code, codes) : undefined)
      .orderBy(asc(systems.code));
    return rows.map(({ id, ...view }) => ({ id, view }));
  },
  check: (r, refs) => [
    ...knownDepartment(refs, r.department_code),
    ...(r.cloud_code && !refs.clouds.has(r.cloud_code) ? [unknownRef('cloud_code', 'cloud', r.cloud_code)] : []),
    ...(r.tenant && !r.cloud_code ? [{ field: 'tenant', message: 'is set but cloud_code is empty' }] : []),
  ],
  write: (db, rows, refs) =>
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
};
