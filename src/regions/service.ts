import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type RegionLevel, regionLevels } from '../db/schema/enums.ts';
import { regions } from '../db/schema/index.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { fromRoot } from '../kernel/paths.ts';

export type Region = typeof regions.$inferSelect;

const divisionsFile = fromRoot('data', 'guangxi-divisions.csv');

interface DivisionRow {
  code: string;
  name: string;
  level: RegionLevel;
  parent_code: string;
}

/** Reads a divisions file (`code,name,level,parent_code`, parents before children). */
export async function readDivisions(file = divisionsFile): Promise<Region[]> {
  const rows = parse(await readFile(file), { columns: true, bom: true, skip_empty_lines: true }) as DivisionRow[];
  const paths = new Map<string, string>();
  return rows.map((r, i) => {
    if (!regionLevels.includes(r.level)) throw new AppError('bad_request', `${file}: row ${i + 2}: unknown level "${r.level}"`);
    const parentPath = r.parent_code ? paths.get(r.parent_code) : '/';
    if (parentPath === undefined)
      throw new AppError('bad_request', `${file}: row ${i + 2}: parent ${r.parent_code} is not listed before it`);
    const path = `${parentPath}${r.code}/`;
    paths.set(r.code, path);
    return { code: r.code, name: r.name, level: r.level, parentCode: r.parent_code || null, path };
  });
}

/** Loads the divisions; existing codes are refreshed (names change, e.g. 横县 → 横州市). */
export async function loadDivisions(db: Db, file?: string): Promise<number> {
  const divisions = await readDivisions(file);
  for (let i = 0; i < divisions.length; i += 1000) {
    await db
      .insert(regions)
      .values(divisions.slice(i, i + 1000))
      .onConflictDoUpdate({
        target: regions.code,
        set: { name: sql`excluded.name`, level: sql`excluded.level`, parentCode: sql`excluded.parent_code`, path: sql`excluded.path` },
      });
  }
  // A fresh table has no planner statistics; every indicator query joins this one.
  await db.execute(sql`analyze regions`);
  return divisions.length;
}

export async function countRegions(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(regions);
  return row?.n ?? 0;
}

export async function getRegion(db: Db, code: string): Promise<Region> {
  const [row] = await db.select().from(regions).where(eq(regions.code, code));
  if (!row) throw notFound('region', code);
  return row;
}

export async function listRegions(db: Db, filter: { parentCode?: string; level?: RegionLevel }): Promise<Region[]> {
  const conditions = [
    filter.parentCode ? eq(regions.parentCode, filter.parentCode) : undefined,
    filter.level ? eq(regions.level, filter.level) : undefined,
  ].filter((c) => c !== undefined);
  return db
    .select()
    .from(regions)
    .where(conditions.length > 0 ? sql.join(conditions, sql` and `) : undefined)
    .orderBy(asc(regions.code));
}
