import { AppError, type FieldError } from '../kernel/errors.ts';
import { fieldRules } from './field-rules.ts';
import type { GridRow } from './grid.ts';
import type { ColumnSpec, Sheet } from './headers.ts';
import { columnLetter, excerpt, importLimits } from './limits.ts';

/** A file column recognised as one field of the kind. */
export interface BoundColumn {
  index: number;
  /** The header cell as written, for error messages. */
  header: string;
  spec: ColumnSpec;
}

export interface HeaderBinding {
  columns: BoundColumn[];
  /** Fields that have no column in the file (required ones are reported as errors). */
  absent: ReadonlySet<string>;
  /** Indexes of columns whose header cell is empty; values under them cannot be placed. */
  unheaded: number[];
  errors: FieldError[];
}

export function bindHeaders(kind: Sheet, header: GridRow | null, hasData: boolean): HeaderBinding {
  const specs = kind.columns;
  if (!header) {
    const message = hasData ? 'row 1 is empty; it must hold the column headers' : 'the file is empty';
    return {
      columns: [],
      absent: new Set(specs.map((spec) => spec.field)),
      unheaded: [],
      errors: [{ field: 'header', row: 1, message }],
    };
  }

  assertHeaderLengths(header);
  const lookup = headerLookup(specs);
  const columns: BoundColumn[] = [];
  const unheaded: number[] = [];
  const errors: FieldError[] = [];
  header.cells.forEach((text, index) => {
    if (text === null) {
      unheaded.push(index);
      return;
    }
    const spec = resolveHeader(text, lookup);
    if (!spec) {
      const expected = specs.map((s) => s.field).join(', ');
      errors.push({
        field: text,
        column: text,
        row: 1,
        message: `unknown column ${JSON.stringify(text)}; expected ${expected} (or their Chinese names)`,
      });
      return;
    }
    const earlier = columns.find((column) => column.spec.field === spec.field);
    if (earlier) {
      errors.push({
        field: spec.field,
        column: text,
        row: 1,
        message: `column "${text}" repeats column "${earlier.header}" (${spec.field})`,
      });
      return;
    }
    columns.push({ index, header: text, spec });
  });

  const present = new Set(columns.map((column) => column.spec.field));
  const absent = new Set(specs.map((spec) => spec.field).filter((field) => !present.has(field)));
  const rules = fieldRules(kind);
  for (const spec of specs) {
    if (absent.has(spec.field) && rules.get(spec.field)?.required) {
      errors.push({
        field: spec.field,
        row: 1,
        message: `required column ${spec.field} (${spec.alias}) is missing`,
      });
    }
  }
  return { columns, absent, unheaded, errors };
}

function headerLookup(specs: readonly ColumnSpec[]): Map<string, ColumnSpec> {
  const lookup = new Map<string, ColumnSpec>();
  for (const spec of specs) {
    lookup.set(headerKey(spec.field), spec);
    lookup.set(headerKey(spec.alias), spec);
  }
  return lookup;
}

/**
 * Refuses the file at an over-long header cell, before any header is matched: a real header
 * is a field name and its Chinese alias, and what it would be matched against is the user's.
 */
function assertHeaderLengths(header: GridRow): void {
  header.cells.forEach((text, index) => {
    if (text === null || text.length <= importLimits.headerChars) return;
    const column = columnLetter(index);
    throw new AppError('import_rejected', `the header of column ${column} is too long to be a column name; nothing was written`, [
      {
        field: 'header',
        column,
        row: 1,
        message: `the header of column ${column} is ${text.length} characters long; a header has at most ${importLimits.headerChars} (it begins ${JSON.stringify(excerpt(text))})`,
      },
    ]);
  });
}

function resolveHeader(text: string, lookup: Map<string, ColumnSpec>): ColumnSpec | undefined {
  const direct = lookup.get(headerKey(text));
  if (direct) return direct;
  const pair = splitPairedHeader(text);
  if (!pair) return undefined;
  const outer = lookup.get(headerKey(pair[0]));
  const inner = lookup.get(headerKey(pair[1]));
  // Both halves must name the same column; `code(名称)` is a mistake, not a choice.
  return outer && outer === inner ? outer : undefined;
}

/**
 * `code(编码)` and `code（编码）`, either part first, as its two halves: the text up to the
 * first opening bracket, and what lies between it and a closing bracket that ends the text.
 * Plain string operations, linear in the header's length, where a regex could backtrack.
 */
function splitPairedHeader(text: string): [string, string] | null {
  const open = firstIndexOf(text, ['(', '（']);
  const close = text.length - 1;
  if (open <= 0 || close <= open + 1 || (text[close] !== ')' && text[close] !== '）')) return null;
  const outer = text.slice(0, open).trim();
  const inner = text.slice(open + 1, close).trim();
  return outer && inner ? [outer, inner] : null;
}

function firstIndexOf(text: string, needles: string[]): number {
  const found = needles.map((needle) => text.indexOf(needle)).filter((index) => index >= 0);
  return found.length > 0 ? Math.min(...found) : -1;
}

/** Case and spacing do not matter: `Region Code`, `region-code` and `region_code` are one header. */
function headerKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}
