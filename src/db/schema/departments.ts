import { sql } from 'drizzle-orm';
import { type AnyPgColumn, boolean, check, date, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { entityColumns } from './columns.ts';
import { type DepartmentKind, departmentKinds, sqlList } from './enums.ts';
import { regions } from './regions.ts';

/** 部门/单位. `path` lists department codes from the top department down, like regions. */
export const departments = pgTable(
  'departments',
  {
    ...entityColumns,
    code: text().notNull().unique('departments_code_key'),
    name: text().notNull(),
    regionCode: text()
      .notNull()
      .references(() => regions.code),
    parentId: integer().references((): AnyPgColumn => departments.id),
    kind: text().$type<DepartmentKind>().notNull(),
    path: text().notNull(),
    extranetConnected: boolean().notNull().default(false),
    extranetConnectedAt: date({ mode: 'string' }),
  },
  (t) => [
    check('departments_kind_check', sql`${t.kind} in (${sql.raw(sqlList(departmentKinds))})`),
    index('departments_region_code_idx').on(t.regionCode),
    index('departments_parent_id_idx').on(t.parentId),
    index('departments_path_idx').on(t.path.op('text_pattern_ops')),
  ],
);
