import type { z } from '@hono/zod-openapi';
import type { FieldError } from '../http/errors.ts';
import { type ImportKind, type InputByKind, inputSchemas } from '../registry/schemas.ts';
import { type CellReader, cellReader, describeIssue } from './cell-values.ts';
import { fieldRules } from './field-rules.ts';
import { type Grid, type GridRow, readCsvGrid, readXlsxGrid } from './grid.ts';
import { type BoundColumn, bindHeaders, type HeaderBinding } from './header-binding.ts';
import { importColumns } from './headers.ts';
import { writeCsv, writeXlsx } from './write-file.ts';

export { MAX_IMPORT_ROWS } from './grid.ts';

export type FileFormat = 'csv' | 'xlsx';

export interface ParsedRow<K extends ImportKind> {
  /** Spreadsheet row number: the header is row 1, the first data row is 2. */
  rowNumber: number;
  input: InputByKind[K];
}

/** Only rows that passed every check are in `rows`; everything wrong is in `errors`. */
export interface ParsedFile<K extends ImportKind> {
  rows: ParsedRow<K>[];
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

export async function parseImportFile<K extends ImportKind>(data: Uint8Array, format: FileFormat, kind: K): Promise<ParsedFile<K>> {
  // The bytes outrank the declared format: a workbook renamed to .csv is still a workbook.
  const actual = sniffFormat(data) === 'xlsx' ? 'xlsx' : format;
  const grid: Grid = actual === 'csv' ? readCsvGrid(data) : await readXlsxGrid(data);
  const binding = bindHeaders(kind, grid.header, grid.rows.length > 0);
  const errors = [...binding.errors];
  const columns = Object.fromEntries(binding.columns.map((column) => [column.spec.field, column.header]));
  if (!grid.header) return { rows: [], errors, columns };

  const readRow = rowReader(kind, binding);
  const rows: ParsedRow<K>[] = [];
  const codeRows = new Map<string, number>();
  const codeColumn = binding.columns.find((column) => column.spec.field === 'code');
  const reportedUnheaded = new Set<number>();

  for (const gridRow of grid.rows) {
    for (const index of binding.unheaded) {
      if (gridRow.cells[index] != null && !reportedUnheaded.has(index)) {
        reportedUnheaded.add(index);
        const column = columnLetter(index);
        errors.push({ field: column, column, row: gridRow.rowNumber, message: `column ${column} has values but no header` });
      }
    }

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
          message: `code ${code} already appears on row ${firstRow}`,
        });
      }
    }
    errors.push(...rowErrors);
    if (input && rowErrors.length === 0) rows.push({ rowNumber: gridRow.rowNumber, input });
  }
  return { rows, errors, columns };
}

/**
 * Turns one grid row into a validated input, pushing an error per bad cell. Conversion
 * errors (bad enum, bad boolean) win over the schema's complaint about the same field,
 * and a missing required column is reported once on row 1, not again on every row.
 */
function rowReader<K extends ImportKind>(kind: K, binding: HeaderBinding): (row: GridRow, errors: FieldError[]) => InputByKind[K] | null {
  const schemas: { [P in ImportKind]: z.ZodType<InputByKind[P]> } = inputSchemas;
  const schema = schemas[kind];
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
    if (parsed.success) return unconverted.size === 0 ? parsed.data : null;
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

/** A, B, …, Z, AA, AB, … as spreadsheet programs label columns (index from 0). */
function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/**
 * English headers in the table's column order and canonical English values, so the
 * file reads back through `parseImportFile` to exactly the same rows.
 */
export async function writeExportFile<K extends ImportKind>(kind: K, rows: InputByKind[K][], format: FileFormat): Promise<Uint8Array> {
  const specs = importColumns[kind];
  const table = {
    header: specs.map((spec) => spec.field),
    rows: rows.map((row) => {
      const values: Partial<Record<string, unknown>> = row;
      return specs.map((spec) => cellText(values[spec.field]));
    }),
  };
  return format === 'csv' ? writeCsv(table) : writeXlsx(kind, table);
}

function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}
