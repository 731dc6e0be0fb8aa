import { z } from '@hono/zod-openapi';
import { dataCentreStates } from '../../db/schema/enums.ts';
import { dataCentres } from '../../db/schema/index.ts';
import { dataCentreStateLabels } from '../../vocabulary/records.ts';
import { regionCode, stamps } from '../fields.ts';
import { classifiedKind } from './classified.ts';
import { kindNames, knownDepartment, knownRegion, regionColumn } from './shared.ts';
import type { RecordKind } from './types.ts';

const classified = classifiedKind(dataCentres, dataCentreStates, dataCentreStateLabels, {
  in_use: ['consolidating', 'closed'],
  consolidating: ['consolidated', 'in_use', 'closed'],
  consolidated: ['closed'],
  closed: [],
});

export const DataCentreInput = z
  .object({
    ...classified.fields,
    region_code: regionCode.openapi({ description: 'The division where the data centre stands' }),
    // Bounds far above any machine room, and within the database's integer.
    racks: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(100_000, 'must be at most 100000').nullish(),
    floor_area_m2: z
      .number()
      .min(0, 'must be 0 or more')
      .max(10_000_000, 'must be at most 10000000 m²')
      .nullish()
      .openapi({ description: 'Machine-room floor area in m²' }),
  })
  .openapi('DataCentreInput');
export type DataCentreInput = z.infer<typeof DataCentreInput>;

const DataCentre = DataCentreInput.extend(stamps).openapi('DataCentre');

/** 非涉密数据中心: a department's non-classified data centre, to be consolidated into the government cloud. */
export const dataCentresKind: RecordKind<DataCentreInput, z.infer<typeof DataCentre>> = {
  ...kindNames('data-centres', 'data_centre', 'DataCentre'),
  schemas: { input: DataCentreInput, item: DataCentre, query: classified.query() },
  ...classified.descriptor,
  columns: [
    ...classified.columns,
    regionColumn,
    { field: 'racks', alias: '机柜数', type: 'number' },
    { field: 'floor_area_m2', alias: '机房面积', type: 'number' },
  ],
  indicators: ['data_centre_consolidation'],
  loadViews: classified.loadViews<DataCentreInput>({
    region_code: dataCentres.regionCode,
    racks: dataCentres.racks,
    floor_area_m2: dataCentres.floorAreaM2,
  }),
  check: (r, refs) => [...knownDepartment(refs, r.department_code), ...knownRegion(refs, r.region_code)],
  write: classified.write<DataCentreInput>((r) => ({
    regionCode: r.region_code,
    racks: r.racks ?? null,
    floorAreaM2: r.floor_area_m2 ?? null,
  })),
};
