import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { clouds } from './clouds.ts';
import { enumChecks, instant } from './columns.ts';
import { certifiedRecordColumns } from './department-records.ts';
import { systemStates } from './enums.ts';

/** 信息系统. `state`/`stateAt` mirror the latest transition; history lives in `transitions`. */
export const systems = pgTable(
  'systems',
  {
    ...certifiedRecordColumns('systems', systemStates, 'not_migrated'),
    cloudId: integer().references(() => clouds.id),
    tenant: text(),
    evidence: text(),
    /** Set when a cloud agent saw the system's workload in the named tenant (claimed → verified). */
    verifiedAt: instant(),
  },
  (t) => [...enumChecks(t.classification, t.state), index('systems_department_id_idx').on(t.departmentId)],
);
