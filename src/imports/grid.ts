import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type ExcelJS from 'exceljs';
import { AppError } from '../kernel/errors.ts';
import { loadExcel } from '../kernel/lazy-modules.ts';
import { excerpt, importLimits } from './limits.ts';
import { workbookInput } from './workbook-input.ts';
import { assertSafeZip } from './zip-guard.ts';

/**
 * An uploaded file: its bytes, or (a large upload, streamed to disk as it arrived) its path.
 * A CSV on disk is read as a stream; a workbook is read whole, its zip guard needing the archive.
 */
export type FileSource = Uint8Array | { path: string };

/**
 * A workbook's bytes. Its zip guard reads the archive in memory, so a workbook on disk is read
 * whole — no larger than all its parts may inflate to, or it is surely not a spreadsheet.
 */
async function bytesOf(source: FileSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  const { size } = await stat(source.path);
  if (size > importLimits.xlsxInflatedBytes) {
    throw new AppError(
      'payload_too_large',
      `the workbook is ${size} bytes, more than a workbook is read (${importLimits.xlsxInflatedBytes}); upload it as CSV, which has no such bound`,
    );
  }
  return new Uint8Array(await readFile(source.path));
}

/** The first bytes of a file, enough to tell a zip from text. */
async function headOf(source: FileSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source.subarray(0, sniffBytes);
  const handle = await open(source.path, 'r');
  try {
    const head = new Uint8Array(sniffBytes);
    const { bytesRead } = await handle.read(head, 0, sniffBytes, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const sniffBytes = 8192;

/** The format the bytes themselves show: XLSX is a zip; text without NUL bytes is taken as CSV. */
export async function sniffSource(source: FileSource): Promise<'csv' | 'xlsx' | null> {
  return sniffFormat(await headOf(source));
}

/** The same, from the first bytes. */
export function sniffFormat(data: Uint8Array): 'csv' | 'xlsx' | null {
  if (data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04) return 'xlsx';
  if (data.length === 0) return null;
  return data.subarray(0, sniffBytes).includes(0) ? null : 'csv';
}

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
export async function* readGridRows(data: FileSource, format: 'csv' | 'xlsx'): AsyncGenerator<GridRow> {
  const rows = format === 'csv' ? csvRows(data) : xlsxRows(await bytesOf(data));
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

async function* csvRows(data: FileSource): AsyncGenerator<GridRow> {
  const parser = parse({
    // Ragged rows are normal in hand-edited files; the header decides what each column means.
    relax_column_count: true,
    relax_quotes: true,
    // Bounds the memory one unterminated quote can take.
    max_record_size: importLimits.columns * importLimits.cellChars * 10,
  });
  const source = Readable.from(
    decodedChunks(data instanceof Uint8Array ? byteChunks(data) : createReadStream(data.path, { highWaterMark: csvChunkBytes })),
  );
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

function* byteChunks(data: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < data.length; at += csvChunkBytes) yield data.subarray(at, at + csvChunkBytes);
}

async function* decodedChunks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<string> {
  // The default decoder drops a leading BOM, so files with and without one read the same.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new AppError(
        'bad_request',
        'the CSV file is not UTF-8 text; in Excel save it as "CSV UTF-8 (逗号分隔)" or upload the XLSX instead',
      );
    }
  };
  for await (const chunk of chunks) yield decode(chunk);
  const rest = decode();
  if (rest) yield rest;
}

async function* xlsxRows(data: Uint8Array): AsyncGenerator<GridRow> {
  const input = workbookInput(data, await assertSafeZip(data));
  // Styles tell which numbers are dates; hyperlinks and other parts are not needed.
  const Excel = await loadExcel();
  const reader = new Excel.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', styles: 'cache', worksheets: 'emit' });
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
