import type { SnapshotLevel } from '../db/schema/enums.ts';
import type { Label } from './records.ts';

/** The levels of a month's snapshot, as the supervision report (督查通报) heads its rows. */
export const snapshotLevelLabels = {
  province: { zh: '全区', en: 'whole region' },
  city: { zh: '设区市', en: 'city' },
  county: { zh: '县（市、区）', en: 'county' },
  department: { zh: '区直部门', en: 'province-level department' },
} as const satisfies Record<SnapshotLevel, Label>;

/** The two rankings of the 红黑榜: the cities, and separately the province-level departments. */
export const rankingGroupLabels = {
  cities: { zh: snapshotLevelLabels.city.zh, en: 'cities' },
  departments: { zh: snapshotLevelLabels.department.zh, en: 'province-level departments' },
} as const satisfies Record<'cities' | 'departments', Label>;

export const rankingListLabels = {
  red: { zh: '红榜', en: 'red list' },
  black: { zh: '黑榜', en: 'black list' },
} as const satisfies Record<'red' | 'black', Label>;
