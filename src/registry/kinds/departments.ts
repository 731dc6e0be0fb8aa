import { z } from '@hono/zod-openapi';
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { upsertRows } from '../../db/bulk.ts';
import { startsWithLiteral } from '../../db/prefix.ts';
import { departmentKinds } from '../../db/schema/enums.ts';
import { departments } from '../../db/schema/index.ts';
import { AppError } from '../../kernel/errors.ts';
import { departmentKindLabels, extranetStateLabels, zhNames } from '../../vocabulary/records.ts';
import { code, department, isoDate, name, region, regionCode, stamps } from '../fields.ts';
import { departmentScope, matches } from '../filters.ts';
import { departmentRef, flagLifecycle, kindNames, knownRegion, listQuery, namedColumns, regionColumn, unknownRef } from './shared.ts';
import type { RecordKind } from './types.ts';

export const DepartmentInput = z
  .object({
    code,
    name,
    region_code: regionCode,
    parent_code: code.nullish(),
    kind: z.enum(departmentKinds),
    extranet_connected: z.boolean().default(false),
    extranet_connected_at: isoDate.nullish(),
  })
  .openapi('DepartmentInput');
export type DepartmentInput = z.infer<typeof DepartmentInput>;

const Department = DepartmentInput.extend(stamps).openapi('Department');

const parents = alias(departments, 'parent');

const lifecycle = flagLifecycle(
  departments,
  { flag: departments.extranetConnected, at: departments.extranetConnectedAt },
  extranetStateLabels,
);

/** 部门: the departments, a tree; their extranet access feeds the extranet indicator. */
export const departmentsKind: RecordKind<DepartmentInput, z.infer<typeof Department>> = {
  ...kindNames('departments', 'department', 'Department'),
  table: departments,
  schemas: { input: DepartmentInput, item: Department, query: listQuery({ department, region, state: lifecycle.stateQuery }) },
  ...lifecycle.descriptor,
  columns: [
    ...namedColumns,
    regionColumn,
    { field: 'parent_code', alias: '上级编码', type: 'text' },
    { field: 'kind', alias: '类型', type: 'enum', values: zhNames(departmentKindLabels) },
    { field: 'extranet_connected', alias: '已接入外网', type: 'boolean' },
    { field: 'extranet_connected_at', alias: '接入日期', type: 'date' },
  ],
  indicators: ['extranet_access'],
  filters: async (db, f) => [
    ...(await departmentScope(db, f)),
    lifecycle.stateFilter(f.state),
    matches(f.q, departments.name, departments.code),
  ],
  // Parents before children, so an export re-imports in one pass.
  loadViews: async (db, codes) => {
    const rows = await db
      .select({
        id: departments.id,
        code: departments.code,
        name: departments.name,
        region_code: departments.regionCode,
        parent_code: parents.code,
        kind: departments.kind,
        extranet_connected: departments.extranetConnected,
        extranet_connected_at: departments.extranetConnectedAt,
      })
      .from(departments)
      .leftJoin(parents, eq(parents.id, departments.parentId))
      .where(codes ? inArray(departments.code, codes) : undefined)
      .orderBy(asc(departments.path));
    return rows.map(({ id, ...view }) => ({ id, view }));
  },
  check: (r, refs, fileCodes) => [
    ...knownRegion(refs, r.region_code),
    ...(r.parent_code && r.parent_code === r.code ? [{ field: 'parent_code', message: 'a department cannot be its own parent' }] : []),
    ...(r.parent_code && !refs.departments.has(r.parent_code) && !fileCodes.has(r.parent_code)
      ? [unknownRef('parent_code', 'department', r.parent_code)]
      : []),
    ...lifecycle.checkFlag(r),
  ],
  // Parents are written before their children, one generation at a time, so that every
  // child finds its parent's id and path.
  async write(db, rows, refs) {
    const ids = new Map<string, number>();
    let pending = rows;
    while (pending.length > 0) {
      const waiting = new Set(pending.map((p) => p.input.code));
      const ready = pending.filter((p) => !p.input.parent_code || !waiting.has(p.input.parent_code));
      if (ready.length === 0) {
        throw new AppError(
          'import_rejected',
          'departments refer to each other in a cycle',
          pending.map((p) => ({ index: p.index, field: 'parent_code', message: 'is part of a parent cycle' })),
        );
      }
      const planned = ready.map((p) => {
        const r = p.input;
        const parent = r.parent_code ? refs.departments.get(r.parent_code) : undefined;
        if (parent?.path.includes(`/${r.code}/`)) {
          throw new AppError('import_rejected', 'departments refer to each other in a cycle', [
            { index: p.index, field: 'parent_code', message: `${r.parent_code} is below ${r.code}` },
          ]);
        }
        const path = `${parent?.path ?? '/'}${r.code}/`;
        return {
          oldPath: refs.departments.get(r.code)?.path,
          values: {
            code: r.code,
            name: r.name,
            regionCode: r.region_code,
            parentId: parent ? departmentRef(refs, r.parent_code as string) : null,
            kind: r.kind,
            path,
            ...lifecycle.stored(p.state),
          },
        };
      });
      const written = await upsertRows<typeof departments, { id: number; code: string; path: string }>(
        db,
        departments,
        planned.map((p) => p.values),
        { conflictKey: 'code', returning: ['id', 'code', 'path'] },
      );
      for (const w of written) {
        refs.departments.set(w.code, { id: w.id, path: w.path });
        ids.set(w.code, w.id);
      }
      for (const { oldPath, values } of planned) {
        if (!oldPath || oldPath === values.path) continue;
        // Moving a department moves its whole subtree. The offset is cast: an untyped parameter
        // makes `substring(text from …)` the regular-expression form, which yields null.
        await db
          .update(departments)
          .set({ path: sql`${values.path} || substring(${departments.path} from ${oldPath.length + 1}::int)` })
          .where(and(startsWithLiteral(departments.path, oldPath), ne(departments.code, values.code)));
      }
      pending = pending.filter((p) => !ready.includes(p));
    }
    return ids;
  },
};
