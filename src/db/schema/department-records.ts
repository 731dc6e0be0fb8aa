import { text } from 'drizzle-orm/pg-core';
import { calendarDate, recordColumns, requiredId } from './columns.ts';
import { departments } from './departments.ts';
import { classifications } from './enums.ts';

/** A record a department owns: a system, a service item and the like. */
export const departmentRecordColumns = (table: string) => ({
  ...recordColumns(table),
  departmentId: requiredId(() => departments.id),
});

/**
 * A department's record whose classification a reviewer certifies (认定; see CertifiedKind) and
 * whose state moves over business time; `stateAt` is the business date of the latest move.
 */
export const certifiedRecordColumns = <S extends string>(table: string, states: readonly [S, ...S[]], initial: NoInfer<S>) => ({
  ...departmentRecordColumns(table),
  classification: text({ enum: classifications }).notNull().default('pending'),
  state: text({ enum: states }).notNull().default(initial),
  stateAt: calendarDate(),
});
