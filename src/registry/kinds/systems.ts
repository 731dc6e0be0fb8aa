import { z } from '@hono/zod-openapi';
import { eq, not } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { drSiteKinds, systemStates } from '../../db/schema/enums.ts';
import { clouds, systems } from '../../db/schema/index.ts';
import { booleanQuery } from '../../http/schemas.ts';
import { drSiteKindLabels, systemStateLabels, zhNames } from '../../vocabulary/records.ts';
import { cloud, code, isoDate, securityLevel, stamps, timestamp } from '../fields.ts';
import { cloudIdOf } from '../filters.ts';
import { defaultIdleDays, idleSystem } from '../idle.ts';
import { classifiedKind } from './classified.ts';
import { followProviderDepartments } from './interface-services.ts';
import { kindNames, knownDepartment, unknownRef } from './shared.ts';
import type { KindFilter, RecordKind, References } from './types.ts';

const classified = classifiedKind(systems, systemStates, systemStateLabels, {
  not_migrated: ['migrating', 'migrated', 'retired'],
  migrating: ['migrated', 'not_migrated', 'retired'],
  migrated: ['migrating', 'retired'],
  retired: [],
});

const idleDaysOf = (f: KindFilter) => (typeof f.idle_days === 'number' ? f.idle_days : defaultIdleDays);

/** A recovery target in minutes: at most a year. */
const recoveryTarget = z
  .number()
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .max(525_600, 'must be at most 525600 (a year)')
  .nullish();

/** The cloud of the disaster-recovery copy, beside the system's own cloud in the same query. */
const drClouds = alias(clouds, 'dr_clouds');

export const SystemInput = z
  .object({
    ...classified.fields,
    cloud_code: code.nullish(),
    tenant: z.string().trim().max(200).nullish(),
    security_level: securityLevel.nullish().openapi({ description: '等保 level 1–4' }),
    filing_number: z.string().trim().max(100).nullish().openapi({ description: '等保备案 number' }),
    assessed_on: isoDate.nullish().openapi({ description: 'Business date of the last 等保 assessment (测评)' }),
    dr_site: z.enum(drSiteKinds).nullish().openapi({ description: 'Disaster recovery (灾备): same_city 同城 or remote 异地; empty: none' }),
    dr_cloud_code: code.nullish().openapi({ description: 'The cloud holding the disaster-recovery copy' }),
    rto_minutes: recoveryTarget.openapi({ description: 'Recovery time objective (RTO) in minutes' }),
    rpo_minutes: recoveryTarget.openapi({ description: 'Recovery point objective (RPO) in minutes' }),
  })
  .openapi('SystemInput');
export type SystemInput = z.infer<typeof SystemInput>;

const System = SystemInput.extend({
  ...stamps,
  verified_at: timestamp.nullable(),
  last_seen_at: timestamp.nullable().openapi({ description: 'The last time a cloud agent saw the system running on its cloud' }),
}).openapi('System');

/** `?idle=true`: the idle-system candidates (僵尸系统), with no evidence of use for `idle_days` days. */
const idleQuery = {
  idle: booleanQuery.optional().openapi({
    description: 'true: only idle candidates (僵尸系统) — in use, yet no workload seen and no exchange traffic for `idle_days` days',
  }),
  idle_days: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .openapi({ description: `Days without evidence of use; default ${defaultIdleDays}` }),
};

const writeSystems = classified.write<SystemInput>((r, refs) => ({
  cloudId: r.cloud_code ? (refs.clouds.get(r.cloud_code) ?? null) : null,
  tenant: r.tenant ?? null,
  securityLevel: r.security_level ?? null,
  filingNumber: r.filing_number ?? null,
  assessedOn: r.assessed_on ?? null,
  drSite: r.dr_site ?? null,
  drCloudId: r.dr_cloud_code ? (refs.clouds.get(r.dr_cloud_code) ?? null) : null,
  rtoMinutes: r.rto_minutes ?? null,
  rpoMinutes: r.rpo_minutes ?? null,
}));

