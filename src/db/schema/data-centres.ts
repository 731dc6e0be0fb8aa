import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, pgTable } from 'drizzle-orm/pg-core';
import { enumChecks, requiredCode } from './columns.ts';
import { certifiedRecordColumns, reviewQueueIndex } from './department-records.ts';
import { dataCentreStates } from './enums.ts';
import { regions } from './regions.ts';

/** 非涉密数据中心: a department's data centre (machine room), to be consolidated into the government cloud. */
export const dataCentres = pgTable(
  'data_centres',
  {
    ...certifiedRecordColumns('data_centres', dataCentreStates, 'in_use'),
    /** The division where the centre stands (its owner may sit elsewhere). */
    regionCode: requiredCode(() => regions.code),
    racks: integer(),
    floorAreaM2: doublePrecision('floor_area_m2'),
  },
  (t) => [
    ...enumChecks(t.classification, t.state),
    check('data_centres_racks_check', sql`${t.racks} is null or ${t.racks} >= 0`),
    check('data_centres_floor_area_m2_check', sql`${t.floorAreaM2} is null or ${t.floorAreaM2} >= 0`),
    index('data_centres_department_id_idx').on(t.departmentId),
    reviewQueueIndex('data_centres', t),
    index('data_centres_region_code_idx').on(t.regionCode),
  ],
);
