import { and, asc, desc, eq, ne } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { snapshots } from '../db/schema/index.ts';
import { AppError } from '../kernel/errors.ts';
import { parseMonth } from './months.ts';

/** The monthly snapshots as records: their metadata and the current revision of each month. */

export type SnapshotRow = typeof snapshots.$inferSelect;

export interface SnapshotMeta {
  month: string;
  revision: number;
  status: SnapshotRow['status'];
  as_of: string;
  requested_at: string;
  requested_by: string;
  frozen_at: string | null;
  frozen_by: string | null;
  reason: string | null;
  registry_version: number | null;
  scope_count: number;
  figure_count: number;
  duration_ms: number | null;
  superseded_at: string | null;
}

export const snapshotMeta = (row: SnapshotRow): SnapshotMeta => ({
  month: row.month,
  revision: row.revision,
  status: row.status,
  as_of: row.asOf,
  requested_at: row.requestedAt.toISOString(),
  requested_by: row.requestedBy,
  frozen_at: row.frozenAt?.toISOString() ?? null,
  frozen_by: row.frozenBy,
  reason: row.reason,
  registry_version: row.registryVersion,
  scope_count: row.scopeCount,
  figure_count: row.figureCount,
  duration_ms: row.durationMs,
  superseded_at: row.supersededAt?.toISOString() ?? null,
});

/** A month's current snapshot row (pending or frozen), if any. */
export const currentRow = (db: Db, month: string) =>
  db
    .select()
    .from(snapshots)
    .where(and(eq(snapshots.month, month), ne(snapshots.status, 'superseded')));

export async function pendingMonths(db: Db): Promise<string[]> {
  const rows = await db
    .select({ month: snapshots.month })
    .from(snapshots)
    .where(eq(snapshots.status, 'pending'))
    .orderBy(asc(snapshots.month));
  return rows.map((r) => r.month);
}

/** Each month's current snapshot (pending or frozen), oldest first. */
export async function listSnapshots(db: Db): Promise<SnapshotMeta[]> {
  const rows = await db.select().from(snapshots).where(ne(snapshots.status, 'superseded')).orderBy(asc(snapshots.month));
  return rows.map(snapshotMeta);
}

/** Every revision of a month, newest first. */
export async function snapshotRevisions(db: Db, month: string): Promise<SnapshotMeta[]> {
  parseMonth(month);
  const rows = await db.select().from(snapshots).where(eq(snapshots.month, month)).orderBy(desc(snapshots.revision));
  if (rows.length === 0) throw new AppError('not_found', `no snapshot of ${month}; freeze it with: yunwang snapshot --month ${month}`);
  return rows.map(snapshotMeta);
}

/** The month's frozen snapshot, or undefined when it is not frozen (yet). */
export async function frozenSnapshot(db: Db, month: string): Promise<SnapshotRow | undefined> {
  const [row] = await db
    .select()
    .from(snapshots)
    .where(and(eq(snapshots.month, parseMonth(month)), eq(snapshots.status, 'frozen')));
  return row;
}

export async function requireFrozen(db: Db, month: string): Promise<SnapshotRow> {
  const row = await frozenSnapshot(db, month);
  if (!row) {
    throw new AppError('not_found', `${month} is not frozen; freeze it first: yunwang snapshot --month ${month}`, [
      { field: 'month', message: 'no frozen snapshot of this month' },
    ]);
  }
  return row;
}
