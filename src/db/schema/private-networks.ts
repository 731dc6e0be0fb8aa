import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { enumChecks } from './columns.ts';
import { certifiedRecordColumns, reviewQueueIndex } from './department-records.ts';
import { privateNetworkStates } from './enums.ts';

/** 业务专网: a department's business private network, to be folded into the extranet. */
export const privateNetworks = pgTable(
  'private_networks',
  {
    ...certifiedRecordColumns('private_networks', privateNetworkStates, 'not_started'),
    evidence: text(),
  },
  (t) => [
    ...enumChecks(t.classification, t.state),
    index('private_networks_department_id_idx').on(t.departmentId),
    reviewQueueIndex('private_networks', t),
  ],
);
