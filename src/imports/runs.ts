import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import { departments, importRunLimits, importRuns } from '../db/schema/index.ts';
import { type Area, departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import type { AppError } from '../kernel/errors.ts';

// 导入记录: the one writer of import_runs. An applied run is written in the import's own
// transaction; a rejected one after the import rolled back.

export interface ImportAttempt {
  kind: string;
  fileName?: string;
  rows: number;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const runValues = (actor: Actor, attempt: ImportAttempt) => ({
  userId: actor.access.root ? null : actor.access.userId,
  departmentId: actor.access.root ? null : (actor.access.department?.id ?? null),
  kind: attempt.kind,
  fileName: attempt.fileName ? clip(attempt.fileName, importRunLimits.fileName) : null,
  rows: Math.max(0, attempt.rows),
});

/** The first problem a rejection named, row and column first, as one bounded line. */
export function firstErrorOf(error: AppError): string {
  const first = error.errors[0];
  const text = first
    ? [first.row === undefined ? null : `row ${first.row}`, first.column ?? first.field, first.message].filter(Boolean).join(': ')
    : error.message;
  return clip(text, importRunLimits.firstError);
}

/** An applied import, inside the transaction that applied it. */
export async function recordAppliedImport(tx: Db, actor: Actor, attempt: ImportAttempt): Promise<void> {
  await tx.insert(importRuns).values({ ...runValues(actor, attempt), outcome: 'applied' });
}

/**
 * A rejected import, after its own transaction rolled back. The run is its only trace: a
 * rejected file writes nothing else, the audit trail included (api-imports.test.ts holds it).
 */
export async function recordRejectedImport(db: Db, actor: Actor, attempt: ImportAttempt, error: AppError): Promise<void> {
  await db.insert(importRuns).values({ ...runValues(actor, attempt), outcome: 'rejected', firstError: firstErrorOf(error) });
}

export interface FailedImport {
  kind: string;
  file_name: string | null;
  rows: number;
  first_error: string | null;
  department_code: string | null;
  created_at: string;
}

/** How far back a rejected import stays on a department's to-do list. */
export const failedImportDays = 7;

/**
 * The rejected imports of the last days in the departments the caller may write `area` for (a
 * department user: his subtree), newest first, leaving out any followed by an applied import
 * of the same kind into the same department.
 */
export async function listFailedImports(db: Db, actor: Actor, area: Area = 'systems', now = new Date()): Promise<FailedImport[]> {
  const limit = departmentLimit(actor.access, 'write', area);
  const since = new Date(now.getTime() - failedImportDays * 86_400_000);
  const rows = await db
    .select({
      kind: importRuns.kind,
      file_name: importRuns.fileName,
      rows: importRuns.rows,
      first_error: importRuns.firstError,
      department_code: departments.code,
      createdAt: importRuns.createdAt,
    })
    .from(importRuns)
    .leftJoin(departments, eq(departments.id, importRuns.departmentId))
    .where(
      and(
        eq(importRuns.outcome, 'rejected'),
        gt(importRuns.createdAt, since),
        limit === null ? undefined : startsWithLiteral(departments.path, limit),
        sql`not exists (select 1 from import_runs later where later.outcome = 'applied' and later.kind = ${importRuns.kind}
              and later.department_id is not distinct from ${importRuns.departmentId} and later.id > ${importRuns.id})`,
      ),
    )
    .orderBy(desc(importRuns.id))
    .limit(100);
  return rows.map(({ createdAt, ...r }) => ({ ...r, created_at: createdAt.toISOString() }));
}
