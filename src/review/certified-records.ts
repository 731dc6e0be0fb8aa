import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { Classification } from '../db/schema/enums.ts';
import { departments } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { type AnyRecordKind, recordKinds } from '../registry/kinds/index.ts';
import { typed } from '../registry/kinds/shared.ts';

// The records a reviewer certifies, as the review sees them: which kinds, locked for the
// change, and not his own department's.

/** The kinds a reviewer certifies: those with a classification column and an owning department. */
export const certifiedKinds = () => recordKinds().filter((kind) => kind.classificationColumn && kind.ownerColumn);

/** The certified kind a certification names (its `tracked` name). */
export function certifiedKindOf(tracked: string): AnyRecordKind {
  const kind = certifiedKinds().find((k) => k.tracked === tracked);
  if (!kind) throw new AppError('internal', `no certified record kind is kept as "${tracked}"`);
  return kind;
}

/** The record a certification is about, locked for the change, with its classification and owning department. */
export async function lockEntity(db: Db, kind: AnyRecordKind, code: string) {
  const { table: t, classificationColumn, ownerColumn } = kind;
  if (!classificationColumn || !ownerColumn) throw new AppError('internal', `${kind.segment} are not certified`);
  const [row] = await db
    .select({
      id: typed<number>(t.id),
      classification: typed<Classification>(classificationColumn),
      departmentId: typed<number>(ownerColumn),
    })
    .from(t)
    .where(eq(t.code, code))
    .for('update');
  if (!row) throw notFound(kind.label.en, code);
  return row;
}

/**
 * Separation of duties: a reviewer bound to a department does not certify (or re-review)
 * the records of that department or its sub-departments — a department does not review itself.
 */
export async function assertNotOwnDepartment(db: Db, actor: Actor, departmentId: number, code: string): Promise<void> {
  if (actor.access.root || !actor.access.department) return;
  const [dept] = await db.select({ path: departments.path }).from(departments).where(eq(departments.id, departmentId));
  // Paths are "/top/…/code/", so a prefix is exactly the subtree (compared here, not with LIKE).
  if (dept?.path.startsWith(actor.access.department.path)) {
    throw new AppError(
      'forbidden',
      `${code} belongs to your own department ${actor.access.department.code}; another reviewer certifies it`,
    );
  }
}
