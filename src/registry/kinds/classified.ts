import { z } from '@hono/zod-openapi';
import { type Column, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { classifications } from '../../db/schema/enums.ts';
import { classificationLabels, type Label, zhNames } from '../../vocabulary/records.ts';
import { classification, department, isoDate, region } from '../fields.ts';
import { matches, ownedBy } from '../filters.ts';
import { listQuery, ownedColumns, ownedFields, ownedValues, ownedView, stateLifecycle, viewLoader, writeByCode } from './shared.ts';
import type { ColumnSpec, EntityTable, KindFilter, KindRow, Planned, References } from './types.ts';

/** The table of a classified kind: a department's record with a classification and a state. */
export type ClassifiedTable = EntityTable & { name: Column; departmentId: Column; classification: Column; state: Column; stateAt: Column };

type ClassifiedRow = KindRow & { name: string; department_code: string; classification: string; state: string; state_at?: string | null };

/**
 * What the kinds a reviewer certifies share: a department owns the record, a reviewer
 * certifies its classification (认定), and a figure counts its state over the non-classified
 * ones. The kind adds its own fields, columns and filters after these.
 */
export function classifiedKind<S extends string>(
  table: ClassifiedTable,
  states: readonly [S, ...S[]],
  labels: Readonly<Record<S, Label>>,
  moves: Readonly<Record<S, readonly S[]>>,
) {
  const state = z.enum(states);
  const filters = async (db: Parameters<typeof ownedBy>[0], f: KindFilter) => [
    await ownedBy(db, table.departmentId, f),
    f.state ? eq(table.state, f.state) : undefined,
    f.classification ? eq(table.classification, f.classification) : undefined,
    matches(f.q, table.name, table.code),
  ];
  return {
    /** The input fields, in the API's and the spreadsheet's order. */
    fields: {
      ...ownedFields,
      classification: z.enum(classifications).default('pending'),
      state: state.default(states[0]),
      state_at: isoDate.nullish(),
    },
    query: (own: z.ZodRawShape = {}) => listQuery({ department, region, state: state.optional(), classification, ...own }),
    columns: [
      ...ownedColumns,
      { field: 'classification', alias: '密级', type: 'enum', values: zhNames(classificationLabels) },
      { field: 'state', alias: '状态', type: 'enum', values: zhNames(labels) },
      { field: 'state_at', alias: '状态日期', type: 'date' },
    ] satisfies ColumnSpec[],
    /** The descriptor's members every classified kind has alike (a kind with filters of its own extends `filters`). */
    descriptor: {
      table,
      filters,
      ownerColumn: table.departmentId,
      classificationColumn: table.classification,
      ...stateLifecycle<ClassifiedRow>(table, { state: table.state, stateAt: table.stateAt }, labels, moves),
    },
    filters,
    /**
     * The kind's `loadViews`: the columns every classified kind shows, the department's code
     * through its join, and the kind's own columns (`own`, read through `leftJoins`).
     */
    loadViews: <I extends KindRow>(own: Record<string, Column> = {}, leftJoins: Parameters<typeof viewLoader>[3] = []) =>
      viewLoader<I>(
        table,
        { ...ownedView(table), classification: table.classification, state: table.state, state_at: table.stateAt, ...own },
        table.departmentId,
        leftJoins,
      ),
    /**
     * The kind's `write`: upserts the planned rows by code with the columns every classified
     * kind stores, and those of its own fields that `own` gives (by column property).
     */
    write:
      <I extends ClassifiedRow>(own: (row: I, refs: References) => Record<string, unknown> = () => ({})) =>
      (db: Db, rows: Planned<I>[], refs: References) =>
        writeByCode(
          db,
          table,
          rows.map(({ input: r, state: declared }) => ({
            ...ownedValues(r, refs),
            classification: r.classification,
            state: r.state,
            stateAt: declared.since,
            ...own(r, refs),
          })),
        ),
  };
}
