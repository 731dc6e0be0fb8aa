import type { FieldError } from '../http/errors.ts';
import type { ImportKind } from '../registry/schemas.ts';
import { fieldRules } from './field-rules.ts';
import type { GridRow } from './grid.ts';
import { type ColumnSpec, importColumns } from './headers.ts';

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

/** Matches `code(编码)` and `code（编码）`, either part first. */
const pairedHeader = /^(.+?)\s*[(（]\s*(.+?)\s*[)）]$/;

export function bindHeaders(kind: ImportKind, header: GridRow | null, hasData: boolean): HeaderBinding {
  const specs = importColumns[kind];
  if (!header) {
    const message = hasData ? 'row 1 is empty; it must hold the column headers' : 'the file is empty';
    return {
      columns: [],
      absent: new Set(specs.map((spec) => spec.field)),
      unheaded: [],
      errors: [{ field: 'header', row: 1, message }],
    };
  }

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
        message: `unknown column "${text}"; expected ${expected} (or their Chinese names)`,
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

function resolveHeader(text: string, lookup: Map<string, ColumnSpec>): ColumnSpec | undefined {
  const direct = lookup.get(headerKey(text));
  if (direct) return direct;
  const pair = pairedHeader.exec(text);
  if (!pair) return undefined;
  const outer = lookup.get(headerKey(pair[1] ?? ''));
  const inner = lookup.get(headerKey(pair[2] ?? ''));
  // Both halves must name the same column; `code(名称)` is a mistake, not a choice.
  return outer && outer === inner ? outer : undefined;
}

/** Case and spacing do not matter: `Region Code`, `region-code` and `region_code` are one header. */
function headerKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}
