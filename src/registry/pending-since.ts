import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { chunk } from '../kernel/chunk.ts';
import type { AnyRecordKind } from './kinds/index.ts';

/**
 * The business date a record began to await 认定, from its history: its latest active move
 * back to pending (a failed re-review), or the day it was registered. The same expression
 * filled the column when it was added (drizzle/0012).
 */
export function pendingSinceOf(kind: AnyRecordKind, record: SQL): SQL {
  return sql`coalesce(
    (select max(coalesce(t.effective_at, (t.recorded_at at time zone 'Asia/Shanghai')::date)) from transitions t
      where t.kind = ${kind.tracked} and t.entity_id = ${record}.id and t.field = 'classification'
        and t.to_value = 'pending' and t.superseded_at is null),
    (${record}.created_at at time zone 'Asia/Shanghai')::date)`;
}

/**
 * Keeps `pending_since` of a certified kind's records in step with their history, in the
 * transaction that changed it, so the review queue reads its order from an index rather than
 * from every pending record's transitions.
 */
export async function refreshPendingSince(db: Db, kind: AnyRecordKind | undefined, entityIds: readonly number[]): Promise<void> {
  if (!kind?.classificationColumn || !kind.ownerColumn) return;
  for (const ids of chunk(entityIds, 5000)) {
    const since = pendingSinceOf(kind, sql.raw('e'));
    await db.execute(sql`update ${kind.table} e set pending_since = ${since}
      where e.id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )}) and e.pending_since is distinct from ${since}`);
  }
}
