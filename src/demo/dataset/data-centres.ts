/* Non-classified data centres (非涉密数据中心), drawn per department, and what they are called. */

import type { DataCentreInput } from '../../registry/kinds/data-centres.ts';
import type { Curve, Rng } from '../random.ts';
import { type Draft, drawClassification, moveTo, phaseSuffix, type Retiring, schedule } from './classified.ts';
import { countsPerDepartment, type Dept, type Level, pad } from './departments.ts';
import type { DemoKind } from './model.ts';

const names = ['数据中心', '中心机房', '备份机房'];
/** Machine rooms that by their nature stay classified (涉密). */
const classifiedNames = ['涉密机房'];

/** Province-level departments run the big rooms; cities a few; counties are left out. */
const levelShare: Partial<Record<Level, number>> = { province: 0.5, city: 0.5 };

/** Data centres at scale 1; they grow with the departments, by the square root of the scale. */
const BASE_COUNT = 32;
/** Rooms shut down outright (已关停) rather than moved: they count as done, like the consolidated ones. */
const closing: Retiring = { share: 0.12, window: ['2018-09-01', '2020-06-30'] };

/** The campaign started in mid-2018 and had about half the rooms consolidated by the demo's end. */
const consolidationCurve: Curve = [
  ['2018-06-30', 0],
  ['2018-12-31', 0.1],
  ['2019-06-30', 0.22],
  ['2019-12-31', 0.33],
  ['2020-07-31', 0.45],
];

function buildDataCentres(depts: readonly Dept[], total: number, rng: Rng): DataCentreInput[] {
  const counts = countsPerDepartment(
    depts,
    (['province', 'city'] as const).map((level) => ({
      pick: (d: Dept) => d.level === level,
      total: Math.round(total * (levelShare[level] ?? 0)),
    })),
    () => rng.range(0.5, 1.5),
  );

  const drafts: Draft<DataCentreInput>[] = [];
  depts.forEach((dept, di) => {
    for (let j = 0; j < (counts[di] ?? 0); j++) {
      // Every ninth still awaits 认定, so the figure has pending centres at any scale.
      const classification = drafts.length % 9 === 4 ? 'pending' : drawClassification(rng, 0.08, 0);
      const base = classification === 'classified' ? rng.pick(classifiedNames) : (names[j % names.length] as string);
      const phase = classification === 'classified' ? '' : phaseSuffix(Math.floor(j / names.length));
      const racks = rng.int(4, 120);
      drafts.push({
        row: {
          code: `DC${pad(drafts.length + 1, 4)}`,
          name: `${dept.row.name}${base}${phase}`,
          department_code: dept.row.code,
          region_code: dept.row.region_code,
          classification,
          state: 'in_use',
          state_at: null,
          racks: rng.chance(0.9) ? racks : null,
          floor_area_m2: rng.chance(0.8) ? Math.round(racks * rng.range(3, 8) * 10) / 10 : null,
        },
        dept,
      });
    }
  });

  schedule(
    drafts,
    {
      curve: consolidationCurve,
      retiring: closing,
      underWay: { share: 0.5, from: '2019-09-01' },
      done: moveTo('consolidated'),
      retire: moveTo('closed'),
      start: moveTo('consolidating'),
    },
    rng,
  );
  return drafts.map((d) => d.row);
}

export const dataCentreRows: DemoKind<'data-centres'> = {
  segment: 'data-centres',
  rows: ({ depts, scale }, rng) => buildDataCentres(depts, Math.round(BASE_COUNT * Math.sqrt(scale)), rng),
  rate: { indicator: 'data_centre_consolidation', done: ['consolidated', 'closed'], leaves: [] },
};
