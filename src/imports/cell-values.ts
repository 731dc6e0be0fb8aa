import type { z } from '@hono/zod-openapi';
import { booleanWords, type ColumnSpec } from './headers.ts';

/** A cell's text turned into the value the zod schema expects, or why it cannot be. */
export type CellResult = { ok: true; value: string | boolean | number | string[] } | { ok: false; message: string };
export type CellReader = (text: string) => CellResult;

/** Builds the converter for one column once, so the per-row work is a map lookup. */
export function cellReader(spec: ColumnSpec): CellReader {
  switch (spec.type) {
    case 'text':
      return (text) => ({ ok: true, value: text });
    case 'date':
      return (text) => ({ ok: true, value: normalizeDate(text) });
    case 'boolean':
      return readBoolean;
    case 'number':
      return readNumber;
    case 'enum':
      return enumReader(spec.values);
    case 'list':
      return readList;
  }
}

/** Codes separated by `;` or the full-width `；`, spaces around them dropped: `S1; S2` → ["S1", "S2"]. */
function readList(text: string): CellResult {
  return {
    ok: true,
    value: text
      .split(/[;；]/)
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  };
}

function readBoolean(text: string): CellResult {
  const value = booleanWords[text.toLowerCase()];
  if (value !== undefined) return { ok: true, value };
  return { ok: false, message: `${quote(text)} is not a yes/no value: use true|false or 是|否` };
}

/** A plain decimal number (1200, 85.5); whether it must be whole or positive is the schema's to say. */
function readNumber(text: string): CellResult {
  if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text)) return { ok: true, value: Number(text) };
  return { ok: false, message: `${quote(text)} is not a number` };
}

function enumReader(values: Readonly<Record<string, string>>): CellReader {
  const lookup = new Map<string, string>();
  for (const [canonical, alias] of Object.entries(values)) {
    lookup.set(canonical.toLowerCase(), canonical);
    lookup.set(alias, canonical);
  }
  const allowed = `${Object.values(values).join('|')} / ${Object.keys(values).join('|')}`;
  return (text) => {
    const value = lookup.get(text.toLowerCase());
    return value === undefined ? { ok: false, message: `${quote(text)} is not one of ${allowed}` } : { ok: true, value };
  };
}

/**
 * Pads year-first dates such as 2024/3/5 to 2024-03-05: Excel rewrites dates in the
 * local style when it saves a CSV. Anything else is left for the schema to reject.
 */
function normalizeDate(text: string): string {
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  if (!match) return text;
  const [, year, month, day] = match;
  return `${year}-${month?.padStart(2, '0')}-${day?.padStart(2, '0')}`;
}

type Issue = z.ZodError['issues'][number];

/** A zod issue in words a spreadsheet user can act on, naming the value they wrote. */
export function describeIssue(issue: Issue, field: string, text: string | null): string {
  if (text === null) return `${field} is required`;
  if (issue.code === 'too_big' && issue.origin === 'string') {
    return `${quote(text)} is longer than ${issue.maximum} characters`;
  }
  // The schema's own messages are written to follow the value ("must be …", "is not …").
  const predicate = /^[a-z]/.test(issue.message) ? issue.message : `is not valid (${issue.message})`;
  return `${quote(text)} ${predicate}`;
}

export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text);
}
