import type ExcelJS from 'exceljs';
import { rankingListLabels } from '../vocabulary/index.ts';
import type { RankedEntry, RankingList } from './ranking.ts';

export type Cell = string | number | null;
export interface Column {
  header: string;
  width?: number;
  numFmt?: string;
}

/** Text columns by header and width, in order. */
export const textColumns = (widths: Record<string, number>): Column[] =>
  Object.entries(widths).map(([header, width]) => ({ header, width }));

/** A sheet with a bold, frozen header row; numbers stay numbers so the figures can be summed and charted. */
export function addTable(workbook: ExcelJS.Workbook, name: string, columns: Column[], rows: Cell[][]) {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    width: c.width ?? Math.max(10, c.header.length * 2 + 2),
    style: c.numFmt ? { numFmt: c.numFmt } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow(row.map((cell) => cell ?? undefined));
  return sheet;
}

/** Excel sheet names: at most 31 characters, none of []:*?/\, unique. */
export function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);
  let candidate = base;
  for (let i = 2; taken.has(candidate); i++) candidate = `${base.slice(0, 28)}(${i})`;
  taken.add(candidate);
  return candidate;
}

/**
 * A ranked entry's own cells, as every ranking sheet writes them: code, name, score, level,
 * progress and the list it is on (红榜 / 黑榜, or none).
 */
export function rankedEntryCells(
  entry: Pick<RankedEntry, 'scope' | 'name' | 'score' | 'level' | 'progress'>,
  lists: Pick<RankingList, 'red' | 'black'>,
): Cell[] {
  const on = (side: RankedEntry[]) => side.some((e) => e.scope === entry.scope);
  const list = on(lists.red) ? rankingListLabels.red.zh : on(lists.black) ? rankingListLabels.black.zh : null;
  return [entry.scope, entry.name, entry.score, entry.level, entry.progress, list];
}
