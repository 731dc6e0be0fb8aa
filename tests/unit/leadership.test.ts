import { describe, expect, it } from 'vitest';
import { leadershipSettings, loadConfig } from '../../src/config.ts';
import { projectFullDate } from '../../src/leadership/forecast.ts';
import { addMonths, dayNumber, lastDayOf, monthRange, previousMonth } from '../../src/leadership/months.ts';
import { type RankInput, rankEntities } from '../../src/leadership/ranking.ts';
import { checkAgainst, TrajectoryIndex } from '../../src/leadership/targets.ts';
import { targetInForce } from '../../src/leadership/trajectory.ts';

describe('months', () => {
  it('knows month ends, leap years included, and walks across years', () => {
    expect(lastDayOf('2020-02')).toBe('2020-02-29');
    expect(lastDayOf('2019-02')).toBe('2019-02-28');
    expect(lastDayOf('2020-12')).toBe('2020-12-31');
    expect(previousMonth('2020-01')).toBe('2019-12');
    expect(addMonths('2019-11', 3)).toBe('2020-02');
    expect(monthRange('2019-11', '2020-02')).toEqual(['2019-11', '2019-12', '2020-01', '2020-02']);
    expect(dayNumber('2020-12-31') - dayNumber('2020-01-01')).toBe(365);
  });

  it('refuses a malformed month or a range backwards, naming the field', () => {
    expect(() => monthRange('2020-13', '2021-01')).toThrow(
      expect.objectContaining({ code: 'validation_failed', errors: [expect.objectContaining({ field: 'from' })] }),
    );
    expect(() => monthRange('2020-05', '2020-04')).toThrow(/after/);
  });
});

describe('target in force', () => {
  const points = [
    { deadline: '2021-12-31', ratio: 0.7 },
    { deadline: '2020-12-31', ratio: 0.5 },
    { deadline: '2022-12-31', ratio: 0.9 },
  ];

  it('is null before the first deadline, with the next deadline named', () => {
    expect(targetInForce(points, '2020-06-30')).toEqual({ target: null, next: { deadline: '2020-12-31', ratio: 0.5 } });
  });

  it('is the deadline ratio on the deadline itself, linear between deadlines, and the last ratio after the last', () => {
    expect(targetInForce(points, '2020-12-31').target).toBe(0.5);
    // 2021-07-02 is day 183 of the 365 between the two deadlines.
    expect(targetInForce(points, '2021-07-02').target).toBeCloseTo(0.5 + 0.2 * (183 / 365), 12);
    expect(targetInForce(points, '2021-07-02').next).toEqual({ deadline: '2021-12-31', ratio: 0.7 });
    expect(targetInForce(points, '2023-06-30')).toEqual({ target: 0.9, next: null });
    expect(targetInForce([], '2020-01-01')).toEqual({ target: null, next: null });
  });

  it('gives the gap as target − actual: positive behind, negative ahead', () => {
    const trajectory = { source: 'cities', points };
    const behind = checkAgainst(trajectory, 0.45, '2020-12-31');
    expect(behind).toMatchObject({
      target: 0.5,
      target_percent: 50,
      gap_points: 5,
      behind: true,
      next_deadline: '2020-12-31',
      source: 'cities',
    });
    expect(behind.gap).toBeCloseTo(0.05, 12);
    const ahead = checkAgainst(trajectory, 0.8, '2021-12-31');
    expect(ahead).toMatchObject({ target: 0.7, behind: false, gap_points: -10, next_deadline: '2021-12-31' });
    expect(checkAgainst(trajectory, null, '2021-12-31')).toMatchObject({ target: 0.7, gap: null, behind: null });
    expect(checkAgainst(null, 0.8, '2021-12-31')).toMatchObject({ target: null, behind: null, source: null });
  });

  it('picks a scope’s own trajectory over its group’s, and groups only for cities and province-level departments', () => {
    const index = new TrajectoryIndex([
      { indicator: 'cloud_migration', scope: 'cities', deadline: '2020-12-31', ratio: 0.8 },
      { indicator: 'cloud_migration', scope: '450200', deadline: '2020-12-31', ratio: 1 },
      { indicator: 'cloud_migration', scope: 'departments', deadline: '2020-12-31', ratio: 0.9 },
    ]);
    expect(index.for({ scope: '450100', level: 'city', provinceLevel: false }, 'cloud_migration')?.source).toBe('cities');
    expect(index.for({ scope: '450200', level: 'city', provinceLevel: false }, 'cloud_migration')?.source).toBe('450200');
    expect(index.for({ scope: '450102', level: 'county', provinceLevel: false }, 'cloud_migration')).toBeNull();
    expect(index.for({ scope: 'dept:P1', level: 'department', provinceLevel: true }, 'cloud_migration')?.source).toBe('departments');
    expect(index.for({ scope: 'dept:P1-01', level: 'department', provinceLevel: false }, 'cloud_migration')).toBeNull();
    expect(index.for({ scope: '450100', level: 'city', provinceLevel: false }, 'service_integration')).toBeNull();
  });
});

