import type { Db } from '../db/client.ts';
import { yieldToEventLoop } from '../kernel/yielding.ts';
import type { AnyRecordKind, KindRow, StoredRow } from './kinds/index.ts';

/**
 * Each record seen as its input row (codes instead of ids): what export writes, what the
 * upsert compares a file row against, and what the audit trail shows. Each kind's
 * descriptor loads its own; these read them in parts.
 */

/** Codes per query: under the bind-parameter limit, and short enough on PGlite (see below). */
const storedRowsPart = 2000;

/** Loads stored rows by code, in chunks that keep under the bind-parameter limit. */
export async function loadStoredRows(db: Db, kind: AnyRecordKind, codes: string[]): Promise<Map<string, StoredRow>> {
  const out = new Map<string, StoredRow>();
  // In parts, with a turn for other requests between them: on PGlite a query holds the thread.
  for (let i = 0; i < codes.length; i += storedRowsPart) {
    if (i > 0) await yieldToEventLoop();
    for (const row of await kind.loadViews(db, codes.slice(i, i + storedRowsPart))) out.set(row.view.code, row);
  }
  return out;
}

/** Every stored row of a kind, as input rows: the body of an export. */
export async function exportRows(db: Db, kind: AnyRecordKind): Promise<KindRow[]> {
  return (await kind.loadViews(db)).map((r) => r.view);
}

/** A list field is a set of codes: the same codes in another order are the same value. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const sorted = (xs: unknown[]) => xs.map(String).sort();
    const [sa, sb] = [sorted(a), sorted(b)];
    return sa.every((x, i) => x === sb[i]);
  }
  return (a ?? null) === (b ?? null);
}

/** Input rows compare equal when every field does, absent and null being the same. */
export function sameView(a: object, b: object): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of keys) if (!sameValue(ra[k], rb[k])) return false;
  return true;
}
