import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { AppError } from '../http/errors.ts';

/**
 * A spreadsheet reduced to trimmed cell texts, whatever the file format was.
 * `null` is an empty cell; blank rows are dropped but every row keeps the number a
 * spreadsheet program shows for it, so errors point at the right line.
 */
export interface GridRow {
  rowNumber: number;
  cells: (string | null)[];
}

export interface Grid {
  /** Row 1, or null when the file holds nothing at all. */
  header: GridRow | null;
  rows: GridRow[];
}

/** More rows than any department registers; beyond it the file is surely a mistake. */
export const MAX_IMPORT_ROWS = 200_000;

export function readCsvGrid(data: Uint8Array): Grid {
  const records = parseCsvRecords(decodeUtf8(data));
  // CSV records map one-to-one onto spreadsheet rows, even those holding quoted newlines.
  return toGrid(records.map((record, i) => ({ rowNumber: i + 1, cells: record.map(csvCellText) })));
}

export async function readXlsxGrid(data: Uint8Array): Promise<Grid> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its input as its own ArrayBuffer-like Buffer; a Node Buffer is what it reads.
    await workbook.xlsx.load(Buffer.from(data.buffer, data.byteOffset, data.byteLength) as unknown as ArrayBuffer);
  } catch {
    throw new AppError('bad_request', 'the file is not a readable XLSX workbook');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return { header: null, rows: [] };
  assertRowCount(sheet.rowCount - 1);

  const rows: GridRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: (string | null)[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(xlsxCellText(row.getCell(c).value));
    rows.push({ rowNumber, cells });
  });
  return toGrid(rows);
}

function toGrid(rows: GridRow[]): Grid {
  const first = rows[0];
  const header = first && first.rowNumber === 1 && !isBlank(first) ? first : null;
  const data = rows.filter((row) => row.rowNumber > 1 && !isBlank(row));
  assertRowCount(data.length);
  return { header, rows: data };
}

function isBlank(row: GridRow): boolean {
  return row.cells.every((cell) => cell === null);
}

function assertRowCount(count: number): void {
  if (count > MAX_IMPORT_ROWS) {
    throw new AppError(
      'payload_too_large',
      `the file has ${count} data rows; at most ${MAX_IMPORT_ROWS} can be imported at once — split it into smaller files`,
    );
  }
}

function decodeUtf8(data: Uint8Array): string {
  try {
    // The default decoder drops a leading BOM, so files with and without one read the same.
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new AppError(
      'bad_request',
      'the CSV file is not UTF-8 text; in Excel save it as "CSV UTF-8 (逗号分隔)" or upload the XLSX instead',
    );
  }
}

function parseCsvRecords(text: string): string[][] {
  try {
    // Ragged rows are normal in hand-edited files; the header decides what each column means.
    return parse(text, { relax_column_count: true, relax_quotes: true }) as string[][];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('bad_request', `the CSV file cannot be read: ${reason}`);
  }
}

/** Undoes the `'` our exporter puts before formula-like text (see `guardCsvFormula`). */
const guardedFormula = /^'['=+\-@]/;

function csvCellText(raw: string): string | null {
  const text = raw.trim();
  if (text === '') return null;
  return guardedFormula.test(text) ? text.slice(1) : text;
}

/** Protects a text value from being run as a formula when the CSV is opened in Excel. */
export function guardCsvFormula(text: string): string {
  return /^['=+\-@]/.test(text) ? `'${text}` : text;
}

function xlsxCellText(value: ExcelJS.CellValue): string | null {
  const text = xlsxRawText(value)?.trim();
  return text ? text : null;
}

function xlsxRawText(value: ExcelJS.CellValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  // A number is read as the text it shows unformatted, so codes typed as numbers survive.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return utcDate(value);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('hyperlink' in value) return value.text;
  if ('error' in value) return value.error;
  // Formula cells (plain or shared): the cached result is what the user sees.
  return value.result === undefined ? null : xlsxRawText(value.result);
}

/** exceljs builds dates from the serial number as UTC, so the UTC fields are the calendar day. */
function utcDate(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString().slice(0, 10);
}