describe('forecast', () => {
  const ends = ['2020-01-31', '2020-02-29', '2020-03-31', '2020-04-30', '2020-05-31', '2020-06-30'];
  const series = (ratios: number[]) => ratios.map((ratio, i) => ({ date: ends[i] as string, ratio }));

  it('projects the date 100% is reached at the least-squares pace, from the latest point', () => {
    // Slope 0.0028270 a day over the six month ends: 0.1 to go takes 36 days.
    expect(projectFullDate(series([0.5, 0.6, 0.7, 0.8, 0.9, 0.9]))).toEqual({
      status: 'projected',
      projected_date: '2020-08-05',
      pace_points_per_month: 8.6,
      latest_ratio: 0.9,
      points_used: 6,
    });
    expect(projectFullDate(series([0, 0.1, 0.2, 0.3, 0.4, 0.5])).projected_date).toBe('2020-11-29');
    // Only the last three months: a slower pace, a later date.
    expect(projectFullDate(series([0.5, 0.6, 0.7, 0.8, 0.9, 0.9]).slice(3)).projected_date).toBe('2020-08-30');
  });

  it('says "not at current pace" when flat or falling, "reached" at 100%, and needs three points', () => {
    expect(projectFullDate(series([0.4, 0.4, 0.4, 0.4, 0.4, 0.4]))).toMatchObject({
      status: 'not_at_current_pace',
      projected_date: null,
      pace_points_per_month: 0,
    });
    expect(projectFullDate(series([0.6, 0.5, 0.4]))).toMatchObject({ status: 'not_at_current_pace', projected_date: null });
    expect(projectFullDate(series([0.2, 0.2, 0.4, 0.6, 0.8, 1]))).toMatchObject({ status: 'reached', projected_date: null });
    expect(projectFullDate(series([0.2, 0.4]))).toMatchObject({ status: 'insufficient_history', points_used: 2 });
    // A crawl that would take more than ten years is not a plan.
    expect(projectFullDate(series([0.1, 0.1001, 0.1002]))).toMatchObject({ status: 'not_at_current_pace' });
  });
});

