/**
 * The leadership API over HTTP (`app.request`, no port) on the hand-built six-month history:
 * targets, snapshots, series, forecasts, the red/black list, the supervision report, the
 * /metrics target gauges, problem+json errors and the OpenAPI document.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { beforeAll, expect, it, vi } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import { targetSampleSource } from '../../src/leadership/metrics.ts';
import { setTarget } from '../../src/leadership/targets.ts';
import { apiClient, type Json } from '../helpers/api.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';
import { actor, HISTORY_MONTHS, seedHistory } from '../helpers/leadership.ts';

const config = {
  YUNWANG_BODY_LIMIT_BYTES: 1048576,
  YUNWANG_IMPORT_LIMIT_BYTES: 67108864,
  YUNWANG_RANKING_WEIGHTS: { cloud_migration: 0.5, service_integration: 0.5 },
  YUNWANG_RANKING_CITY_LIST_SIZE: 1,
  YUNWANG_RANKING_DEPARTMENT_LIST_SIZE: 1,
};

describeEachBackend('leadership API', (getDb) => {
  let app: App;
  let reviewer: TestCaller;
  let leader: TestCaller;

  /** Reads as the leader, writes as the reviewer. */
  const call = (method: string, path: string, json?: unknown) =>
    apiClient(app, { callerFor: (m) => (m === 'GET' ? leader : reviewer) }).send(method, path, json);
  const ok = async (method: string, path: string, json?: unknown) => {
    const a = await call(method, path, json);
    expect(a.status, a.text).toBe(200);
    return a;
  };
  const problem = async (method: string, path: string, status: number, json?: unknown) => {
    const a = await call(method, path, json);
    expect(a.status, a.text).toBe(status);
    expect(a.type).toContain('application/problem+json');
    expect(a.body.requestId).toEqual(expect.any(String));
    return ((a.body.errors ?? []) as { field: string }[]).map((e) => e.field);
  };

  beforeAll(async () => {
    await seedHistory(getDb().db);
    await freezeMonths(getDb().db, HISTORY_MONTHS.slice(0, 5), { actor });
    app = createApp({ database: getDb(), config });
    // Real callers: a reviewer sets targets and freezes months; a leader reads.
    reviewer = await callerWith(getDb().db, ['reviewer']);
    leader = await callerWith(getDb().db, ['leader']);
  });

  it('sets, lists, checks and removes targets', async () => {
    const set = await ok('PUT', '/api/v1/targets', {
      indicator: 'private_network_interconnection',
      scope: '450000',
      deadline: '2021-12-31',
      ratio: '70%',
    });
    expect(set.body).toMatchObject({
      indicator: 'private_network_interconnection',
      scope: '450000',
      scope_kind: 'province',
      points: [{ deadline: '2021-12-31', ratio: 0.7, percent: 70 }],
    });
    const list = await ok('GET', '/api/v1/targets?scope=450000');
    expect((list.body.items as Json[]).map((t) => t.indicator)).toEqual(['private_network_interconnection']);

    const status = await ok('GET', '/api/v1/targets/status?scope=450100&at=2020-06-30');
    expect((status.body.indicators as Json[]).find((i) => i.key === 'service_integration')).toMatchObject({
      target: 0.6,
      gap_points: 10,
      behind: true,
    });

    expect((await ok('DELETE', '/api/v1/targets?indicator=private_network_interconnection&scope=450000')).body).toEqual({ removed: 1 });
    await problem('DELETE', '/api/v1/targets?indicator=private_network_interconnection&scope=450000', 404);
    expect(
      await problem('PUT', '/api/v1/targets', 422, { indicator: 'cloud_migration', scope: 'cities', deadline: '2021-02-30', ratio: 2 }),
    ).toEqual(['deadline', 'ratio']);
    expect(
      await problem('PUT', '/api/v1/targets', 422, { indicator: 'cloud_migration', scope: '450102', deadline: '2021-12-31', ratio: 1 }),
    ).toEqual(['scope']);
    expect(await problem('GET', '/api/v1/targets?indicator=nope', 422)).toEqual(['indicator']);
  });

  it('freezes a month once, refuses a re-freeze without a reason, and serves what it froze', async () => {
    const first = await ok('POST', '/api/v1/snapshots', { month: '2020-06' });
    expect(first.body).toMatchObject({
      month: '2020-06',
      outcome: 'frozen',
      snapshot: { revision: 1, as_of: '2020-06-30', frozen_by: reviewer.name },
    });
    expect((await ok('POST', '/api/v1/snapshots', { month: '2020-06' })).body).toMatchObject({ outcome: 'unchanged' });
    expect(await problem('POST', '/api/v1/snapshots', 422, { month: '2020-06', refreeze: true })).toEqual(['reason']);
    expect(await problem('POST', '/api/v1/snapshots', 422, { month: '2099-01' })).toEqual(['month']);
    expect(await problem('POST', '/api/v1/snapshots', 422, { month: 'June' })).toEqual(['month']);

    const list = await ok('GET', '/api/v1/snapshots');
    expect((list.body.items as Json[]).map((s) => [s.month, s.status])).toEqual(HISTORY_MONTHS.map((m) => [m, 'frozen']));
    expect(((await ok('GET', '/api/v1/snapshots/2020-06')).body.revisions as Json[]).map((r) => r.revision)).toEqual([1]);
    await problem('GET', '/api/v1/snapshots/2020-09', 404);

    const frozen = (await ok('GET', '/api/v1/snapshots/2020-06/figures?scope=450100')).body;
    const live = (await ok('GET', '/api/v1/indicators?scope=450100&at=2020-06-30')).body;
    const { month, revision, frozen_at, ...figures } = frozen;
    expect([month, revision]).toEqual(['2020-06', 1]);
    expect(figures).toEqual(live);

    const series = await ok('GET', '/api/v1/snapshots/series?scope=450100&indicator=cloud_migration&from=2020-02');
    expect((series.body.points as Json[]).map((p) => [p.month, p.percent])).toEqual([
      ['2020-02', 60],
      ['2020-03', 70],
      ['2020-04', 80],
      ['2020-05', 90],
      ['2020-06', 90],
    ]);
  });

  it('answers forecasts and the red/black list from the snapshots', async () => {
    const forecast = await ok('GET', '/api/v1/forecasts?scope=450100');
    expect(forecast.body.month).toBe('2020-06');
    const [nanning] = forecast.body.scopes as { forecasts: Json[] }[];
    expect(nanning?.forecasts.find((f) => f.indicator === 'cloud_migration')).toMatchObject({
      status: 'projected',
      projected_date: '2020-08-05',
    });
    await problem('GET', '/api/v1/forecasts?scope=450999', 404);

    const ranking = await ok('GET', '/api/v1/ranking?month=2020-06');
    const cities = ranking.body.cities as { ranked: Json[]; red: Json[]; black: Json[] };
    expect(cities.ranked.map((e) => [e.rank, e.scope, e.score])).toEqual([
      [1, '450200', 90],
      [2, '450100', 70],
      [3, '450300', 60],
    ]);
    expect([cities.red.map((e) => e.name), cities.black.map((e) => e.name)]).toEqual([['柳州市'], ['桂林市']]);
    expect(ranking.body.weights).toEqual({ cloud_migration: 0.5, service_integration: 0.5 });
    expect(await problem('GET', '/api/v1/ranking?month=2020-6', 422)).toEqual(['month']);
    await problem('GET', '/api/v1/ranking?month=2020-12', 404);
  });

  it('serves the supervision report as XLSX and as a printable page', async () => {
    const xlsx = await ok('GET', '/api/v1/reports/supervision?month=2020-06&format=xlsx');
    expect(xlsx.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers.get('content-disposition')).toContain('supervision-2020-06.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes.buffer);
    expect(workbook.getWorksheet('红榜')?.getRow(2).getCell(5).value).toBe('柳州市');

    const html = await ok('GET', '/api/v1/reports/supervision?month=2020-06&format=html');
    expect(html.type).toContain('text/html');
    expect(html.text).toContain('2020年6月政务云网建设督查通报');
    await problem('GET', '/api/v1/reports/supervision?month=2020-06&format=pdf', 422);
    await problem('GET', '/api/v1/reports/supervision?month=2019-06', 404);
    // Each download is on the audit trail: who took which month's report, in which format.
    const downloads = await queryRows<{ entity_code: string; after: unknown }>(
      getDb(),
      sql`select entity_code, after from audit_log where actor = ${leader.name} and action = 'report.download' order by id`,
    );
    expect(downloads).toEqual([
      { entity_code: '2020-06', after: { month: '2020-06', format: 'xlsx' } },
      { entity_code: '2020-06', after: { month: '2020-06', format: 'html' } },
    ]);
  });

  it('exposes the target and gap gauges for the province and the cities, from a short-lived cache', async () => {
    const metrics = await ok('GET', '/metrics');
    expect(metrics.type).toContain('text/plain');
    // Today is long after 2020-12-31: every city's 上云率 target is 100%; 南宁 stands at 90%.
    expect(metrics.text).toContain('yunwang_target_ratio{indicator="cloud_migration",region="450100"} 1');
    expect(metrics.text).toMatch(/yunwang_target_gap_ratio\{indicator="cloud_migration",region="450100"\} 0\.0999/);
    expect(metrics.text).toContain('yunwang_target_ratio{indicator="service_integration",region="450300"} 0.6');
    // The runtime defaults are there (issue 19), less the gauges promtool rejects.
    expect(metrics.text).toMatch(/^process_cpu_seconds_total /m);
    expect(metrics.text).not.toMatch(/^nodejs_active_\w+_total/m);
    // Labels from allow-lists: the province and the cities, never a county or a department.
    const regions = new Set([...metrics.text.matchAll(/^yunwang_target_\w+\{[^}]*region="([^"]*)"/gm)].map((m) => m[1]));
    expect([...regions].every((r) => /^45\d\d00$/.test(r ?? ''))).toBe(true);
    // The cities' targets apply to the three cities; the province has none in this history.
    expect([...regions].sort()).toEqual(['450100', '450200', '450300']);
    if (existsSync('/usr/bin/promtool')) {
      execFileSync('/usr/bin/promtool', ['check', 'metrics'], { input: metrics.text });
    }

    let now = new Date('2021-06-30T12:00:00Z');
    const source = targetSampleSource(getDb().db, { ttlMs: 30_000, now: () => now });
    const target = async () =>
      (await source.targetSamples()).find((s) => s.region === '450100' && s.indicator === 'cloud_migration')?.target;
    expect(await target()).toBe(1);
    await setTarget(getDb().db, { indicator: 'cloud_migration', scope: 'cities', deadline: '2020-12-31', ratio: 0.95 }, actor);
    expect(await target()).toBe(1);
    // Past the 30 s the scrape still gets the samples it has, and starts their refresh behind it.
    now = new Date('2021-06-30T12:00:31Z');
    expect(await target()).toBe(1);
    await vi.waitFor(async () => expect(await target()).toBe(0.95));
  });

  it('documents every leadership route in the OpenAPI document', async () => {
    const paths = Object.keys((await ok('GET', '/openapi.json')).body.paths as Json);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/targets',
        '/api/v1/targets/status',
        '/api/v1/snapshots',
        '/api/v1/snapshots/series',
        '/api/v1/snapshots/{month}',
        '/api/v1/snapshots/{month}/figures',
        '/api/v1/forecasts',
        '/api/v1/ranking',
        '/api/v1/reports/supervision',
      ]),
    );
  });
});
