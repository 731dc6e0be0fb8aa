import type { SnapshotLevel } from '../db/schema/enums.ts';
import type { Label } from './records.ts';
import terms from './terms.json' with { type: 'json' };

/** The levels of a month's snapshot, as the supervision report (督查通报) heads its rows. */
export const snapshotLevelLabels = terms.snapshotLevels satisfies Record<SnapshotLevel, Label>;
/** The two rankings of the 红黑榜: the cities, and separately the province-level departments. */
export const rankingGroupLabels = terms.rankingGroups satisfies Record<'cities' | 'departments', Label>;
export const rankingListLabels = terms.rankingLists satisfies Record<'red' | 'black', Label>;