/** 信息系统: a department's information systems, to be moved onto a government cloud. */
export const systemsKind: RecordKind<SystemInput, z.infer<typeof System>> = {
  ...kindNames('systems', 'system', 'System'),
  schemas: { input: SystemInput, item: System, query: classified.query({ cloud, ...idleQuery }) },
  ...classified.descriptor,
  columns: [
    ...classified.columns,
    { field: 'cloud_code', alias: '云平台编码', type: 'text' },
    { field: 'tenant', alias: '租户', type: 'text' },
    { field: 'security_level', alias: '等保级别', type: 'number' },
    { field: 'filing_number', alias: '备案编号', type: 'text' },
    { field: 'assessed_on', alias: '最近测评日期', type: 'date' },
    { field: 'dr_site', alias: '灾备方式', type: 'enum', values: zhNames(drSiteKindLabels) },
    { field: 'dr_cloud_code', alias: '灾备云平台编码', type: 'text' },
    { field: 'rto_minutes', alias: 'RTO（分钟）', type: 'number' },
    { field: 'rpo_minutes', alias: 'RPO（分钟）', type: 'number' },
  ],
  indicators: ['cloud_migration', 'security_assessment', 'dr_coverage'],
  // The figures read these as of a date: an assessment holds from its own date.
  trackedAttributes: [{ field: 'security_level' }, { field: 'assessed_on', dateField: 'assessed_on' }, { field: 'dr_site' }],
  extras: {
    columns: { verifiedAt: systems.verifiedAt, lastSeenAt: systems.lastSeenAt },
    item: (row) => ({
      verified_at: (row.verifiedAt as Date | null)?.toISOString() ?? null,
      last_seen_at: (row.lastSeenAt as Date | null)?.toISOString() ?? null,
    }),
  },
  filters: async (db, f) => [
    ...(await classified.filters(db, f)),
    typeof f.cloud === 'string' && f.cloud ? eq(systems.cloudId, await cloudIdOf(db, f.cloud, 'cloud')) : undefined,
    f.idle === undefined ? undefined : f.idle ? idleSystem(idleDaysOf(f)) : not(idleSystem(idleDaysOf(f))),
  ],
  loadViews: classified.loadViews<SystemInput>(
    {
      cloud_code: clouds.code,
      tenant: systems.tenant,
      security_level: systems.securityLevel,
      filing_number: systems.filingNumber,
      assessed_on: systems.assessedOn,
      dr_site: systems.drSite,
      dr_cloud_code: drClouds.code,
      rto_minutes: systems.rtoMinutes,
      rpo_minutes: systems.rpoMinutes,
    },
    [
      [clouds, eq(clouds.id, systems.cloudId)],
      [drClouds, eq(drClouds.id, systems.drCloudId)],
    ],
  ),
  check: (r, refs) => [
    ...knownDepartment(refs, r.department_code),
    ...(r.cloud_code && !refs.clouds.has(r.cloud_code) ? [unknownRef('cloud_code', 'cloud', r.cloud_code)] : []),
    ...(r.tenant && !r.cloud_code ? [{ field: 'tenant', message: 'is set but cloud_code is empty' }] : []),
    ...(r.assessed_on && !r.security_level ? [{ field: 'assessed_on', message: 'is set but security_level is empty' }] : []),
    ...drChecks(r, refs),
  ],
  async write(db, rows, refs) {
    const ids = await writeSystems(db, rows, refs);
    // A system moved to another department takes its interface services with it.
    await followProviderDepartments(db, [...ids.values()]);
    return ids;
  },
};

/** A disaster-recovery copy needs a kind of site; its cloud, if named, exists and is not the system's own. */
function drChecks(r: SystemInput, refs: References) {
  const errors = [];
  if (!r.dr_site) {
    for (const field of ['dr_cloud_code', 'rto_minutes', 'rpo_minutes'] as const) {
      if (r[field] != null && r[field] !== '') errors.push({ field, message: 'is set but dr_site is empty' });
    }
  }
  if (r.dr_cloud_code && !refs.clouds.has(r.dr_cloud_code)) errors.push(unknownRef('dr_cloud_code', 'cloud', r.dr_cloud_code));
  else if (r.dr_cloud_code && r.dr_cloud_code === r.cloud_code) {
    errors.push({ field: 'dr_cloud_code', message: "is the system's own cloud; a disaster-recovery copy runs on another" });
  }
  return errors;
}
