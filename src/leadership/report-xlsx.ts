import { type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { loadExcel } from '../kernel/lazy-modules.ts';
import { booleanLabels, rankingGroupLabels, rankingListLabels } from '../vocabulary/index.ts';
import type { RankedEntry, RankingList } from './ranking.ts';
import { levelNames, type SupervisionReport } from './report.ts';
import { monthTitle } from './report-format.ts';
import { addTable, type Cell, rankedEntryCells, sheetName, textColumns } from './report-sheet.ts';
import { addRectificationSheet } from './report-work-orders.ts';

const yesNo = (b: boolean | null) => (b === null ? null : booleanLabels[`${b}`].zh);
const { cities, departments } = rankingGroupLabels;

const rankingRows = (category: string, list: RankingList): Cell[][] => {
  return [
    ...list.ranked.map((e) => [category, e.rank, ...rankedEntryCells(e, list)]),
    ...list.unranked.map((u) => [category, null, u.scope, u.name, null, null, null, u.reason]),
  ];
};

const listRows = (category: string, entries: RankedEntry[]): Cell[][] =>
  entries.map((e, i) => [category, i + 1, e.rank, e.scope, e.name, e.score, e.level, e.progress, e.summary]);

/** The supervision report as a workbook: a summary, a sheet per indicator, the ranking, the red and black lists, overdue items. */
export async function supervisionXlsx(report: SupervisionReport): Promise<Uint8Array> {
  const workbook = new (await loadExcel()).Workbook();
  workbook.creator = 'yunwang';
  const taken = new Set<string>();
  const percent = '0.0';
  const points = '+0.0;-0.0;0.0';

  const province = report.indicators.map((s) => ({ section: s, row: s.rows.find((r) => r.level === 'province') }));
  const summary = addTable(
    workbook,
    sheetName('概览', taken),
    [
      { header: '指标', width: 26 },
      { header: '代码', width: 30 },
      { header: '分子' },
      { header: '分母' },
      { header: '本月(%)', numFmt: percent },
      { header: '上月(%)', numFmt: percent },
      { header: '较上月(百分点)', numFmt: points },
      { header: '目标(%)', numFmt: percent },
      { header: '差距(百分点)', numFmt: points },
      { header: '待认定' },
    ],
    province.map(({ section, row }) => [
      section.name,
      section.key,
      row?.numerator ?? null,
      row?.denominator ?? null,
      row?.percent ?? null,
      row?.previous_percent ?? null,
      row?.change_points ?? null,
      row?.target_percent ?? null,
      row?.gap_points ?? null,
      row?.pending ?? null,
    ]),
  );
  summary.addRow([]);
  summary.addRow([
    `${monthTitle(report.month)}督查通报 · 截至 ${report.as_of} · 快照第 ${report.revision} 版 · 对比 ${report.previous_month ?? '（无上月快照）'}`,
  ]);

  const sections = new Map(report.indicators.map((s) => [s.key, s]));
  for (const key of indicatorKeys) {
    const section = sections.get(key as IndicatorKey);
    if (!section) continue;
    addTable(
      workbook,
      sheetName(section.name, taken),
      [
        { header: '层级', width: 14 },
        { header: '代码', width: 16 },
        { header: '名称', width: 32 },
        { header: '分子' },
        { header: '分母' },
        { header: '比率(%)', numFmt: percent },
        { header: '待认定' },
        { header: '上月(%)', numFmt: percent },
        { header: '较上月(百分点)', numFmt: points },
        { header: '目标(%)', numFmt: percent },
        { header: '差距(百分点)', numFmt: points },
        { header: '落后目标' },
      ],
      section.rows.map((r) => [
        levelNames[r.level],
        r.scope,
        r.name,
        r.numerator,
        r.denominator,
        r.percent,
        r.pending,
        r.previous_percent,
        r.change_points,
        r.target_percent,
        r.gap_points,
        yesNo(r.behind),
      ]),
    );
  }

  // The ranking and the red and black lists show the same figures of a scope.
  const scored = [
    { header: '代码', width: 16 },
    { header: '名称', width: 32 },
    { header: '得分', numFmt: '0.00' },
    { header: '水平', numFmt: '0.00' },
    { header: '进步(百分点)', numFmt: '+0.00;-0.00;0.00' },
  ];
  const rankingColumns = [{ header: '类别', width: 12 }, { header: '名次' }, ...scored, { header: '榜单', width: 24 }];
  const listColumns = [{ header: '类别', width: 12 }, { header: '序号' }, { header: '名次' }, ...scored, { header: '理由', width: 120 }];
  addTable(workbook, sheetName('排名', taken), rankingColumns, [
    ...rankingRows(cities.zh, report.ranking.cities),
    ...rankingRows(departments.zh, report.ranking.departments),
  ]);
  for (const color of ['red', 'black'] as const) {
    addTable(workbook, sheetName(rankingListLabels[color].zh, taken), listColumns, [
      ...listRows(cities.zh, report.ranking.cities[color]),
      ...listRows(departments.zh, report.ranking.departments[color]),
    ]);
  }
  addTable(
    workbook,
    sheetName('逾期目标', taken),
    [
      { header: '层级', width: 12 },
      { header: '代码', width: 16 },
      { header: '名称', width: 32 },
      { header: '指标', width: 20 },
      { header: '期限', width: 12 },
      { header: '目标(%)', numFmt: percent },
      { header: '实际(%)', numFmt: percent },
      { header: '差距(百分点)', numFmt: points },
    ],
    report.overdue_targets.map((o) => [
      levelNames[o.level],
      o.scope,
      o.name,
      o.indicator_name,
      o.deadline,
      o.target_percent,
      o.percent,
      o.shortfall_points,
    ]),
  );
  const items = addTable(
    workbook,
    sheetName('逾期事项', taken),
    textColumns({ 范围代码: 16, 范围: 28, 指标: 16, 期限: 12, 编码: 20, 名称: 36, 所属部门: 32 }),
    report.overdue_items.map((o) => [o.scope, o.scope_name, o.indicator_name, o.deadline, o.code, o.name, o.department]),
  );
  if (report.overdue_items_total > report.overdue_items.length) {
    items.addRow([`另有 ${report.overdue_items_total - report.overdue_items.length} 项未列出 (more items not listed)`]);
  }
  addRectificationSheet(workbook, sheetName('整改工单', taken), {
    items: report.rectification_orders,
    total: report.rectification_orders_total,
  });
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
