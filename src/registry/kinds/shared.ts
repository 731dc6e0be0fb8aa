import { z } from '@hono/zod-openapi';
import { asc, type Column, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import type { PgTable } from 'drizzle-orm/pg-core';
import { upsertRows } from '../../db/bulk.ts';
import type { Db } from '../../db/client.ts';
import { departments } from '../../db/schema/index.ts';
import { PageQuery } from '../../http/router.ts';
import type { Area } from '../../identity/access.ts';
import { AppError, type FieldError } from '../../kernel/errors.ts';
import { type Label, recordKindLabels } from '../../vocabulary/records.ts';
import { code, name, q } from '../fields.ts';
import type { ColumnSpec, CurrentState, EntityTable, KindRow, RecordKind, References } from './types.ts';

export const unknownRef = (field: string, what: string, code: string): FieldError => ({
  field,
  message: `unknown ${what} "${code}"`,
});

/** The row's department must exist (or, for a department user, is refused by authorization instead). */
export const knownDepartment = (refs: References, code: string): FieldError[] =>
  refs.departments.has(code) ? [] : [unknownRef('department_code', 'department', code)];

export const knownRegion = (refs: References, code: string): FieldError[] =>
  refs.regions.has(code) ? [] : [unknownRef('region_code', 'region', code)];

export const departmentRef = (refs: References, code: string) => {
  const dept = refs.departments.get(code);
  if (!dept) throw new AppError('internal', `department ${code} was not resolved`);
  return dept.id;
};

/**
 * A built-in kind's names: its URL segment (also its authorization area and its label's key),
 * its history name, and its PascalCase singular for operation ids and OpenAPI components.
 */
export const kindNames = <S extends keyof typeof recordKindLabels & Area>(segment: S, tracked: string, one: string) => ({
  segment,
  tracked,
  names: { one, many: `${one}s` },
  label: recordKindLabels[segment],
  area: segment,
});

/** The fields of a record a department owns, first in its input row. */
export const ownedFields = { code, name, department_code: code };

/** Every kind's first spreadsheet columns. */
export const namedColumns = [
  { field: 'code', alias: '编码', type: 'text' },
  { field: 'name', alias: '名称', type: 'text' },
] as const satisfies readonly ColumnSpec[];

export const ownedColumns = [
  ...namedColumns,
  { field: 'department_code', alias: '部门编码', type: 'text' },
] as const satisfies readonly ColumnSpec[];

/** The spreadsheet column of a record that names its own region (checked by `knownRegion`). */
export const regionColumn = { field: 'region_code', alias: '行政区划代码', type: 'text' } as const satisfies ColumnSpec;

/** The view columns of `ownedFields`: the department's code through the loader's join. */
export const ownedView = (table: EntityTable & { name: Column }) => ({
  code: table.code,
  name: table.name,
  department_code: departments.code,
});

/** The stored columns of `ownedFields`. */
export const ownedValues = (r: { code: string; name: string; department_code: string }, refs: References) => ({
  code: r.code,
  name: r.name,
  departmentId: departmentRef(refs, r.department_code),
});

/** A list query: paging, `q` and the kind's own filters. */
export const listQuery = (filters: z.ZodRawShape) => PageQuery.extend({ q, ...filters });

/** Upserts rows by code and returns code → id. */
export async function writeByCode(db: Db, table: EntityTable, values: Record<string, unknown>[]): Promise<Map<string, number>> {
  const written = await upsertRows<EntityTable, { id: number; code: string }>(db, table, values, {
    conflictKey: 'code',
    returning: ['id', 'code'],
  });
  return new Map(written.map((w) => [w.code, w.id]));
}

/** A column read with its type: descriptors hold their tables as plain `EntityTable`s. */
export const typed = <T>(column: Column): SQL<T> => sql`${column}`.mapWith(column) as SQL<T>;

const byCodes = (column: Column, codes?: string[]): SQL | undefined => (codes ? inArray(column, codes) : undefined);

/**
 * The stored rows of a kind as input rows, `select` naming the view's columns (besides `id`).
 * Department-owned kinds join their department for `department_code`.
 */
export function viewLoader<I extends KindRow>(
  table: EntityTable,
  select: Record<string, Column | SQL>,
  owner?: Column,
  /** Tables the select also reads, left-joined on a condition (a system's cloud). */
  leftJoins: readonly [PgTable, SQL][] = [],
) {
  return async (db: Db, codes?: string[]) => {
    const base = db
      .select({ id: typed<number>(table.id), ...select })
      .from(table)
      .$dynamic();
    let joined = owner ? base.innerJoin(departments, eq(departments.id, owner)) : base;
    for (const [other, on] of leftJoins) joined = joined.leftJoin(other, on) as typeof joined;
    const rows = await joined.where(byCodes(table.code, codes)).orderBy(asc(table.code));
    // The select names exactly the fields of I; drizzle cannot see that through Record.
    return rows.map(({ id, ...view }) => ({ id, view: view as unknown as I }));
  };
}

/** A record's state column and since-date, its row locked (`for update`) until the transaction ends. */
async function lockRow<S>(db: Db, table: EntityTable, code: string, state: Column, since: Column) {
  const [row] = await db
    .select({ id: typed<number>(table.id), state: typed<S>(state), since: typed<string | null>(since) })
    .from(table)
    .where(eq(table.code, code))
    .for('update');
  return row;
}

/** Writes a record's state columns (by their SQL names) and stamps it updated. */
async function storeState(db: Db, table: EntityTable, id: number, values: Record<string, unknown>): Promise<void> {
  await db
    .update(table)
    .set({ ...values, updatedAt: new Date() } as never)
    .where(eq(table.id, id));
}

/** The lifecycle parts every kind spells out: its states' labels and legal moves. */
const lifecycleOf = (labels: Readonly<Record<string, Label>>, moves: Readonly<Record<string, readonly string[]>>) => {
  const states = Object.keys(labels) as [string, ...string[]];
  return { states, initial: states[0], moves, labels };
};

/**
 * A kind whose state is a column of its own: the row declares `state` and `state_at`, and a
 * transition writes both. Beside it a classification a reviewer certifies, unless `classified`
 * is false (an interface service has none).
 */
export function stateLifecycle<I extends KindRow & { state: string; state_at?: string | null }>(
  table: EntityTable,
  columns: { state: Column; stateAt: Column },
  labels: Readonly<Record<string, Label>>,
  moves: Readonly<Record<string, readonly string[]>>,
  classified = true,
) {
  return {
    lifecycle: { ...lifecycleOf(labels, moves), fields: ['state', 'state_at'], dateField: 'state_at', classified },
    declaredState: (r: I) => ({ value: r.state, since: r.state_at ?? null }),
    ...(classified ? { declaredClassification: (r: I & { classification?: string }) => r.classification ?? 'pending' } : {}),
    lockState: (db: Db, code: string) => lockRow<string>(db, table, code, columns.state, columns.stateAt),
    async writeState(db: Db, id: number, state: string, effectiveAt: string): Promise<string | null> {
      if (!Object.hasOwn(labels, state)) throw new AppError('internal', `"${state}" is not one of ${Object.keys(labels).join(', ')}`);
      await storeState(db, table, id, { [columns.state.name]: state, [columns.stateAt.name]: effectiveAt });
      return effectiveAt;
    },
  } satisfies Partial<RecordKind<I>>;
}

/**
 * A yes/no fact with its date kept as a two-valued state (a department's extranet access, an
 * item's integration, a node's commissioning): the date is kept only while it is yes. The
 * row's fields are the two columns' names in snake case, as everywhere in the registry.
 */
export function flagLifecycle<I extends KindRow = KindRow>(
  table: EntityTable,
  columns: { flag: Column; at: Column },
  labels: Readonly<Record<string, Label>>,
) {
  const [no, yes] = Object.keys(labels) as [string, string];
  const fields = { flag: toSnakeCase(columns.flag.name), at: toSnakeCase(columns.at.name) };
  const read = (r: I) => r as unknown as Record<string, unknown>;
  const parts = {
    lifecycle: {
      ...lifecycleOf(labels, { [no]: [yes], [yes]: [no] }),
      fields: [fields.flag, fields.at],
      dateField: fields.at,
      classified: false,
    },
    declaredState: (r: I) => {
      const on = read(r)[fields.flag] === true;
      return { value: on ? yes : no, since: on ? ((read(r)[fields.at] as string | null | undefined) ?? null) : null };
    },
    /** A date only makes sense when the fact is yes. */
    checkFlag: (r: I): FieldError[] =>
      read(r)[fields.flag] !== true && read(r)[fields.at] ? [{ field: fields.at, message: `is set but ${fields.flag} is false` }] : [],
    /** The flag's column values for a planned state. */
    stored: (state: { value: string; since: string | null }) => ({
      [columns.flag.name]: state.value === yes,
      [columns.at.name]: state.value === yes ? state.since : null,
    }),
    /** The list query's `state` filter, and its condition. */
    stateQuery: z.enum([no, yes]).optional(),
    stateFilter: (state: unknown) => (state ? eq(columns.flag, state === yes) : undefined),
    async lockState(db: Db, code: string): Promise<CurrentState | undefined> {
      const row = await lockRow<boolean>(db, table, code, columns.flag, columns.at);
      return row && { id: row.id, state: row.state ? yes : no, since: row.since };
    },
    async writeState(db: Db, id: number, state: string, effectiveAt: string): Promise<string | null> {
      const on = state === yes;
      const since = on ? effectiveAt : null;
      await storeState(db, table, id, { [columns.flag.name]: on, [columns.at.name]: since });
      return since;
    },
  };
  /** The descriptor's members, spread into it. */
  const descriptor = {
    lifecycle: parts.lifecycle,
    declaredState: parts.declaredState,
    lockState: parts.lockState,
    writeState: parts.writeState,
  };
  return { ...parts, descriptor };
}

/** The transition body of a kind: a target state, a business date, a note. */
export const stateEnum = (states: readonly [string, ...string[]]) => z.enum(states);
