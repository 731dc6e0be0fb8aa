import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { entityColumns } from './columns.ts';
import { departments } from './departments.ts';
import { type Classification, classifications, type PrivateNetworkState, privateNetworkStates, sqlList } from './enums.ts';

/** 业务专网: a department's business private network, to be folded into the extranet. */
export const privateNetworks = pgTable(
  'private_networks',
  {
    ...entityColumns,
    code: text().notNull().unique('private_networks_code_key'),
    name: text().notNull(),
    departmentId: integer()
      .notNull()
      .references(() => departments.id),
    classification: text().$type<Classification>().notNull().default('pending'),
    state: text().$type<PrivateNetworkState>().notNull().default('not_started'),
    stateAt: date({ mode: 'string' }),
    evidence: text(),
  },
  (t) => [
    check('private_networks_classification_check', sql`${t.classification} in (${sql.raw(sqlList(classifications))})`),
    check('private_networks_state_check', sql`${t.state} in (${sql.raw(sqlList(privateNetworkStates))})`),
    index('private_networks_department_id_idx').on(t.departmentId),
  ],
);
