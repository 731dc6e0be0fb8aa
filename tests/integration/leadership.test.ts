/**
 * Targets, snapshots, forecasts, the red/black list and the supervision report on the
 * hand-built six-month history of tests/helpers/leadership.ts, whose figures are worked out
 * by hand there: every score, rank, list and forecast date below is exact.
 */
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { beforeAll, expect, it } from 'vitest';
import { computeIndicators } from '../../src/indicators/service.ts';
import { forecast } from '../../src/leadership/forecast.ts';
import { freezeMonth, freezeMonths, queueMonths } from '../../src/leadership/freeze.ts';
import { frozenReport } from '../../src/leadership/frozen-figures.ts';
import { buildRanking } from '../../src/leadership/ranking.ts';
import { buildSupervisionReport } from '../../src/leadership/report.ts';
import { supervisionHtml } from '../../src/leadership/report-html.ts';
import { supervisionXlsx } from '../../src/leadership/report-xlsx.ts';
import { createSnapshotScheduler } from '../../src/leadership/scheduler.ts';
import { listSnapshots, snapshotRevisions } from '../../src/leadership/snapshots.ts';
import { listTrajectories, removeTargets, setTarget, targetStatus } from '../../src/leadership/targets.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';
import { actor, HISTORY_MONTHS, seedHistory, testSettings } from '../helpers/leadership.ts';
import { insertWorkOrder } from '../helpers/work-orders.ts';

const today = '2021-01-01';

