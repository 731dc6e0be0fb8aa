import { boolean, index, pgTable, text } from 'drizzle-orm/pg-core';
import { calendarDate, enumChecks } from './columns.ts';
import { departmentRecordColumns } from './department-records.ts';
import { serviceLevels, systemTypes } from './enums.ts';

/** 政务服务事项 and whether its business system is integrated (对接) with the unified platform. */
export const serviceItems = pgTable(
  'service_items',
  {
    ...departmentRecordColumns('service_items'),
    systemType: text({ enum: systemTypes }).notNull(),
    integrationRequired: boolean().notNull().default(true),
    integrated: boolean().notNull().default(false),
    integratedAt: calendarDate(),
    /** 办理深度: how far the item is done online, and since when (its history is in the timeline). */
    serviceLevel: text({ enum: serviceLevels }).notNull().default('multiple_visits'),
    serviceLevelSince: calendarDate(),
  },
  (t) => [...enumChecks(t.systemType, t.serviceLevel), index('service_items_department_id_idx').on(t.departmentId)],
);
