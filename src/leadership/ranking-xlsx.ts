import { definitions, type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { loadExcel } from '../kernel/lazy-modules.ts';
import { rankingGroupLabels } from '../vocabulary/index.ts';
import { type MovedList, movementMark, type RankingWithMovement } from './ranking-movement.ts';
import { addTable, type Cell, type Column, rankedEntryCells, sheetName } from './report-sheet.ts';

/** The indicators a ranking weighs, in the indicators' order: the columns of its tables. */
export const rankedIndicators = (ranking: Pick<RankingWithMovement, 'weights'>): IndicatorKey[] =>
  indicatorKeys.filter((k) => (ranking.weights[k] ?? 0) > 0);

const percent = '0.0';
const points = '+0.0;-0.0;0.0';

function columnsOf(indicators: IndicatorKey[]): Column[] {
  return [
    { header: '名次' },
    { header: '变化' },
    { header: '上月名次' },
    { header: '代码', width: 16 },
    { header: '名称', width: 32 },
    { header: '得分', numFmt: '0.00' },
    { header: '水平', numFmt: '0.00' },
    { header: '进步(百分点)', numFmt: '+0.00;-0.00;0.00' },
    { header: '榜单', width: 10 },
    ...indicators.flatMap((k) => [
      { header: `${definitions[k].name}(%)`, numFmt: percent },
      { header: `${definitions[k].name}目标(%)`, numFmt: percent },
      { header: `${definitions[k].name}差距(百分点)`, numFmt: points },
    ]),
    { header: '说明', width: 100 },
  ];
}

/** One row per ranked entry in rank order, then the entries with nothing to measure. */
export function rankingSheetRows(list: MovedList, indicators: IndicatorKey[], previousMonth: string | null): Cell[][] {
  return [
    ...list.ranked.map((e) => [
      e.rank,
      movementMark(e, previousMonth),
      e.previous_rank,
      ...rankedEntryCells(e, list),
      ...indicators.flatMap((k) => {
        const r = e.reasons.find((x) => x.indicator === k);
        return [r?.percent ?? null, r?.target_percent ?? null, r?.gap_points ?? null];
      }),
      e.summary,
    ]),
    ...list.unranked.map((u) => [
      null,
      null,
      null,
      u.scope,
      u.name,
      null,
      null,
      null,
      '未排名',
      ...indicators.flatMap(() => [null, null, null]),
      u.reason,
    ]),
  ];
}

/** The red/black list as a workbook: a sheet per category (设区市, 区直部门), Chinese headers, numbers as numbers. */
export async function rankingXlsx(ranking: RankingWithMovement): Promise<Uint8Array> {
  const workbook = new (await loadExcel()).Workbook();
  workbook.creator = 'yunwang';
  const taken = new Set<string>();
  const indicators = rankedIndicators(ranking);
  for (const group of ['cities', 'departments'] as const) {
    const sheet = addTable(
      workbook,
      sheetName(rankingGroupLabels[group].zh, taken),
      columnsOf(indicators),
      rankingSheetRows(ranking[group], indicators, ranking.previous_month),
    );
    sheet.addRow([]);
    sheet.addRow([
      `红黑榜 ${ranking.month} · ${rankingGroupLabels[group].zh} · 数据截至 ${ranking.as_of} · 对比 ${ranking.previous_month ?? '（无上月快照）'} · 差距 = 目标 − 实际，正数为落后`,
    ]);
  }
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
