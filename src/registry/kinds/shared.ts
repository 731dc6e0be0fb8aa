import { z } from '@hono/zod-openapi';
import { asc, type Column, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { upsertRows } from '../../db/bulk.ts';
import type { Db } from '../../db/client.ts';
import { departments } from '../../db/schema/index.ts';
import { PageQuery } from '../../http/router.ts';
import { AppError, type FieldError } from '../../kernel/errors.ts';
import type { Label } from '../../vocabulary/records.ts';
import { q } from '../fields.ts';
import type { CurrentState, EntityTable, KindRow, RecordKind, References } from './types.ts';

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
export function viewLoader<I extends KindRow>(table: EntityTable, select: Record<string, Column>, owner?: Column) {
  return async (db: Db, codes?: string[]) => {
    const base = db
      .select({ id: typed<number>(table.id), ...select })
      .from(table)
      .$dynamic();
    const joined = owner ? base.innerJoin(departments, eq(departments.id, owner)) : base;
    const rows = await joined.where(byCodes(table.code, codes)).orderBy(asc(table.code));
    // The select names exactly the fields of I; drizzle cannot see that through Record.
    return rows.map(({ id, ...view }) => ({ id, view: view as unknown as I }));
  };
}

/** The lifecycle parts every kind spells out: its states' labels and legal moves. */
const lifecycleOf = (labels: Readonly<Record<string, Label>>, moves: Readonly<Record<string, readonly string[]>>) => {
  const states = Object.keys(labels) as [string, ...string[]];
  return { states, initial: states[0], moves, labels };
};

/**
 * A kind whose state is a column of its own, with a classification beside it: the row declares
 * `state` and `state_at`, and a transition writes both.
 */
export function stateLifecycle<I extends KindRow & { state: string; state_at?: string | null }>(
  table: EntityTable,
  columns: { state: Column; stateAt: Column },
  labels: Readonly<Record<string, Label>>,
  moves: Readonly<Record<string, readonly string[]>>,
) {
  return {
    lifecycle: { ...lifecycleOf(labels, moves), fields: ['state', 'state_at'], dateField: 'state_at', classified: true },
    declaredState: (r: I) => ({ value: r.state, since: r.state_at ?? null }),
    declaredClassification: (r: I & { classification?: string }) => r.classification ?? 'pending',
    async lockState(db: Db, code: string): Promise<CurrentState | undefined> {
      const [row] = await db
        .select({ id: typed<number>(table.id), state: typed<string>(columns.state), since: typed<string | null>(columns.stateAt) })
        .from(table)
        .where(eq(table.code, code))
        .for('update');
      return row;
    },
    async writeState(db: Db, id: number, state: string, effectiveAt: string): Promise<string | null> {
      if (!Object.hasOwn(labels, state)) throw new AppError('internal', `"${state}" is not one of ${Object.keys(labels).join(', ')}`);
      await db
        .update(table)
        .set({ [columns.state.name]: state, [columns.stateAt.name]: effectiveAt, updatedAt: new Date() } as never)
        .where(eq(table.id, id));
      return effectiveAt;
    },
  } satisfies Partial<RecordKind<I>>;
}

/**
 * A yes/no fact with its date kept as a two-valued state (a department's extranet access, an
 * item's integration, a node's commissioning): the date is kept only while it is yes.
 */
export function flagLifecycle<I extends KindRow>(
  table: EntityTable,
  columns: { flag: Column; at: Column },
  fields: { flag: keyof I & string; at: keyof I & string },
  labels: Readonly<Record<string, Label>>,
) {
  const [no, yes] = Object.keys(labels) as [string, string];
  const read = (r: I) => r as unknown as Record<string, unknown>;
  return {
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
    stateFilter: (state: unknown) => (state ? eq(columns.flag, state === yes) : undefined),
    async lockState(db: Db, code: string): Promise<CurrentState | undefined> {
      const [row] = await db
        .select({ id: typed<number>(table.id), on: typed<boolean>(columns.flag), since: typed<string | null>(columns.at) })
        .from(table)
        .where(eq(table.code, code))
        .for('update');
      return row && { id: row.id, state: row.on ? yes : no, since: row.since };
    },
    async writeState(db: Db, id: number, state: string, effectiveAt: string): Promise<string | null> {
      const on = state === yes;
      const since = on ? effectiveAt : null;
      await db
        .update(table)
        .set({ [columns.flag.name]: on, [columns.at.name]: since, updatedAt: new Date() } as never)
        .where(eq(table.id, id));
      return since;
    },
  };
}

/** The transition body of a kind: a target state, a business date, a note. */
export const stateEnum = (states: readonly [string, ...string[]]) => z.enum(states);
