import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { AppError } from '../kernel/errors.ts';
import { excerpt, importLimits } from './limits.ts';
import { workbookInput } from './workbook-input.ts';
import { assertSafeZip } from './zip-guard.ts';

/**
 * A spreadsheet row reduced to trimmed cell texts, whatever the file format was.
 * `null` is an empty cell; every row keeps the number a spreadsheet program shows for it,
 * so errors point at the right line.
 */
export interface GridRow {
  rowNumber: number;
  cells: (string | null)[];
}

/**
 * The file's rows one at a time, read as a stream, so that a large file never sits in
 * memory twice and the caller can yield between rows. Blank rows are skipped; a row with a
 * value beyond the column bound ends the file's reading with a refusal.
 */
export async function* readGridRows(data: Uint8Array, format: 'csv' | 'xlsx'): AsyncGenerator<GridRow> {
  const rows = format === 'csv' ? csvRows(data) : xlsxRows(data);
  for await (const row of rows) {
    const cells = withoutTrailingBlanks(row.cells);
    if (cells.length === 0) continue;
    if (cells.length > importLimits.columns) {
      throw new AppError('import_rejected', 'the file has more columns than any kind of record', [
        {
          field: 'file',
          row: row.rowNumber,
          message: `row ${row.rowNumber} has ${cells.length} columns; a file may have at most ${importLimits.columns}`,
        },
      ]);
    }
    yield { rowNumber: row.rowNumber, cells };
  }
}

function withoutTrailingBlanks(cells: (string | null)[]): (string | null)[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === null) end--;
  return end === cells.length ? cells : cells.slice(0, end);
}

/** Text is decoded and parsed a chunk at a time; csv-parse's stream answers record by record. */
const csvChunkBytes = 64 * 1024;

async function* csvRows(data: Uint8Array): AsyncGenerator<GridRow> {
  const parser = parse({
    // Ragged rows are normal in hand-edited files; the header decides what each column means.
    relax_column_count: true,
    relax_quotes: true,
    // Bounds the memory one unterminated quote can take.
    max_record_size: importLimits.columns * importLimits.cellChars * 10,
  });
  const source = Readable.from(decodedChunks(data));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let rowNumber = 0;
  try {
    // CSV records map one-to-one onto spreadsheet rows, even those holding quoted newlines.
    for await (const record of parser) {
      rowNumber++;
      yield { rowNumber, cells: (record as string[]).map(csvCellText) };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('bad_request', `the CSV file cannot be read near row ${rowNumber + 1}: ${excerpt(reason)}`);
  } finally {
    source.destroy();
    parser.destroy();
  }
}

function* decodedChunks(data: Uint8Array): Generator<string> {
  // The default decoder drops a leading BOM, so files with and without one read the same.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for (let at = 0; at < data.length; at += csvChunkBytes) {
      yield decoder.decode(data.subarray(at, at + csvChunkBytes), { stream: true });
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new AppError(
      'bad_request',
      'the CSV file is not UTF-8 text; in Excel save it as "CSV UTF-8 (逗号分隔)" or upload the XLSX instead',
    );
  }
}

async function* xlsxRows(data: Uint8Array): AsyncGenerator<GridRow> {
  const input = workbookInput(data, await assertSafeZip(data));
  // Styles tell which numbers are dates; hyperlinks and other parts are not needed.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', styles: 'cache', worksheets: 'emit' });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const cells: (string | null)[] = [];
        row.eachCell((cell, column) => {
          // Cells beyond the bound are counted, not read: the row is refused anyway.
          if (column > importLimits.columns + 1) cells[column - 1] = cell.value == null ? null : '';
          else cells[column - 1] = xlsxCellText(cell.value);
        });
        yield { rowNumber: row.number, cells: Array.from(cells, (cell) => cell ?? null) };
      }
      // Only the first sheet holds the records.
      break;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    // The caller learns only that the file is unreadable; the parser's reason is for the operator.
    console.warn(`an uploaded XLSX was unreadable: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
    throw new AppError('bad_request', 'the file is not a readable XLSX workbook');
  } finally {
    input.destroy();
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
