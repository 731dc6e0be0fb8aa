import { AppError, type FieldError } from '../kernel/errors.ts';
import { type AnyRecordKind, type ImportKind, type InputByKind, type KindRow, kindFor } from '../registry/kinds/index.ts';
import { type CellReader, cellReader, describeIssue, quote } from './cell-values.ts';
import { fieldRules } from './field-rules.ts';
import { type GridRow, readGridRows } from './grid.ts';
import { type BoundColumn, bindHeaders, type HeaderBinding } from './header-binding.ts';
import type { Sheet } from './headers.ts';
import { assertRowCount, columnLetter, eventLoopYielder, excerpt, importLimits } from './limits.ts';
import { writeCsv, writeXlsx } from './write-file.ts';

export { MAX_IMPORT_ROWS } from './limits.ts';

export type FileFormat = 'csv' | 'xlsx';

export interface ParsedRow<I extends KindRow = KindRow> {
  /** Spreadsheet row number: the header is row 1, the first data row is 2. */
  rowNumber: number;
  input: I;
}

/** Only rows that passed every check are in `rows`; everything wrong is in `errors`. */
export interface ParsedFile<I extends KindRow = KindRow> {
  rows: ParsedRow<I>[];
  errors: FieldError[];
  /** Field → header as written in the file, so later errors can name the user's column. */
  columns: Record<string, string>;
}

const xlsxMime = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const csvMimes = new Set(['text/csv', 'application/csv', 'text/comma-separated-values', 'text/x-csv']);

/**
 * The format a file name or Content-Type names. The extension wins: browsers on Windows
 * send `application/vnd.ms-excel` for .csv files, so that MIME type decides nothing.
 */
export function detectFormat(filename?: string, contentType?: string): FileFormat | null {
  const extension = /\.([^./\\]+)$/.exec(filename ?? '')?.[1]?.toLowerCase();
  if (extension === 'csv') return 'csv';
  if (extension === 'xlsx') return 'xlsx';
  const mime = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mime === xlsxMime) return 'xlsx';
  if (mime && csvMimes.has(mime)) return 'csv';
  return null;
}

/** The format the bytes themselves show: XLSX is a zip; text without NUL bytes is taken as CSV. */
export function sniffFormat(data: Uint8Array): FileFormat | null {
  if (data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04) return 'xlsx';
  if (data.length === 0) return null;
  return data.subarray(0, 8192).includes(0) ? null : 'csv';
}

export async function parseImportFile<K extends ImportKind>(
  data: Uint8Array,
  format: FileFormat,
  kind: K,
): Promise<ParsedFile<InputByKind[K]>>;
export async function parseImportFile(data: Uint8Array, format: FileFormat, kind: AnyRecordKind | Sheet): Promise<ParsedFile>;
export async function parseImportFile(data: Uint8Array, format: FileFormat, kindRef: ImportKind | Sheet): Promise<ParsedFile> {
  const kind = typeof kindRef === 'string' ? kindFor(kindRef) : kindRef;
  // The bytes outrank the declared format: a workbook renamed to .csv is still a workbook.
  const actual = sniffFormat(data) === 'xlsx' ? 'xlsx' : format;
  const rows = readGridRows(data, actual);
  const first = await rows.next();
  const header = !first.done && first.value.rowNumber === 1 ? first.value : null;
  // Without a header, the first row read is data (or the file is empty).
  const binding = bindHeaders(kind, header, !first.done);
  const errors = [...binding.errors];
  const columns = Object.fromEntries(binding.columns.map((column) => [column.spec.field, column.header]));
  if (!header) {
    await rows.return(undefined);
    return { rows: [], errors, columns };
  }

  const readRow = rowReader(kind, binding);
  const parsed: ParsedRow[] = [];
  const codeRows = new Map<string, number>();
  const codeColumn = binding.columns.find((column) => column.spec.field === 'code');
  const unheaded = new Set(binding.unheaded);
  const reportedUnheaded = new Set<number>();
  const columnName = (index: number) => binding.columns.find((column) => column.index === index)?.header ?? columnLetter(index);
  const pause = eventLoopYielder();
  let count = 0;

  for await (const gridRow of rows) {
    assertRowCount(++count);
    await pause();
    gridRow.cells.forEach((cell, index) => {
      if (cell === null) return;
      if (cell.length > importLimits.cellChars) {
        // Refused outright: no field is this long, and the rest of such a file is not worth reading.
        const column = columnName(index);
        throw new AppError('import_rejected', `row ${gridRow.rowNumber} holds a cell longer than any field; nothing was written`, [
          {
            field: column,
            column,
            row: gridRow.rowNumber,
            message: `the cell is ${cell.length} characters long; a cell holds at most ${importLimits.cellChars} (it begins ${quote(cell)})`,
          },
        ]);
      }
      if ((unheaded.has(index) || index >= header.cells.length) && !reportedUnheaded.has(index)) {
        reportedUnheaded.add(index);
        const column = columnLetter(index);
        errors.push({ field: column, column, row: gridRow.rowNumber, message: `column ${column} has values but no header` });
      }
    });

    const rowErrors: FieldError[] = [];
    const input = readRow(gridRow, rowErrors);
    const code = codeColumn ? gridRow.cells[codeColumn.index] : null;
    if (codeColumn && code) {
      const firstRow = codeRows.get(code);
      if (firstRow === undefined) codeRows.set(code, gridRow.rowNumber);
      else {
        rowErrors.push({
          field: 'code',
          column: codeColumn.header,
          row: gridRow.rowNumber,
          message: `code ${excerpt(code)} already appears on row ${firstRow}`,
        });
      }
    }
    errors.push(...rowErrors);
    if (input && rowErrors.length === 0) parsed.push({ rowNumber: gridRow.rowNumber, input });
  }
  return { rows: parsed, errors, columns };
}