describe('red/black list scoring', () => {
  const c = (numerator: number, denominator: number) => ({ numerator, denominator });
  const input = (scope: string, current: RankInput['current'], previous: RankInput['previous'] = null): RankInput => ({
    scope,
    name: `名${scope}`,
    current,
    previous,
    targets: {},
  });
  const rules = { weights: { cloud_migration: 0.5, service_integration: 0.5 }, progressWeight: 1, listSize: 2 };

  it('scores level + progress with renormalised weights, and breaks ties by level, progress, then code', () => {
    const list = rankEntities(
      [
        input(
          'C',
          { cloud_migration: c(4, 10), service_integration: c(8, 10) },
          { cloud_migration: c(4, 10), service_integration: c(8, 10) },
        ),
        input(
          'B',
          { cloud_migration: c(10, 10), service_integration: c(5, 10) },
          { cloud_migration: c(8, 10), service_integration: c(4, 10) },
        ),
        // Only one weighted indicator measurable: it carries the whole weight.
        input('D', { cloud_migration: c(3, 5), service_integration: c(0, 0) }, { cloud_migration: c(2, 5) }),
        input('A', { cloud_migration: c(3, 5) }, { cloud_migration: c(2, 5) }),
        input('E', { service_integration: c(0, 0) }),
      ],
      rules,
    );
    expect(list.ranked.map((e) => [e.rank, e.scope, e.score, e.level, e.progress])).toEqual([
      [1, 'B', 90, 75, 15],
      [2, 'A', 80, 60, 20],
      [3, 'D', 80, 60, 20],
      [4, 'C', 60, 60, 0],
    ]);
    expect(list.red.map((e) => e.scope)).toEqual(['B', 'A']);
    expect(list.black.map((e) => e.scope)).toEqual(['C', 'D']);
    expect(list.unranked).toEqual([{ scope: 'E', name: '名E', reason: expect.stringContaining('no weighted indicator') }]);
  });

  it('never puts an entry on both lists, and gives the same list whatever order the entries come in', () => {
    const entries = [
      input('X', { cloud_migration: c(1, 2) }),
      input('Y', { cloud_migration: c(2, 2) }),
      input('Z', { cloud_migration: c(0, 2) }),
    ];
    const one = rankEntities(entries, rules);
    expect(one.red.map((e) => e.scope)).toEqual(['Y', 'X']);
    expect(one.black.map((e) => e.scope)).toEqual(['Z']);
    expect(rankEntities([...entries].reverse(), rules)).toEqual(one);
  });

  it('writes the reasons: the figure, the target and how far behind, and the progress', () => {
    const [entry] = rankEntities(
      [
        {
          ...input('B', { cloud_migration: c(8, 10) }, { cloud_migration: c(6, 10) }),
          targets: {
            cloud_migration: checkAgainst({ source: 'cities', points: [{ deadline: '2020-06-30', ratio: 0.9 }] }, 0.8, '2020-06-30'),
          },
        },
      ],
      rules,
    ).ranked;
    expect(entry?.reasons).toEqual([
      {
        indicator: 'cloud_migration',
        name: '上云率',
        weight: 0.5,
        percent: 80,
        previous_percent: 60,
        progress_points: 20,
        target_percent: 90,
        gap_points: 10,
        behind: true,
        text: '上云率 80.0%（目标 90.0%，落后 10.0 个百分点），较上月 +20.0 个百分点',
      },
    ]);
  });
});

describe('configuration', () => {
  it('documents its defaults: the "三个100%" weighted 0.4/0.3/0.3, progress weight 1, lists of 3 and 5, six months of pace', () => {
    expect(leadershipSettings(loadConfig({}))).toEqual({
      rankingWeights: { cloud_migration: 0.4, private_network_interconnection: 0.3, service_integration: 0.3 },
      progressWeight: 1,
      cityListSize: 3,
      departmentListSize: 5,
      forecastMonths: 6,
      snapshotConcurrency: 4,
    });
  });

  it('reads weights as key=value pairs and refuses unknown indicators', () => {
    expect(loadConfig({ YUNWANG_RANKING_WEIGHTS: 'cloud_migration=1, extranet_access=0.5' }).YUNWANG_RANKING_WEIGHTS).toEqual({
      cloud_migration: 1,
      extranet_access: 0.5,
    });
    expect(() => loadConfig({ YUNWANG_RANKING_WEIGHTS: 'migration=1' })).toThrow(/YUNWANG_RANKING_WEIGHTS/);
    expect(() => loadConfig({ YUNWANG_RANKING_WEIGHTS: 'cloud_migration=0' })).toThrow(/above 0/);
    expect(() => loadConfig({ YUNWANG_FORECAST_MONTHS: '2' })).toThrow(/YUNWANG_FORECAST_MONTHS/);
  });
});
