import { sql } from 'drizzle-orm';
import { type AnyPgColumn, index, text } from 'drizzle-orm/pg-core';
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
  /**
   * The business date it began to await 认定 (registered, or sent back by a failed re-review):
   * the review queue's order, kept from the history by the registry (see registry/pending-since.ts).
   */
  pendingSince: calendarDate().notNull().default(sql`((now() at time zone 'Asia/Shanghai')::date)`),
});

/** The review queue (待认定) reads each certified table's pending records oldest first, by this index. */
export const reviewQueueIndex = (table: string, t: { pendingSince: AnyPgColumn; code: AnyPgColumn; classification: AnyPgColumn }) =>
  index(`${table}_review_queue_idx`).on(t.pendingSince, t.code).where(sql`${t.classification} = 'pending'`);
