import { inArray } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import { departments } from '../db/schema/index.ts';
import { type Action, departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, type FieldError, notFound } from '../kernel/errors.ts';
import { yieldToEventLoop } from '../kernel/yielding.ts';
import type { AnyRecordKind, KindRow } from './kinds/index.ts';
import { loadStoredRows } from './views.ts';

/** Department ids under a path prefix, as a sub-select. */
export const departmentsUnder = (db: Db, path: string) =>
  db.select({ id: departments.id }).from(departments).where(startsWithLiteral(departments.path, path));

/** The department subtree the actor is confined to for this kind, or null. */
export const limitFor = (actor: Actor, action: Action, kind: AnyRecordKind) => departmentLimit(actor.access, action, kind.area);

/** The one message for a department code a department user may not use, known or not. */
export const notYourDepartment = 'is not a department of yours';

/**
 * The registry's checks name unknown department codes; for a department user they are refused
 * by authorizeRows instead, with the message an existing department outside his subtree gets.
 */
export function withoutDepartmentOracle(errors: FieldError[], actor: Actor, kind: AnyRecordKind): FieldError[] {
  if (limitFor(actor, 'write', kind) === null) return errors;
  const field = ownerField(kind);
  return errors.filter((e) => !(e.field === field && e.message.startsWith('unknown ')));
}

/** The field a row's department is decided by: `department_code`, or the kind's own (an interface service's provider system). */
export const ownerField = (kind: AnyRecordKind) => kind.owner?.field ?? 'department_code';

/** Each row's owning department code, as its kind decides it (undefined when it names none known). */
export async function ownerCodes(db: Db, kind: AnyRecordKind, rows: readonly KindRow[]): Promise<(string | undefined)[]> {
  if (kind.owner) return kind.owner.departmentCodes(db, rows);
  if (kind.table === departments) return rows.map((r) => r.code);
  return rows.map((r) => (r as { department_code?: string }).department_code);
}

async function departmentPaths(db: Db, codes: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(codes)];
  const out = new Map<string, string>();
  for (let i = 0; i < unique.length; i += 5000) {
    if (i > 0) await yieldToEventLoop();
    const rows = await db
      .select({ code: departments.code, path: departments.path })
      .from(departments)
      .where(inArray(departments.code, unique.slice(i, i + 5000)));
    for (const r of rows) out.set(r.code, r.path);
  }
  return out;
}

/**
 * What a caller may write, row by row, before the one write path runs: a department user
 * writes only inside its own department subtree, may not move a record to another
 * department, and may not set a classification (认定 is the reviewer's). Refused, not
 * ignored: each offending field is named (`index` is the row's place in `rows`).
 */
export async function authorizeRows(db: Db, kind: AnyRecordKind, rows: KindRow[], actor: Actor): Promise<FieldError[]> {
  const limit = limitFor(actor, 'write', kind);
  if (limit === null) return [];
  const stored = await loadStoredRows(
    db,
    kind,
    rows.map((r) => r.code),
  );
  // The departments the rows name and those the stored records belong to now.
  const field = ownerField(kind);
  const refusal = kind.owner?.refusal ?? notYourDepartment;
  const storedRows = rows.map((r) => stored.get(r.code)?.view);
  const given = await ownerCodes(db, kind, rows);
  const present = storedRows.filter((v): v is KindRow => v !== undefined);
  const presentCodes = await ownerCodes(db, kind, present);
  const before = new Map(present.map((v, i) => [v.code, presentCodes[i]]));
  const paths = await departmentPaths(
    db,
    [...given, ...presentCodes].map((c) => c ?? ''),
  );
  const errors: FieldError[] = [];
  rows.forEach((row, index) => {
    const input = row as { classification?: string };
    const storedView = storedRows[index] as { classification?: string } | undefined;
    const department = given[index];
    const departmentBefore = before.get(row.code);
    const path = paths.get(department ?? '');
    if (storedView && !(paths.get(departmentBefore ?? '') ?? '').startsWith(limit)) {
      // Neither the code nor the other department is named: the caller may not see that record.
      errors.push({ index, field: 'code', message: 'is not available to your department; choose another code' });
      return;
    }
    // An unknown code and another department's get one answer, or the refusal would tell a
    // department user which codes exist outside his subtree (issue 14, item 18).
    const names = kind.owner ? typeof row[field] === 'string' : department !== undefined;
    if (names && !path?.startsWith(limit)) {
      errors.push({ index, field, message: refusal });
    }
    if (storedView && department !== departmentBefore) {
      errors.push({ index, field, message: 'cannot be changed by a department user' });
    }
    if (input.classification !== undefined && input.classification !== (storedView?.classification ?? 'pending')) {
      errors.push({ index, field: 'classification', message: 'is certified by a reviewer (认定); a department user cannot set it' });
    }
  });
  return errors;
}

export function refuseRows(errors: FieldError[], single: boolean): void {
  if (errors.length === 0) return;
  const shown = single ? errors.map(({ index: _i, ...e }) => e) : errors;
  throw new AppError('forbidden', `not allowed: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, shown);
}

/**
 * A write's visibility check with the refusal on the audit trail: a department user writing a
 * record outside its subtree is told it does not exist (404), and the attempt is recorded as
 * denied. Call it before the write's transaction, whose rollback would take the entry with it.
 */
export async function assertWritable(database: Db, kind: AnyRecordKind, code: string, actor: Actor, action: string): Promise<void> {
  try {
    await assertVisible(database, kind, code, actor, 'write');
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') {
      await recordAudit(database, actor, [
        {
          action,
          entityKind: 'request',
          entityCode: code,
          result: 'denied',
          after: { reason: 'not visible to the caller (answered 404)' },
        },
      ]);
    }
    throw error;
  }
}

/** A record outside the caller's department subtree does not exist for them (404, not 403). */
export async function assertVisible(db: Db, kind: AnyRecordKind, code: string, actor: Actor, action: Action): Promise<void> {
  const limit = limitFor(actor, action, kind);
  if (limit === null) return;
  const stored = (await loadStoredRows(db, kind, [code])).get(code);
  const [departmentCode] = stored ? await ownerCodes(db, kind, [stored.view]) : [undefined];
  const path = departmentCode ? (await departmentPaths(db, [departmentCode])).get(departmentCode) : undefined;
  if (!stored || !path?.startsWith(limit)) throw notFound(kind.label.en, code);
}
