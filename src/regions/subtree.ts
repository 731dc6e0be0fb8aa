import { eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import { departments, regions } from '../db/schema/index.ts';
import { AppError } from '../kernel/errors.ts';

/** A list's `scope` filter resolved: a region (`450100`) or a department (`dept:P001`), with everything under it. */
export interface Subtree {
  kind: 'region' | 'department';
  path: string;
}

/** The ids of a department's subtree, as a subquery. */
export const departmentIdsUnder = (path: string): SQL => sql`select id from departments where ${startsWithLiteral(sql`path`, path)}`;

/** The codes of a region's subtree, as a subquery. */
export const regionCodesUnder = (path: string): SQL => sql`select code from regions where ${startsWithLiteral(sql`path`, path)}`;

/** Resolves a `scope` filter; an unknown code is refused, naming the field. */
export async function subtreeOf(db: Db, scope: string): Promise<Subtree> {
  if (scope.startsWith('dept:')) {
    const code = scope.slice('dept:'.length);
    const [department] = await db.select({ path: departments.path }).from(departments).where(eq(departments.code, code));
    if (!department)
      throw new AppError('validation_failed', `unknown department "${code}"`, [{ field: 'scope', message: 'unknown department' }]);
    return { kind: 'department', path: department.path };
  }
  const [region] = await db.select({ path: regions.path }).from(regions).where(eq(regions.code, scope));
  if (!region)
    throw new AppError('validation_failed', `unknown region "${scope}"`, [{ field: 'scope', message: 'unknown region (or dept:<code>)' }]);
  return { kind: 'region', path: region.path };
}
