import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { systemStates } from '../../db/schema/enums.ts';
import { clouds, systems } from '../../db/schema/index.ts';
import { systemStateLabels } from '../../vocabulary/records.ts';
import { cloud, code, stamps, timestamp } from '../fields.ts';
import { cloudIdOf } from '../filters.ts';
import { classifiedKind } from './classified.ts';
import { followProviderDepartments } from './interface-services.ts';
import { kindNames, knownDepartment, unknownRef } from './shared.ts';
import type { RecordKind } from './types.ts';

const classified = classifiedKind(systems, systemStates, systemStateLabels, {
  not_migrated: ['migrating', 'migrated', 'retired'],
  migrating: ['migrated', 'not_migrated', 'retired'],
  migrated: ['migrating', 'retired'],
  retired: [],
});

export const SystemInput = z
  .object({
    ...classified.fields,
    cloud_code: code.nullish(),
    tenant: z.string().trim().max(200).nullish(),
  })
  .openapi('SystemInput');
export type SystemInput = z.infer<typeof SystemInput>;

const System = SystemInput.extend({ ...stamps, verified_at: timestamp.nullable() }).openapi('System');

const writeSystems = classified.write<SystemInput>((r, refs) => ({
  cloudId: r.cloud_code ? (refs.clouds.get(r.cloud_code) ?? null) : null,
  tenant: r.tenant ?? null,
}));

/** 信息系统: a department's information systems, to be moved onto a government cloud. */
export const systemsKind: RecordKind<SystemInput, z.infer<typeof System>> = {
  ...kindNames('systems', 'system', 'System'),
  schemas: { input: SystemInput, item: System, query: classified.query({ cloud }) },
  ...classified.descriptor,
  columns: [
    ...classified.columns,
    { field: 'cloud_code', alias: '云平台编码', type: 'text' },
    { field: 'tenant', alias: '租户', type: 'text' },
  ],
  indicators: ['cloud_migration'],
  extras: {
    columns: { verifiedAt: systems.verifiedAt },
    item: (row) => ({ verified_at: (row.verifiedAt as Date | null)?.toISOString() ?? null }),
  },
  filters: async (db, f) => [
    ...(await classified.filters(db, f)),
    typeof f.cloud === 'string' && f.cloud ? eq(systems.cloudId, await cloudIdOf(db, f.cloud, 'cloud')) : undefined,
  ],
  loadViews: classified.loadViews<SystemInput>({ cloud_code: clouds.code, tenant: systems.tenant }, [
    [clouds, eq(clouds.id, systems.cloudId)],
  ]),
  check: (r, refs) => [
    ...knownDepartment(refs, r.department_code),
    ...(r.cloud_code && !refs.clouds.has(r.cloud_code) ? [unknownRef('cloud_code', 'cloud', r.cloud_code)] : []),
    ...(r.tenant && !r.cloud_code ? [{ field: 'tenant', message: 'is set but cloud_code is empty' }] : []),
  ],
  async write(db, rows, refs) {
    const ids = await writeSystems(db, rows, refs);
    // A system moved to another department takes its interface services with it.
    await followProviderDepartments(db, [...ids.values()]);
    return ids;
  },
};
