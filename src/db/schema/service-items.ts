import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { entityColumns } from './columns.ts';
import { departments } from './departments.ts';
import { type SystemType, sqlList, systemTypes } from './enums.ts';

/** 政务服务事项 and whether its business system is integrated (对接) with the unified platform. */
export const serviceItems = pgTable(
  'service_items',
  {
    ...entityColumns,
    code: text().notNull().unique('service_items_code_key'),
    name: text().notNull(),
    departmentId: integer()
      .notNull()
      .references(() => departments.id),
    systemType: text().$type<SystemType>().notNull(),
    integrationRequired: boolean().notNull().default(true),
    integrated: boolean().notNull().default(false),
    integratedAt: date({ mode: 'string' }),
  },
  (t) => [
    check('service_items_system_type_check', sql`${t.systemType} in (${sql.raw(sqlList(systemTypes))})`),
    index('service_items_department_id_idx').on(t.departmentId),
  ],
);