describeEachBackend('leadership on a hand-built six-month history', (getDb) => {
  const db = () => getDb().db;
  const count = async (query: ReturnType<typeof sql>) => (await queryRows<{ n: number }>(getDb(), query))[0]?.n;

  beforeAll(async () => {
    await seedHistory(db());
  });

  it('gives, for a scope and a date, the target in force, the gap and whether it is behind', async () => {
    const nanning = await targetStatus(db(), { scope: '450100', at: '2020-06-30' });
    const cloud = nanning.indicators.find((i) => i.key === 'cloud_migration');
    // Every city: 50% on 2020-01-01 rising to 100% on 2020-12-31; 2020-06-30 is day 181 of 365.
    const inForce = 0.5 + (0.5 * 181) / 365;
    expect(cloud).toMatchObject({
      numerator: 9,
      denominator: 10,
      target_percent: 74.8,
      behind: false,
      next_deadline: '2020-12-31',
      next_target: 1,
      source: 'cities',
    });
    expect(cloud?.target).toBeCloseTo(inForce, 12);
    expect(cloud?.gap).toBeCloseTo(inForce - 0.9, 12);
    expect(cloud?.gap_to_next).toBeCloseTo(0.1, 12);
    expect(nanning.indicators.find((i) => i.key === 'service_integration')).toMatchObject({
      target: 0.6,
      gap_points: 10,
      behind: true,
      source: 'cities',
    });

    // 柳州's own trajectory wins over the cities' one; before its only deadline nothing is in force yet.
    const liuzhou = await targetStatus(db(), { scope: '450200', at: '2020-05-31' });
    expect(liuzhou.indicators.find((i) => i.key === 'cloud_migration')).toMatchObject({
      target: null,
      behind: null,
      next_deadline: '2020-06-30',
      next_target: 1,
      source: '450200',
    });
    expect((await targetStatus(db(), { scope: '450200', at: '2020-06-30' })).indicators[0]).toMatchObject({
      target: 1,
      gap: 0,
      behind: false,
    });

    const p2 = await targetStatus(db(), { scope: 'dept:T-P2', at: '2020-06-30' });
    expect(p2.indicators.find((i) => i.key === 'cloud_migration')).toMatchObject({
      target: 1,
      gap_points: 20,
      behind: true,
      source: 'departments',
      next_deadline: null,
    });
    // A 二层机构 is not a province-level department: the group's targets are not its own.
    const sub = await targetStatus(db(), { scope: 'dept:T-P1-SUB', at: '2020-06-30' });
    expect(sub.indicators.find((i) => i.key === 'cloud_migration')).toMatchObject({ target: null, source: null });
  });

  it('sets, replaces, lists and removes trajectory points, each write audited', async () => {
    const before = await count(sql`select count(*)::int as n from audit_log where entity_kind = 'target'`);
    await setTarget(db(), { indicator: 'extranet_access', scope: 'dept:T-P1', deadline: '2020-12-31', ratio: 0.7 }, actor);
    const replaced = await setTarget(
      db(),
      { indicator: 'extranet_access', scope: 'dept:T-P1', deadline: '2020-12-31', ratio: '90%', note: '文件' },
      actor,
    );
    expect(replaced.points).toEqual([{ deadline: '2020-12-31', ratio: 0.9, percent: 90, note: '文件' }]);
    // The same point again writes nothing and audits nothing.
    await setTarget(db(), { indicator: 'extranet_access', scope: 'dept:T-P1', deadline: '2020-12-31', ratio: 0.9, note: '文件' }, actor);
    const audited = await queryRows<{ action: string; before: unknown; after: { ratio: number } }>(
      getDb(),
      sql`select action, before, after from audit_log where entity_kind = 'target' order by id desc limit 2`,
    );
    expect(audited.map((a) => [a.action, a.after.ratio])).toEqual([
      ['target.set', 0.9],
      ['target.set', 0.7],
    ]);
    expect(await count(sql`select count(*)::int as n from audit_log where entity_kind = 'target'`)).toBe((before ?? 0) + 2);

    const cities = await listTrajectories(db(), { scope: 'cities' });
    expect(cities.map((t) => [t.indicator, t.scope_kind, t.points.map((p) => [p.deadline, p.percent])])).toEqual([
      [
        'cloud_migration',
        'all_cities',
        [
          ['2020-01-01', 50],
          ['2020-12-31', 100],
        ],
      ],
      ['service_integration', 'all_cities', [['2020-06-30', 60]]],
    ]);

    expect(await removeTargets(db(), { indicator: 'extranet_access', scope: 'dept:T-P1' }, actor)).toEqual({ removed: 1 });
    await expect(removeTargets(db(), { indicator: 'extranet_access', scope: 'dept:T-P1' }, actor)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await count(sql`select count(*)::int as n from audit_log where action = 'target.remove'`)).toBe(1);
  });

  it('refuses targets that cannot apply, naming the field', async () => {
    const set = (scope: string, ratio: number | string, indicator: 'cloud_migration' | 'horizontal_coverage_county' = 'cloud_migration') =>
      setTarget(db(), { indicator, scope, deadline: '2021-12-31', ratio }, actor);
    await expect(set('cities', 1.5)).rejects.toMatchObject({ code: 'validation_failed', errors: [{ field: 'ratio' }] });
    await expect(set('cities', 'seventy')).rejects.toMatchObject({ code: 'validation_failed', errors: [{ field: 'ratio' }] });
    await expect(set('450102', 0.7)).rejects.toMatchObject({ code: 'validation_failed', errors: [{ field: 'scope' }] });
    await expect(set('dept:NOPE', 0.7)).rejects.toMatchObject({ code: 'not_found', errors: [{ field: 'scope' }] });
    await expect(set('departments', 0.7, 'horizontal_coverage_county')).rejects.toMatchObject({ errors: [{ field: 'scope' }] });
  });

  it('freezes every scope as of each month end: exactly what computeIndicators gives', async () => {
    const results = await freezeMonths(db(), HISTORY_MONTHS, { actor, today, concurrency: 3 });
    expect(results.map((r) => [r.month, r.outcome, r.snapshot.as_of, r.snapshot.revision])).toEqual(
      HISTORY_MONTHS.map((m, i) => [
        m,
        'frozen',
        ['2020-01-31', '2020-02-29', '2020-03-31', '2020-04-30', '2020-05-31', '2020-06-30'][i],
        1,
      ]),
    );
    // The province, 3 cities, 1 county and 7 departments.
    expect(results[0]?.snapshot.scope_count).toBe(1 + 3 + 1 + 7);
    for (const [scope, at, month] of [
      ['450000', '2020-03-31', '2020-03'],
      ['450100', '2020-02-29', '2020-02'],
      ['450102', '2020-06-30', '2020-06'],
      ['dept:T-P1', '2020-03-31', '2020-03'],
    ] as const) {
      const { month: m, revision, frozen_at, ...frozen } = await frozenReport(db(), month, scope);
      expect([m, revision, typeof frozen_at]).toEqual([month, 1, 'string']);
      expect(frozen).toEqual(await computeIndicators(db(), { scope, at }));
    }
    expect((await frozenReport(db(), '2020-03', '450100')).indicators.find((i) => i.key === 'cloud_migration')).toMatchObject({
      numerator: 7,
      denominator: 10,
      percent: 70,
    });
    expect(await count(sql`select count(*)::int as n from audit_log where action = 'snapshot.freeze'`)).toBe(6);
  });

  it('freezing a month twice changes nothing', async () => {
    const state = async () => ({
      snapshots: await queryRows(getDb(), sql`select * from snapshots order by id`),
      figures: await count(sql`select count(*)::int as n from snapshot_figures`),
      audit: await count(sql`select count(*)::int as n from audit_log`),
    });
    const before = await state();
    const again = await freezeMonth(db(), '2020-06', { actor, today });
    expect(again.outcome).toBe('unchanged');
    expect(await freezeMonths(db(), ['2020-05', '2020-06'], { actor, today })).toMatchObject([
      { outcome: 'unchanged' },
      { outcome: 'unchanged' },
    ]);
    expect(await state()).toEqual(before);
  });

  it('refuses a month that has not ended, and a re-freeze without a reason', async () => {
    await expect(freezeMonth(db(), '2020-12', { actor, today: '2020-12-31' })).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'month' }],
    });
    await expect(freezeMonth(db(), '2020-06', { actor, today, refreeze: true })).rejects.toMatchObject({ errors: [{ field: 'reason' }] });
    await expect(freezeMonth(db(), '2020-6', { actor, today })).rejects.toMatchObject({ errors: [{ field: 'month' }] });
  });

  it('ranks cities and province-level departments: exact scores, ranks, red and black lists, reasons', async () => {
    const june = await buildRanking(db(), '2020-06', testSettings);
    expect([june.month, june.as_of, june.previous_month]).toEqual(['2020-06', '2020-06-30', '2020-05']);
    // score = level + progress; level = mean of 上云率 and 对接完成率, progress = mean change since May.
    expect(june.cities.ranked.map((e) => [e.rank, e.scope, e.score, e.level, e.progress])).toEqual([
      [1, '450200', 90, 75, 15],
      [2, '450100', 70, 70, 0],
      [3, '450300', 60, 60, 0],
    ]);
    expect(june.cities.red.map((e) => e.name)).toEqual(['柳州市']);
    expect(june.cities.black.map((e) => e.name)).toEqual(['桂林市']);
    expect(june.cities.unranked).toEqual([]);
    expect(june.cities.black[0]?.summary).toBe(
      '上云率 40.0%（目标 74.8%，落后 34.8 个百分点），较上月 +0.0 个百分点；对接完成率 80.0%（目标 60.0%，超出 20.0 个百分点），较上月 +0.0 个百分点',
    );
    // A tie at 100 goes to the higher level; the 二层机构 is not ranked, T-P3 has nothing to measure.
    expect(june.departments.ranked.map((e) => [e.rank, e.scope, e.score, e.level, e.progress])).toEqual([
      [1, 'dept:T-P1', 100, 100, 0],
      [2, 'dept:T-P2', 100, 80, 20],
    ]);
    expect(june.departments.red.map((e) => e.scope)).toEqual(['dept:T-P1']);
    expect(june.departments.black.map((e) => e.scope)).toEqual(['dept:T-P2']);
    expect(june.departments.black[0]?.reasons[0]).toMatchObject({
      indicator: 'cloud_migration',
      percent: 80,
      target_percent: 100,
      gap_points: 20,
      progress_points: 20,
    });
    expect(june.departments.unranked.map((u) => u.scope)).toEqual(['dept:T-P3']);

    // The first month has no month before it: no progress, levels alone.
    const january = await buildRanking(db(), '2020-01', testSettings);
    expect(january.previous_month).toBeNull();
    expect(january.cities.ranked.map((e) => [e.scope, e.score])).toEqual([
      ['450300', 60],
      ['450100', 50],
      ['450200', 10],
    ]);
    // The same snapshot always gives the same list.
    expect(await buildRanking(db(), '2020-06', testSettings)).toEqual(june);
    await expect(buildRanking(db(), '2020-09', testSettings)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('forecasts the date each scope reaches 100% at its recent pace, or says it will not', async () => {
    const cities = await forecast(db(), { scope: 'cities', month: '2020-06' }, 6);
    expect(cities.months).toEqual([...HISTORY_MONTHS]);
    const pick = (report: typeof cities, scope: string, indicator: string) =>
      report.scopes.find((s) => s.scope === scope)?.forecasts.find((f) => f.indicator === indicator);
    expect(pick(cities, '450100', 'cloud_migration')).toEqual({
      indicator: 'cloud_migration',
      name: '上云率',
      status: 'projected',
      projected_date: '2020-08-05',
      pace_points_per_month: 8.6,
      latest_ratio: 0.9,
      points_used: 6,
    });
    expect(pick(cities, '450100', 'service_integration')).toMatchObject({ status: 'not_at_current_pace', projected_date: null });
    expect(pick(cities, '450200', 'cloud_migration')).toMatchObject({ status: 'reached' });
    expect(pick(cities, '450200', 'service_integration')).toMatchObject({ status: 'projected', projected_date: '2020-11-29' });
    expect(pick(cities, '450300', 'cloud_migration')).toMatchObject({ status: 'not_at_current_pace' });
    // A department with nothing to measure has no points to fit.
    expect(pick(await forecast(db(), { scope: 'dept:T-P3' }, 6), 'dept:T-P3', 'cloud_migration')).toMatchObject({
      status: 'insufficient_history',
      points_used: 0,
    });

    const lastThree = await forecast(db(), { scope: '450100', month: '2020-06' }, 3);
    expect(lastThree.months).toEqual(['2020-04', '2020-05', '2020-06']);
    expect(pick(lastThree, '450100', 'cloud_migration')?.projected_date).toBe('2020-08-30');
    expect(pick(await forecast(db(), { scope: 'departments' }, 6), 'dept:T-P2', 'cloud_migration')?.projected_date).toBe('2020-08-18');
    expect(pick(await forecast(db(), { scope: '450100', month: '2020-02' }, 6), '450100', 'cloud_migration')).toMatchObject({
      status: 'insufficient_history',
      points_used: 2,
    });
  });

  it('builds the supervision report: figures, change since last month, overdue targets and items', async () => {
    // 整改工单: one of June (breached), one closed in May (left out), one fault order (left out).
    const june = await insertWorkOrder(db(), {
      createdAt: new Date('2020-06-10T02:00:00Z'),
      title: '整改：专网打通滞后',
      category: 'rectification',
      priority: 'P4',
      state: 'accepted',
      acceptedAt: new Date('2020-06-10T03:00:00Z'),
      assignee: 'T-P2',
      slaState: 'breached',
      breachedAt: new Date('2020-06-28T02:00:00Z'),
    });
    await insertWorkOrder(db(), {
      createdAt: new Date('2020-05-04T02:00:00Z'),
      category: 'rectification',
      state: 'closed',
      closedAt: new Date('2020-05-20T02:00:00Z'),
    });
    await insertWorkOrder(db(), { createdAt: new Date('2020-06-11T02:00:00Z'), category: 'fault' });
    const report = await buildSupervisionReport(db(), '2020-06', testSettings);
    expect(report.rectification_orders.map((o) => [o.code, o.title, o.department, o.state_name, o.created_at, o.sla_state_name])).toEqual([
      [june.code, '整改：专网打通滞后', '部门T-P2', '处理中', '2020-06-10 10:00', '已超时'],
    ]);
    expect(report.rectification_orders_total).toBe(1);
    expect([report.month, report.as_of, report.previous_month, report.revision]).toEqual(['2020-06', '2020-06-30', '2020-05', 1]);
    const cloud = report.indicators.find((s) => s.key === 'cloud_migration');
    expect(cloud?.rows.slice(0, 4).map((r) => [r.level, r.scope, r.percent, r.previous_percent, r.change_points])).toEqual([
      ['province', '450000', 79.5, 71.8, 7.7],
      ['city', '450100', 90, 90, 0],
      ['city', '450200', 100, 80, 20],
      ['city', '450300', 40, 40, 0],
    ]);
    // Counties, then only the province-level departments.
    expect(cloud?.rows.filter((r) => r.level === 'department').map((r) => r.scope)).toEqual(['dept:T-P1', 'dept:T-P2', 'dept:T-P3']);
    expect(report.overdue_targets.map((o) => [o.scope, o.indicator, o.deadline, o.target_percent, o.percent, o.shortfall_points])).toEqual([
      ['450100', 'service_integration', '2020-06-30', 60, 50, 10],
      ['450200', 'service_integration', '2020-06-30', 60, 50, 10],
      // Every point of a trajectory is a deadline, its starting point too.
      ['450300', 'cloud_migration', '2020-01-01', 50, 40, 10],
      ['dept:T-P2', 'cloud_migration', '2020-03-31', 100, 80, 20],
    ]);
    expect(report.overdue_items).toEqual([
      {
        scope: 'dept:T-P2',
        scope_name: '部门T-P2',
        indicator: 'cloud_migration',
        indicator_name: '上云率',
        deadline: '2020-03-31',
        code: 'T-P2-S5',
        name: '系统T-P2-5',
        department: '部门T-P2',
      },
    ]);

    const workbook = new ExcelJS.Workbook();
    // exceljs types its input as its own Buffer; the bytes are what it reads.
    await workbook.xlsx.load((await supervisionXlsx(report)).buffer as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      '概览',
      '上云率',
      '专网打通率',
      '对接完成率',
      '横向网络覆盖率（市级）',
      '横向网络覆盖率（县级）',
      '横向网络覆盖率（乡镇级）',
      '电子政务外网横向接入率',
      '数据中心整合率',
      '网上可办率',
      '最多跑一次率',
      '等保测评率',
      '灾备覆盖率',
      '排名',
      '红榜',
      '黑榜',
      '逾期目标',
      '逾期事项',
      '整改工单',
    ]);
    const row = (sheet: string, n: number) => {
      const found = workbook.getWorksheet(sheet);
      if (!found) throw new Error(`no sheet ${sheet}`);
      return (found.getRow(n).values as unknown[]).slice(1);
    };
    expect(row('概览', 2)).toEqual(['上云率', 'cloud_migration', 31, 39, 79.5, 71.8, 7.7, undefined, undefined, 0]);
    expect(row('上云率', 3)).toEqual(['设区市', '450100', '南宁市', 9, 10, 90, 0, 90, 0, 74.8, -15.2, '否']);
    expect(row('红榜', 2)).toEqual(['设区市', 1, 1, '450200', '柳州市', 90, 75, 15, report.ranking.cities.red[0]?.summary]);
    expect(row('黑榜', 3)).toEqual(['区直部门', 1, 2, 'dept:T-P2', '部门T-P2', 100, 80, 20, report.ranking.departments.black[0]?.summary]);
    expect(row('排名', 2)).toEqual(['设区市', 1, '450200', '柳州市', 90, 75, 15, '红榜']);
    expect(row('逾期目标', 5)).toEqual(['区直部门', 'dept:T-P2', '部门T-P2', '上云率', '2020-03-31', 100, 80, 20]);
    expect(row('逾期事项', 2)).toEqual(['dept:T-P2', '部门T-P2', '上云率', '2020-03-31', 'T-P2-S5', '系统T-P2-5', '部门T-P2']);
    expect(row('整改工单', 2)).toEqual([
      june.code,
      '整改：专网打通滞后',
      '部门T-P2',
      '处理中',
      '2020-06-10 10:00',
      report.rectification_orders[0]?.due_at,
      '已超时',
    ]);

    const html = supervisionHtml(report);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('2020年6月政务云网建设督查通报');
    expect(html).toContain('@media print');
    expect(html).toContain('柳州市');
    expect(html).toContain('T-P2-S5');
    expect(html).toContain('整改工单 Rectification orders');
    expect(html).toMatch(new RegExp(`<td>${june.code}</td><td class="name">整改：专网打通滞后</td><td>部门T-P2</td><td>处理中</td>`));
    // Self-contained: nothing fetched from anywhere.
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import|https?:\/\//);
  });

  it('a freeze lets other work run meanwhile (the embedded database would otherwise starve the server)', async () => {
    let finished = false;
    const freezing = freezeMonth(db(), '2020-02', { actor, today, refreeze: true, reason: 'event loop check' }).then(() => {
      finished = true;
    });
    const timerRan = new Promise<boolean>((resolve) => setTimeout(() => resolve(!finished), 0));
    expect(await timerRan).toBe(true);
    await freezing;
  });

  it('the month-end job freezes the month that just ended, once, and works off queued months', async () => {
    let now = new Date('2020-07-31T23:30:00+08:00');
    const scheduler = createSnapshotScheduler({ db: db(), intervalMs: 60_000, now: () => now });
    // Still July in the province: June is the month that last ended, and it is frozen already.
    expect(await scheduler.tick()).toEqual([]);
    now = new Date('2020-07-31T16:30:00Z'); // 00:30 on 1 August in UTC+8
    expect((await scheduler.tick()).map((r) => [r.month, r.outcome, r.snapshot.frozen_by])).toEqual([
      ['2020-07', 'frozen', 'system:snapshot-scheduler'],
    ]);
    expect(await scheduler.tick()).toEqual([]);

    expect(await queueMonths(db(), ['2019-12', '2020-06'], actor, today)).toEqual(['2019-12']);
    expect((await listSnapshots(db())).find((s) => s.month === '2019-12')?.status).toBe('pending');
    expect((await scheduler.tick()).map((r) => [r.month, r.outcome])).toEqual([['2019-12', 'frozen']]);
    expect((await listSnapshots(db())).map((s) => [s.month, s.status])).toEqual(
      ['2019-12', ...HISTORY_MONTHS, '2020-07'].map((m) => [m, 'frozen']),
    );
    await scheduler.stop();
  });

  it('a registry correction after freezing leaves the frozen month alone; re-freezing is explicit and audited', async () => {
    // 南宁's seventh system really moved on 2020-04-20, not 2020-03-10.
    await upsertRecords(
      db(),
      'systems',
      [
        {
          code: 'T-NN-S7',
          name: '系统T-NN-7',
          department_code: 'T-NN',
          classification: 'non_classified',
          state: 'migrated',
          state_at: '2020-04-20',
        },
      ],
      actor,
      { today },
    );
    const live = await computeIndicators(db(), { scope: '450100', at: '2020-03-31' });
    expect(live.indicators.find((i) => i.key === 'cloud_migration')).toMatchObject({ numerator: 6, denominator: 10 });
    expect((await frozenReport(db(), '2020-03', '450100')).indicators.find((i) => i.key === 'cloud_migration')).toMatchObject({
      numerator: 7,
    });
    expect((await freezeMonth(db(), '2020-03', { actor, today })).outcome).toBe('unchanged');
    expect((await buildRanking(db(), '2020-06', testSettings)).cities.ranked.map((e) => e.score)).toEqual([90, 70, 60]);

    const refrozen = await freezeMonth(db(), '2020-03', { actor, today, refreeze: true, reason: '南宁市补正迁移日期' });
    // 上云率 of 南宁, of its department and of the province.
    expect([refrozen.outcome, refrozen.snapshot.revision, refrozen.changed_figures, refrozen.snapshot.reason]).toEqual([
      'refrozen',
      2,
      3,
      '南宁市补正迁移日期',
    ]);
    expect((await frozenReport(db(), '2020-03', '450100')).indicators.find((i) => i.key === 'cloud_migration')).toMatchObject({
      numerator: 6,
    });
    expect((await snapshotRevisions(db(), '2020-03')).map((s) => [s.revision, s.status])).toEqual([
      [2, 'frozen'],
      [1, 'superseded'],
    ]);
    const [audit] = await queryRows<{
      actor: string;
      before: { revision: number };
      after: { reason: string; changed_figures: number; changes: { scope: string }[] };
    }>(getDb(), sql`select actor, before, after from audit_log where action = 'snapshot.refreeze' and entity_code = '2020-03'`);
    expect(audit?.before.revision).toBe(1);
    expect(audit?.after).toMatchObject({ reason: '南宁市补正迁移日期', changed_figures: 3 });
    expect(audit?.after.changes.map((c) => c.scope).sort()).toEqual(['450000', '450100', 'dept:T-NN']);
  });
});
