import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { clouds } from './clouds.ts';
import { entityColumns } from './columns.ts';
import { departments } from './departments.ts';
import { type Classification, classifications, type SystemState, sqlList, systemStates } from './enums.ts';

/** 信息系统. `state`/`stateAt` mirror the latest transition; history lives in `transitions`. */
export const systems = pgTable(
  'systems',
  {
    ...entityColumns,
    code: text().notNull().unique('systems_code_key'),
    name: text().notNull(),
    departmentId: integer()
      .notNull()
      .references(() => departments.id),
    classification: text().$type<Classification>().notNull().default('pending'),
    state: text().$type<SystemState>().notNull().default('not_migrated'),
    stateAt: date({ mode: 'string' }),
    cloudId: integer().references(() => clouds.id),
    tenant: text(),
    evidence: text(),
    /** Set when a cloud agent saw the system's workload in the named tenant (claimed → verified). */
    verifiedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('systems_classification_check', sql`${t.classification} in (${sql.raw(sqlList(classifications))})`),
    check('systems_state_check', sql`${t.state} in (${sql.raw(sqlList(systemStates))})`),
    index('systems_department_id_idx').on(t.departmentId),
  ],
);
