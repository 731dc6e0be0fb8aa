/**
 * A hand-built six-month history (2020-01 … 2020-06) for the leadership tests, small enough
 * to work every score, rank and forecast out by hand:
 *
 *   migrated of 10 systems     Jan Feb Mar Apr May Jun     integrated of 10 items   Jan … Jun
 *   南宁 450100 (T-NN)           5   6   7   8   9   9                               5 … 5
 *   柳州 450200 (T-LZ)           2   2   4   6   8  10                               0 1 2 3 4 5
 *   桂林 450300 (T-GL)           4   4   4   4   4   4                               8 … 8
 *
 *   区直部门 T-P1: 1 2 3 4 4 4 of 4 systems;  T-P2: 1 1 1 2 3 4 of 5;  T-P3: nothing to measure;
 *   T-P1-SUB is a 二层机构 of T-P1 with no systems (frozen, never ranked on its own).
 *
 * The divisions are a hand-picked few (the province, three cities, one county), not all 1,410:
 * a month's snapshot then computes 12 scopes instead of 133, and the suite stays fast.
 *
 * Targets: 上云率 for every city 50% from 2020-01-01 to 100% by 2020-12-31, 柳州's own 100% by
 * 2020-06-30, every province-level department 100% by 2020-03-31; 对接完成率 for every city
 * 60% by 2020-06-30.
 */

import type { Db } from '../../src/db/client.ts';
import { regions } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { setTarget } from '../../src/leadership/targets.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';

export const actor = rootActor('test');
const today = '2021-01-01';

export const HISTORY_MONTHS = ['2020-01', '2020-02', '2020-03', '2020-04', '2020-05', '2020-06'] as const;

/** The settings the expected figures are worked out with: two indicators, equal weights, lists of one. */
export const testSettings = {
  rankingWeights: { cloud_migration: 0.5, service_integration: 0.5 },
  progressWeight: 1,
  cityListSize: 1,
  departmentListSize: 1,
  forecastMonths: 6,
  snapshotConcurrency: 3,
};

const dept = (code: string, region_code: string, parent_code: string | null = null) => ({
  code,
  name: `部门${code}`,
  region_code,
  parent_code,
  kind: 'government' as const,
  extranet_connected: false,
});

/** `dates` migrated on those days, then `never` systems never migrated. */
const systems = (department_code: string, dates: string[], never: number) =>
  [
    ...dates.map((d) => ({ state: 'migrated' as const, state_at: d })),
    ...Array.from({ length: never }, () => ({ state: 'not_migrated' as const, state_at: null })),
  ].map((s, i) => ({
    code: `${department_code}-S${i + 1}`,
    name: `系统${department_code}-${i + 1}`,
    department_code,
    classification: 'non_classified' as const,
    ...s,
  }));

const items = (department_code: string, dates: string[], never: number) =>
  [...dates, ...Array.from({ length: never }, () => null)].map((d, i) => ({
    code: `${department_code}-I${i + 1}`,
    name: `事项${department_code}-${i + 1}`,
    department_code,
    system_type: 'city' as const,
    integration_required: true,
    integrated: d !== null,
    integrated_at: d,
    service_level: 'multiple_visits' as const,
  }));

const before = (n: number) => Array.from({ length: n }, () => '2019-12-01');

/** The province, the three cities of the history and one county of 南宁. */
export const HISTORY_REGIONS = [
  { code: '450000', name: '广西壮族自治区', level: 'province', parentCode: null, path: '/450000/' },
  { code: '450100', name: '南宁市', level: 'city', parentCode: '450000', path: '/450000/450100/' },
  { code: '450200', name: '柳州市', level: 'city', parentCode: '450000', path: '/450000/450200/' },
  { code: '450300', name: '桂林市', level: 'city', parentCode: '450000', path: '/450000/450300/' },
  { code: '450102', name: '兴宁区', level: 'county', parentCode: '450100', path: '/450000/450100/450102/' },
] as const;

export async function seedHistory(db: Db): Promise<void> {
  await db.insert(regions).values([...HISTORY_REGIONS]);
  await upsertRecords(
    db,
    'departments',
    [
      dept('T-NN', '450100'),
      dept('T-LZ', '450200'),
      dept('T-GL', '450300'),
      dept('T-P1', '450000'),
      dept('T-P1-SUB', '450000', 'T-P1'),
      dept('T-P2', '450000'),
      dept('T-P3', '450000'),
    ],
    actor,
    { today },
  );
  await upsertRecords(
    db,
    'systems',
    [
      ...systems('T-NN', [...before(5), '2020-02-10', '2020-03-10', '2020-04-10', '2020-05-10'], 1),
      ...systems(
        'T-LZ',
        [...before(2), '2020-03-05', '2020-03-06', '2020-04-05', '2020-04-06', '2020-05-05', '2020-05-06', '2020-06-05', '2020-06-06'],
        0,
      ),
      ...systems('T-GL', before(4), 6),
      ...systems('T-P1', ['2020-01-15', '2020-02-15', '2020-03-15', '2020-04-15'], 0),
      ...systems('T-P2', ['2019-12-01', '2020-04-10', '2020-05-10', '2020-06-10'], 1),
    ],
    actor,
    { today },
  );
  await upsertRecords(
    db,
    'service-items',
    [
      ...items('T-NN', before(5), 5),
      ...items('T-LZ', ['2020-02-10', '2020-03-10', '2020-04-10', '2020-05-10', '2020-06-10'], 5),
      ...items('T-GL', before(8), 2),
    ],
    actor,
    { today },
  );
  for (const [indicator, scope, deadline, ratio] of [
    ['cloud_migration', 'cities', '2020-01-01', 0.5],
    ['cloud_migration', 'cities', '2020-12-31', 1],
    ['cloud_migration', '450200', '2020-06-30', 1],
    ['cloud_migration', 'departments', '2020-03-31', 1],
    ['service_integration', 'cities', '2020-06-30', '60%'],
  ] as const) {
    await setTarget(db, { indicator, scope, deadline, ratio }, actor);
  }
}
