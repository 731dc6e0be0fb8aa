import { eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import type { RegionLevel } from '../db/schema/enums.ts';
import { departments, regions } from '../db/schema/index.ts';
import { AppError } from '../kernel/errors.ts';

/**
 * What a figure covers: a region and everything under it (or only its own level, 本级,
 * with `self`), or a department and its sub-departments (or only itself).
 */
export interface Scope {
  /** As the caller wrote it: `450000` or `dept:P001`. */
  key: string;
  kind: 'region' | 'department';
  code: string;
  name: string;
  self: boolean;
  level?: RegionLevel;
  /** Departments in scope, as a condition on a `departments` row aliased `d`. */
  departments: SQL;
  /** Regions in scope, as a condition on a `regions` row aliased `r` (region scopes only). */
  regions?: SQL;
}

export async function resolveScope(db: Db, key: string, self: boolean): Promise<Scope> {
  if (key.startsWith('dept:')) {
    const code = key.slice('dept:'.length);
    const [dept] = await db
      .select({ id: departments.id, name: departments.name, path: departments.path })
      .from(departments)
      .where(eq(departments.code, code));
    if (!dept)
      throw new AppError('not_found', `scope ${key}: department ${code} does not exist`, [
        { field: 'scope', message: `unknown department "${code}"` },
      ]);
    return {
      key,
      kind: 'department',
      code,
      name: dept.name,
      self,
      departments: self ? sql`d.id = ${dept.id}` : startsWithLiteral(sql`d.path`, dept.path),
    };
  }
  if (!/^\d{6}(\d{3})?$/.test(key)) {
    throw new AppError('validation_failed', `scope "${key}" is neither a division code nor dept:<code>`, [
      { field: 'scope', message: 'must be a 6- or 9-digit division code, or dept:<department code>' },
    ]);
  }
  const [region] = await db.select().from(regions).where(eq(regions.code, key));
  if (!region)
    throw new AppError('not_found', `scope ${key}: region does not exist`, [{ field: 'scope', message: `unknown region "${key}"` }]);
  return {
    key,
    kind: 'region',
    code: key,
    name: region.name,
    self,
    level: region.level,
    departments: self
      ? sql`d.region_code = ${key}`
      : sql`d.region_code in (select sr.code from regions sr where ${startsWithLiteral(sql`sr.path`, region.path)})`,
    regions: self ? sql`r.code = ${key}` : startsWithLiteral(sql`r.path`, region.path),
  };
}
