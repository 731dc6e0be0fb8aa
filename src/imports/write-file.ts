import { stringify } from 'csv-stringify/sync';
import { loadExcel } from '../kernel/lazy-modules.ts';
import { neutraliseFormula } from '../kernel/spreadsheet-cells.ts';

/** A table ready to write: header texts, then rows of cell texts (null = empty cell). */
export interface Table {
  header: string[];
  rows: (string | null)[][];
}

/** UTF-8 with a BOM, so Excel opens Chinese text correctly; CRLF and quoting per RFC 4180. */
export function writeCsv(table: Table): Uint8Array {
  const records = [table.header, ...table.rows.map((row) => row.map((cell) => (cell === null ? '' : neutraliseFormula(cell))))];
  const text = stringify(records, { bom: true, record_delimiter: 'windows', quote_record_delimiter: true });
  return new TextEncoder().encode(text);
}

export async function writeXlsx(sheetName: string, table: Table): Promise<Uint8Array> {
  const workbook = new (await loadExcel()).Workbook();
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  // Text format on every column, so codes like 00123 and dates typed later stay as written.
  sheet.columns = table.header.map((header) => ({ header, width: Math.max(12, header.length + 4), style: { numFmt: '@' } }));
  sheet.getRow(1).font = { bold: true };
  for (const row of table.rows) sheet.addRow(row.map((cell) => cell ?? undefined));
  const buffer = await workbook.xlsx.writeBuffer();
  return new Uint8Array(buffer);
}
