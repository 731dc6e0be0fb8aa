/**
 * 目标与预测: a scope's indicators month by month against their targets, on the hand-built
 * history of tests/helpers/leadership.ts frozen from 2019-06 to 2020-06 — thirteen months, so
 * 2020-06 has its 同比 and the months before 2020-06 do not. Every figure below is worked out
 * by hand from the table in that file.
 */
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { forecast } from '../../src/leadership/forecast.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import { monthRange } from '../../src/leadership/months.ts';
import { type IndicatorProgress, targetProgress } from '../../src/leadership/progress.ts';
import { apiClient } from '../helpers/api.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { actor, seedHistory } from '../helpers/leadership.ts';

const WINDOW = 6;

describeEachBackend('targets and forecasts of a scope', (getDb) => {
  const db = () => getDb().db;
  const pick = (indicators: IndicatorProgress[], key: string) => {
    const found = indicators.find((i) => i.indicator === key);
    if (!found) throw new Error(`no ${key} in ${indicators.map((i) => i.indicator).join(', ')}`);
    return found;
  };
  let app: App;
  let leader: TestCaller;
  let department: TestCaller;
  let screen: TestCaller;

  beforeAll(async () => {
    await seedHistory(db());
    await freezeMonths(db(), monthRange('2019-06', '2020-06'), { actor });
    app = createApp({
      database: getDb(),
      config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_FORECAST_MONTHS: WINDOW },
    });
    leader = await callerWith(db(), ['leader']);
    department = await callerWith(db(), ['department'], { department: 'T-NN' });
    screen = await callerWith(db(), ['screen']);
  });

  it('lists each month with its target, gap, 环比 and 同比 (only where the months compared are frozen)', async () => {
    const nanning = await targetProgress(db(), { scope: '450100' }, WINDOW);
    expect(nanning).toMatchObject({ scope: '450100', scope_name: '南宁市', month: '2020-06', as_of: '2020-06-30', from: '2019-06' });
    const cloud = pick(nanning.indicators, 'cloud_migration');
    expect(cloud.months.map((m) => m.month)).toEqual(monthRange('2019-06', '2020-06'));
    expect(cloud.target_source).toBe('cities');
    expect(cloud.target_points).toEqual([
      { deadline: '2020-01-01', percent: 50 },
      { deadline: '2020-12-31', percent: 100 },
    ]);
    expect(cloud.full_target_deadline).toBe('2020-12-31');
    // Five systems moved on 2019-12-01: none migrated in June 2019, nine of ten in June 2020.
    expect(cloud.latest).toEqual({
      month: '2020-06',
      as_of: '2020-06-30',
      numerator: 9,
      denominator: 10,
      ratio: 0.9,
      percent: 90,
      target_percent: 74.8,
      gap_points: -15.2,
      mom_points: 0,
      yoy_points: 90,
    });
    const byMonth = new Map(cloud.months.map((m) => [m.month, m]));
    // Before the first deadline no target is in force; 2019-05 is not frozen, so 2020-05 has no 同比.
    expect(byMonth.get('2019-06')).toMatchObject({
      percent: 0,
      target_percent: null,
      gap_points: null,
      mom_points: null,
      yoy_points: null,
    });
    expect(byMonth.get('2019-12')).toMatchObject({ percent: 50, mom_points: 50, yoy_points: null });
    expect(byMonth.get('2020-05')).toMatchObject({ percent: 90, mom_points: 10, yoy_points: null });
  });

  it('forecasts the date of 100% with the method stated, as GET /api/v1/forecasts does, and against the 100% deadline', async () => {
    const nanning = await targetProgress(db(), { scope: '450100' }, WINDOW);
    const cloud = pick(nanning.indicators, 'cloud_migration');
    const official = (await forecast(db(), { scope: '450100' }, WINDOW)).scopes[0]?.forecasts.find(
      (f) => f.indicator === 'cloud_migration',
    );
    expect(cloud.forecast).toEqual({
      status: 'projected',
      projected_date: official?.projected_date,
      pace_points_per_month: official?.pace_points_per_month,
      latest_ratio: 0.9,
      points_used: 6,
      method: { name: 'least_squares_linear', fitted_from: '2020-01', fitted_to: '2020-06', window: WINDOW },
      // 2020-08-05 is 148 days before the cities' 100% deadline of 2020-12-31.
      days_after_target: -148,
    });
    expect(cloud.forecast.projected_date).toBe('2020-08-05');

    // 柳州 has its own trajectory and is at 100% already.
    const liuzhou = pick((await targetProgress(db(), { scope: '450200' }, WINDOW)).indicators, 'cloud_migration');
    expect(liuzhou).toMatchObject({ target_source: '450200', full_target_deadline: '2020-06-30' });
    expect(liuzhou.forecast).toMatchObject({ status: 'reached', projected_date: null, days_after_target: null });

    // T-P2 was due at 100% by 2020-03-31; at its pace it gets there on 2020-08-18, 140 days late.
    const p2 = pick((await targetProgress(db(), { scope: 'dept:T-P2' }, WINDOW)).indicators, 'cloud_migration');
    expect(p2).toMatchObject({ target_source: 'departments', full_target_deadline: '2020-03-31' });
    expect(p2.latest).toMatchObject({ percent: 80, target_percent: 100, gap_points: 20 });
    expect(p2.forecast).toMatchObject({ status: 'projected', projected_date: '2020-08-18', days_after_target: 140 });

    // An earlier month: the months listed and the fit both stop there.
    const march = await targetProgress(db(), { scope: '450100', month: '2020-03' }, WINDOW);
    const marchCloud = pick(march.indicators, 'cloud_migration');
    expect(marchCloud.months.at(-1)?.month).toBe('2020-03');
    expect(marchCloud.forecast.method).toMatchObject({ fitted_from: '2019-10', fitted_to: '2020-03' });
  });

  it('answers over HTTP for the readers of targets, problem+json for a bad scope or month, 403 for the others', async () => {
    const as = (caller: TestCaller) => apiClient(app, { callerFor: () => caller });
    const answer = await as(leader).send('GET', '/api/v1/targets/progress?scope=450100');
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual(JSON.parse(JSON.stringify(await targetProgress(db(), { scope: '450100' }, WINDOW))));

    const unknown = await as(leader).send('GET', '/api/v1/targets/progress?scope=459999');
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');
    expect(unknown.text).toContain('459999');
    const notFrozen = await as(leader).send('GET', '/api/v1/targets/progress?scope=450100&month=2020-09');
    expect(notFrozen.status).toBe(404);
    expect(notFrozen.text).toContain('2020-09 is not frozen');
    const badMonth = await as(leader).send('GET', '/api/v1/targets/progress?scope=450100&month=2020-13');
    expect(badMonth.status).toBe(422);

    for (const caller of [department, screen]) {
      expect((await as(caller).send('GET', '/api/v1/targets/progress?scope=dept:T-NN')).status).toBe(403);
    }
  });
});
