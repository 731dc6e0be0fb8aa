import { AppError, type FieldError } from '../kernel/errors.ts';
import { type AnyRecordKind, type ImportKind, type InputByKind, type KindRow, kindFor } from '../registry/kinds/index.ts';
import { type CellReader, cellReader, describeIssue, quote } from './cell-values.ts';
import { fieldRules } from './field-rules.ts';
import { type FileSource, type GridRow, readGridRows, sniffSource } from './grid.ts';
import { type BoundColumn, bindHeaders, type HeaderBinding } from './header-binding.ts';
import type { Sheet } from './headers.ts';
import { columnLetter, eventLoopYielder, excerpt, importLimits } from './limits.ts';
import { writeCsv, writeXlsx } from './write-file.ts';

export type { FileSource } from './grid.ts';

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

export { sniffFormat, sniffSource } from './grid.ts';

export async function parseImportFile<K extends ImportKind>(
  data: FileSource,
  format: FileFormat,
  kind: K,
): Promise<ParsedFile<InputByKind[K]>>;
export async function parseImportFile(data: FileSource, format: FileFormat, kind: AnyRecordKind | Sheet): Promise<ParsedFile>;
export async function parseImportFile(data: FileSource, format: FileFormat, kindRef: ImportKind | Sheet): Promise<ParsedFile> {
  const reading = await readImportRows(data, format, kindRef);
  const errors = [...reading.errors];
  const parsed: ParsedRow[] = [];
  const codeRows = new Map<string, number>();
  for await (const row of reading.rows) {
    errors.push(...row.notes);
    const rowErrors = [...row.errors];
    if (row.code !== null) {
      const firstRow = codeRows.get(row.code);
      if (firstRow === undefined) codeRows.set(row.code, row.rowNumber);
      else rowErrors.push(duplicateCode(reading, row.rowNumber, row.code, firstRow));
    }
    errors.push(...rowErrors);
    if (row.input && rowErrors.length === 0) parsed.push({ rowNumber: row.rowNumber, input: row.input });
  }
  return { rows: parsed, errors, columns: reading.columns };
}

/** The problem of a row whose code an earlier row of the file already has. */
export function duplicateCode(reading: Pick<RowReading, 'codeHeader'>, row: number, code: string, firstRow: number): FieldError {
  return { field: 'code', column: reading.codeHeader, row, message: `code ${excerpt(code)} already appears on row ${firstRow}` };
}

/** One data row as read: its input if every cell passed, and its problems. */
export interface ReadRow {
  rowNumber: number;
  /** The checked input; null when a cell or the schema refused it. */
  input: KindRow | null;
  /** The code cell as written, for finding codes the file repeats (null: no code column, or empty). */
  code: string | null;
  /** This row's problems: its input is null, or these make it unusable. */
  errors: FieldError[];
  /** Problems found on this row that concern the file (a value under no header), reported once. */
  notes: FieldError[];
}

/** A file's header bound to the kind's fields, and its data rows to be read one at a time. */
export interface RowReading {
  /** Field → header as written in the file, so later errors can name the user's column. */
  columns: Record<string, string>;
  /** The code column's header as written, if the file has one. */
  codeHeader: string | undefined;
  /** The header's problems (row 1). */
  errors: FieldError[];
  rows: AsyncGenerator<ReadRow>;
}

/**
 * Reads the header, then hands out the data rows one at a time: each checked cell by cell and
 * against the kind's schema, nothing kept once handed out (a file of any length reads in
 * bounded memory). Repeated codes are the caller's to find.
 */
export async function readImportRows(data: FileSource, format: FileFormat, kindRef: ImportKind | Sheet): Promise<RowReading> {
  const kind = typeof kindRef === 'string' ? kindFor(kindRef) : kindRef;
  // The bytes outrank the declared format: a workbook renamed to .csv is still a workbook.
  const actual = (await sniffSource(data)) === 'xlsx' ? 'xlsx' : format;
  const grid = readGridRows(data, actual);
  const first = await grid.next();
  const header = !first.done && first.value.rowNumber === 1 ? first.value : null;
  // Without a header, the first row read is data (or the file is empty).
  let binding: HeaderBinding;
  try {
    binding = bindHeaders(kind, header, !first.done);
  } catch (error) {
    await grid.return(undefined);
    throw error;
  }
  const columns = Object.fromEntries(binding.columns.map((column) => [column.spec.field, column.header]));
  const codeColumn = binding.columns.find((column) => column.spec.field === 'code');
  const reading = { columns, codeHeader: codeColumn?.header, errors: [...binding.errors] };
  if (!header) {
    await grid.return(undefined);
    return { ...reading, rows: (async function* () {})() };
  }
  return { ...reading, rows: dataRows(kind, binding, header, grid, codeColumn) };
}

async function* dataRows(
  kind: Sheet,
  binding: HeaderBinding,
  header: GridRow,
  grid: AsyncGenerator<GridRow>,
  codeColumn: BoundColumn | undefined,
): AsyncGenerator<ReadRow> {
  const readRow = rowReader(kind, binding);
  const unheaded = new Set(binding.unheaded);
  const reportedUnheaded = new Set<number>();
  const columnName = (index: number) => binding.columns.find((column) => column.index === index)?.header ?? columnLetter(index);
  const pause = eventLoopYielder();
  try {
    for await (const gridRow of grid) {
      await pause();
      const notes: FieldError[] = [];
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
          notes.push({ field: column, column, row: gridRow.rowNumber, message: `column ${column} has values but no header` });
        }
      });
      const errors: FieldError[] = [];
      const input = readRow(gridRow, errors);
      const code = codeColumn ? (gridRow.cells[codeColumn.index] ?? null) : null;
      yield { rowNumber: gridRow.rowNumber, input, code, errors, notes };
    }
  } finally {
    await grid.return(undefined);
  }
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
