import { type AnyColumn, and, eq, ilike, inArray, type like, or, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { escapeLike, startsWithLiteral } from '../db/prefix.ts';
import { clouds, departments, regions } from '../db/schema/index.ts';
import { AppError } from '../kernel/errors.ts';

/** The list filters every kind shares: paging, and departments or regions by subtree. */
export interface OwnedFilter {
  limit: number;
  offset: number;
  q?: string;
  /** Department code; its sub-departments are included. */
  department?: string;
  /** Region code; its whole subtree is included. */
  region?: string;
}

type TextColumn = Parameters<typeof like>[0];
const contains = (column: TextColumn, text: string) => ilike(column, `%${escapeLike(text)}%`);

/** Any of the columns contains the text (case-insensitive); no condition without text. */
export const matches = (text: string | undefined, ...columns: TextColumn[]) =>
  text ? or(...columns.map((column) => contains(column, text))) : undefined;

export const unknownFilter = (field: string, what: string, code: string) =>
  new AppError('validation_failed', `unknown ${what} "${code}"`, [{ field, message: `unknown ${what} "${code}"` }]);

async function departmentPath(db: Db, code: string): Promise<string> {
  const [row] = await db.select({ path: departments.path }).from(departments).where(eq(departments.code, code));
  if (!row) throw unknownFilter('department', 'department', code);
  return row.path;
}

async function regionPath(db: Db, code: string): Promise<string> {
  const [row] = await db.select({ path: regions.path }).from(regions).where(eq(regions.code, code));
  if (!row) throw unknownFilter('region', 'region', code);
  return row.path;
}

export async function cloudIdOf(db: Db, code: string, field: string): Promise<number> {
  const [row] = await db.select({ id: clouds.id }).from(clouds).where(eq(clouds.code, code));
  if (!row) throw unknownFilter(field, 'cloud', code);
  return row.id;
}

/** A region-code column restricted to a region's subtree; no condition without a region. */
export async function inRegion(db: Db, column: AnyColumn, code: string | undefined): Promise<SQL | undefined> {
  if (!code) return undefined;
  const path = await regionPath(db, code);
  return inArray(column, db.select({ code: regions.code }).from(regions).where(startsWithLiteral(regions.path, path)));
}

/** Conditions on `departments` for a `department` (subtree) and `region` (subtree) filter. */
export async function departmentScope(db: Db, f: OwnedFilter): Promise<SQL[]> {
  const out: SQL[] = [];
  if (f.department) out.push(startsWithLiteral(departments.path, await departmentPath(db, f.department)));
  const region = await inRegion(db, departments.regionCode, f.region);
  if (region) out.push(region);
  return out;
}

/** Restricts a department-owned table to the departments the filter selects. */
export async function ownedBy(db: Db, departmentId: AnyColumn, f: OwnedFilter): Promise<SQL | undefined> {
  const scope = await departmentScope(db, f);
  if (scope.length === 0) return undefined;
  return inArray(
    departmentId,
    db
      .select({ id: departments.id })
      .from(departments)
      .where(and(...scope)),
  );
}
