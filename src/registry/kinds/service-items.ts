import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { serviceLevels, systemTypes } from '../../db/schema/enums.ts';
import { serviceItems } from '../../db/schema/index.ts';
import { integrationStateLabels, serviceLevelLabels, systemTypeLabels, zhNames } from '../../vocabulary/records.ts';
import { department, isoDate, region, stamps } from '../fields.ts';
import { matches, ownedBy } from '../filters.ts';
import {
  flagLifecycle,
  kindNames,
  knownDepartment,
  listQuery,
  ownedColumns,
  ownedFields,
  ownedValues,
  ownedView,
  viewLoader,
  writeByCode,
} from './shared.ts';
import type { RecordKind } from './types.ts';

export const ServiceItemInput = z
  .object({
    ...ownedFields,
    system_type: z.enum(systemTypes),
    integration_required: z.boolean().default(true),
    integrated: z.boolean().default(false),
    integrated_at: isoDate.nullish(),
    service_level: z.enum(serviceLevels).default('multiple_visits').openapi({
      description:
        '办理深度: full_online 全程网办, online_one_visit 网上申请、最多跑一次, offline_one_visit 线下最多跑一次, multiple_visits 多次跑动',
    }),
    service_level_since: isoDate.nullish().openapi({ description: 'Business date the level holds since; empty: a change is dated today' }),
  })
  .openapi('ServiceItemInput');
export type ServiceItemInput = z.infer<typeof ServiceItemInput>;

const ServiceItem = ServiceItemInput.extend(stamps).openapi('ServiceItem');

const lifecycle = flagLifecycle(serviceItems, { flag: serviceItems.integrated, at: serviceItems.integratedAt }, integrationStateLabels);

/** 政务服务事项: a department's public services, each to be integrated with the one-stop platform. */
export const serviceItemsKind: RecordKind<ServiceItemInput, z.infer<typeof ServiceItem>> = {
  ...kindNames('service-items', 'service_item', 'ServiceItem'),
  table: serviceItems,
  ownerColumn: serviceItems.departmentId,
  schemas: {
    input: ServiceItemInput,
    item: ServiceItem,
    query: listQuery({
      department,
      region,
      state: lifecycle.stateQuery,
      system_type: z.enum(systemTypes).optional(),
      service_level: z.enum(serviceLevels).optional(),
    }),
  },
  ...lifecycle.descriptor,
  trackedAttributes: [{ field: 'service_level', initial: 'multiple_visits', dateField: 'service_level_since' }],
  columns: [
    ...ownedColumns,
    { field: 'system_type', alias: '系统类型', type: 'enum', values: zhNames(systemTypeLabels) },
    { field: 'integration_required', alias: '需对接', type: 'boolean' },
    { field: 'integrated', alias: '已对接', type: 'boolean' },
    { field: 'integrated_at', alias: '对接日期', type: 'date' },
    { field: 'service_level', alias: '办理深度', type: 'enum', values: zhNames(serviceLevelLabels) },
    { field: 'service_level_since', alias: '办理深度日期', type: 'date' },
  ],
  indicators: ['service_integration', 'online_service', 'one_visit'],
  filters: async (db, f) => [
    await ownedBy(db, serviceItems.departmentId, f),
    lifecycle.stateFilter(f.state),
    f.system_type ? eq(serviceItems.systemType, f.system_type as ServiceItemInput['system_type']) : undefined,
    f.service_level ? eq(serviceItems.serviceLevel, f.service_level as ServiceItemInput['service_level']) : undefined,
    matches(f.q, serviceItems.name, serviceItems.code),
  ],
  loadViews: viewLoader<ServiceItemInput>(
    serviceItems,
    {
      ...ownedView(serviceItems),
      system_type: serviceItems.systemType,
      integration_required: serviceItems.integrationRequired,
      integrated: serviceItems.integrated,
      integrated_at: serviceItems.integratedAt,
      service_level: serviceItems.serviceLevel,
      service_level_since: serviceItems.serviceLevelSince,
    },
    serviceItems.departmentId,
  ),
  check: (r, refs) => [...knownDepartment(refs, r.department_code), ...lifecycle.checkFlag(r)],
  write: (db, rows, refs) =>
    writeByCode(
      db,
      serviceItems,
      rows.map(({ input: r, state, attributeSince }) => ({
        ...ownedValues(r, refs),
        systemType: r.system_type,
        integrationRequired: r.integration_required,
        ...lifecycle.stored(state),
        serviceLevel: r.service_level,
        serviceLevelSince: attributeSince?.service_level ?? null,
      })),
    ),
};
