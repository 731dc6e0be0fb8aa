import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { enumChecks } from './columns.ts';
import { regionLevels } from './enums.ts';

/**
 * 行政区划 (GB/T 2260). `path` lists the codes from the province down to this region,
 * `/450000/450100/450102/`, so a subtree is one prefix match.
 */
export const regions = pgTable(
  'regions',
  {
    code: text().primaryKey(),
    name: text().notNull(),
    level: text({ enum: regionLevels }).notNull(),
    parentCode: text(),
    path: text().notNull(),
  },
  (t) => [
    ...enumChecks(t.level),
    index('regions_parent_code_idx').on(t.parentCode),
    index('regions_path_idx').on(t.path.op('text_pattern_ops')),
  ],
);
