import { type AnyPgColumn, boolean, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { calendarDate, enumChecks, recordColumns, requiredCode } from './columns.ts';
import { departmentKinds } from './enums.ts';
import { regions } from './regions.ts';

/** 部门/单位. `path` lists department codes from the top department down, like regions. */
export const departments = pgTable(
  'departments',
  {
    ...recordColumns('departments'),
    regionCode: requiredCode(() => regions.code),
    parentId: integer().references((): AnyPgColumn => departments.id),
    kind: text({ enum: departmentKinds }).notNull(),
    path: text().notNull(),
    extranetConnected: boolean().notNull().default(false),
    extranetConnectedAt: calendarDate(),
  },
  (t) => [
    ...enumChecks(t.kind),
    index('departments_region_code_idx').on(t.regionCode),
    index('departments_parent_id_idx').on(t.parentId),
    index('departments_path_idx').on(t.path.op('text_pattern_ops')),
  ],
);