/**
 * Turns one grid row into a validated input, pushing an error per bad cell. Conversion
 * errors (bad enum, bad boolean) win over the schema's complaint about the same field,
 * and a missing required column is reported once on row 1, not again on every row.
 */
function rowReader(kind: Sheet, binding: HeaderBinding): (row: GridRow, errors: FieldError[]) => KindRow | null {
  const schema = kind.schemas.input;
  const rules = fieldRules(kind);
  const readers = binding.columns.map((column): [BoundColumn, CellReader] => [column, cellReader(column.spec)]);
  const columnsByField = new Map(binding.columns.map((column) => [column.spec.field, column]));
  const absentNullable = [...binding.absent].filter((field) => rules.get(field)?.nullable);

  return (row, errors) => {
    const candidate: Record<string, unknown> = {};
    for (const field of absentNullable) candidate[field] = null;
    const unconverted = new Set<string>();
    for (const [column, read] of readers) {
      const { field } = column.spec;
      const text = row.cells[column.index] ?? null;
      if (text === null) {
        // Leaving the key out lets the schema's default apply; nullable fields read back as null.
        if (rules.get(field)?.nullable) candidate[field] = null;
        continue;
      }
      const result = read(text);
      if (result.ok) candidate[field] = result.value;
      else {
        unconverted.add(field);
        errors.push({ field, column: column.header, row: row.rowNumber, message: result.message });
      }
    }

    const parsed = schema.safeParse(candidate);
    if (parsed.success) return unconverted.size === 0 ? (parsed.data as KindRow) : null;
    const reported = new Set<string>();
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'row');
      if (unconverted.has(field) || binding.absent.has(field) || reported.has(field)) continue;
      reported.add(field);
      const column = columnsByField.get(field);
      const text = column ? (row.cells[column.index] ?? null) : null;
      errors.push({
        field,
        ...(column ? { column: column.header } : {}),
        row: row.rowNumber,
        message: describeIssue(issue, field, text),
      });
    }
    return null;
  };
}

/**
 * English headers in the table's column order and canonical English values, so the
 * file reads back through `parseImportFile` to exactly the same rows.
 */
export async function writeExportFile<K extends ImportKind>(kind: K, rows: InputByKind[K][], format: FileFormat): Promise<Uint8Array>;
export async function writeExportFile(kind: AnyRecordKind | Sheet, rows: readonly object[], format: FileFormat): Promise<Uint8Array>;
export async function writeExportFile(kindRef: ImportKind | Sheet, rows: readonly object[], format: FileFormat): Promise<Uint8Array> {
  const kind = typeof kindRef === 'string' ? kindFor(kindRef) : kindRef;
  const specs = kind.columns;
  const table = {
    header: specs.map((spec) => spec.field),
    rows: rows.map((row) => {
      const values: Partial<Record<string, unknown>> = row;
      return specs.map((spec) => cellText(values[spec.field]));
    }),
  };
  return format === 'csv' ? writeCsv(table) : writeXlsx(kind.segment, table);
}

function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.length > 0 ? value.join(';') : null;
  return String(value);
}
