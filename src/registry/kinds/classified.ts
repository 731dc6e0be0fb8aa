import { z } from '@hono/zod-openapi';
import { type Column, eq } from 'drizzle-orm';
import { classifications } from '../../db/schema/enums.ts';
import { classificationLabels, type Label, zhNames } from '../../vocabulary/records.ts';
import { classification, department, isoDate, region } from '../fields.ts';
import { matches, ownedBy } from '../filters.ts';
import { listQuery, ownedColumns, ownedFields, ownedValues, ownedView, stateLifecycle } from './shared.ts';
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
    descriptor: {
      ownerColumn: table.departmentId,
      classificationColumn: table.classification,
      ...stateLifecycle<ClassifiedRow>(table, { state: table.state, stateAt: table.stateAt }, labels, moves),
    },
    filters: async (db: Parameters<typeof ownedBy>[0], f: KindFilter) => [
      await ownedBy(db, table.departmentId, f),
      f.state ? eq(table.state, f.state) : undefined,
      f.classification ? eq(table.classification, f.classification) : undefined,
      matches(f.q, table.name, table.code),
    ],
    view: {
      ...ownedView(table),
      classification: table.classification,
      state: table.state,
      state_at: table.stateAt,
    },
    /** The stored columns of a planned row. */
    values: ({ input: r, state: declared }: Planned<ClassifiedRow>, refs: References) => ({
      ...ownedValues(r, refs),
      classification: r.classification,
      state: r.state,
      stateAt: declared.since,
    }),
  };
}
