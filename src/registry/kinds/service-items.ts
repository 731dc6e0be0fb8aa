import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { systemTypes } from '../../db/schema/enums.ts';
import { serviceItems } from '../../db/schema/index.ts';
import { integrationStateLabels, systemTypeLabels, zhNames } from '../../vocabulary/records.ts';
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
    query: listQuery({ department, region, state: lifecycle.stateQuery, system_type: z.enum(systemTypes).optional() }),
  },
  ...lifecycle.descriptor,
  columns: [
    ...ownedColumns,
    { field: 'system_type', alias: '系统类型', type: 'enum', values: zhNames(systemTypeLabels) },
    { field: 'integration_required', alias: '需对接', type: 'boolean' },
    { field: 'integrated', alias: '已对接', type: 'boolean' },
    { field: 'integrated_at', alias: '对接日期', type: 'date' },
  ],
  indicators: ['service_integration'],
  filters: async (db, f) => [
    await ownedBy(db, serviceItems.departmentId, f),
    lifecycle.stateFilter(f.state),
    f.system_type ? eq(serviceItems.systemType, f.system_type as ServiceItemInput['system_type']) : undefined,
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
    },
    serviceItems.departmentId,
  ),
  check: (r, refs) => [...knownDepartment(refs, r.department_code), ...lifecycle.checkFlag(r)],
  write: (db, rows, refs) =>
    writeByCode(
      db,
      serviceItems,
      rows.map(({ input: r, state }) => ({
        ...ownedValues(r, refs),
        systemType: r.system_type,
        integrationRequired: r.integration_required,
        ...lifecycle.stored(state),
      })),
    ),
};
