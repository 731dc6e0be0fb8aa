import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { calendarDate, enumChecks, generatedId, instant, requiredId } from './columns.ts';
import { departmentRecordColumns } from './department-records.ts';
import { interfaceServiceStates } from './enums.ts';
import { systems } from './systems.ts';

/**
 * 接口服务: an interface service a system publishes on the interconnection platform.
 * `departmentId` is the provider system's department, kept for scoping (the service is
 * owned by it), written with the service and whenever its provider system is written. `state`/`stateAt` mirror the
 * latest transition; history lives in `transitions`.
 */
export const interfaceServices = pgTable(
  'interface_services',
  {
    ...departmentRecordColumns('interface_services'),
    providerSystemId: requiredId(() => systems.id),
    state: text({ enum: interfaceServiceStates }).notNull().default('planned'),
    stateAt: calendarDate(),
  },
  (t) => [
    ...enumChecks(t.state),
    index('interface_services_department_id_idx').on(t.departmentId),
    index('interface_services_provider_system_id_idx').on(t.providerSystemId),
  ],
);

/**
 * A system consuming a service, from the business date the link was recorded until the one
 * it was dropped (null: still consuming). A dropped link is closed, never deleted, so the
 * consumers on any past date can be answered.
 */
export const interfaceServiceConsumers = pgTable(
  'interface_service_consumers',
  {
    id: generatedId(),
    serviceId: requiredId(() => interfaceServices.id),
    systemId: requiredId(() => systems.id),
    addedAt: calendarDate().notNull(),
    removedAt: calendarDate(),
    recordedAt: instant().notNull().defaultNow(),
  },
  (t) => [
    check('interface_service_consumers_dates_check', sql`${t.removedAt} is null or ${t.removedAt} >= ${t.addedAt}`),
    index('interface_service_consumers_service_id_idx').on(t.serviceId),
    index('interface_service_consumers_system_id_idx').on(t.systemId),
    // At most one open link per service and consumer.
    uniqueIndex('interface_service_consumers_open_key').on(t.serviceId, t.systemId).where(sql`${t.removedAt} is null`),
  ],
);

/**
 * 信息交换量: a service's exchange count for one business day, as the platform totals it.
 * A count sent again for the same day replaces the stored one.
 */
export const exchangeVolumes = pgTable(
  'exchange_volumes',
  {
    serviceId: requiredId(() => interfaceServices.id),
    date: calendarDate().notNull(),
    count: bigint({ mode: 'number' }).notNull(),
    updatedAt: instant().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'exchange_volumes_pkey', columns: [t.serviceId, t.date] }),
    check('exchange_volumes_count_check', sql`${t.count} >= 0`),
    index('exchange_volumes_date_idx').on(t.date),
  ],
);
