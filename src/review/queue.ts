import { and, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { escapeLike } from '../db/prefix.ts';
import { queryRows } from '../db/raw.ts';
import { departments } from '../db/schema/index.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { departmentScope } from '../registry/filters.ts';
import type { Page } from '../registry/records/read.ts';
import { certifiedKinds } from './certified-records.ts';

// The review queue (待认定): every record of every certified kind still awaiting 认定, oldest
// first — what a reviewer works through in a campaign.

export interface ReviewQueueItem {
  /** The kind's URL segment: `systems`, `private-networks`, `data-centres`. */
  kind: string;
  code: string;
  name: string;
  department_code: string;
  region_code: string;
  /** The business date the record began to await 认定: registered, or sent back by a failed re-review. */
  waiting_since: string;
}

export interface ReviewQueueFilter {
  kind?: string;
  department?: string;
  region?: string;
  q?: string;
  older_than_days?: number;
  limit: number;
  offset: number;
}

/**
 * Each certified kind's pending records, with the date each began to wait: its last active
 * move back to pending (a failed re-review), or the day it was registered.
 */
function pendingRecords(kinds: ReturnType<typeof certifiedKinds>): SQL {
  return sql.join(
    kinds.map(
      (kind) => sql`select ${kind.segment}::text as kind, e.code, e.name, e.department_id,
        coalesce((select max(coalesce(t.effective_at, (t.recorded_at at time zone 'Asia/Shanghai')::date)) from transitions t
                  where t.kind = ${kind.tracked} and t.entity_id = e.id and t.field = 'classification'
                    and t.to_value = 'pending' and t.superseded_at is null),
                 (e.created_at at time zone 'Asia/Shanghai')::date) as waiting_since
        from ${kind.table} e where e.classification = 'pending'`,
    ),
    sql` union all `,
  );
}

/** The records awaiting 认定 that the filter selects, oldest first, a page at a time. */
export async function listReviewQueue(db: Db, filter: ReviewQueueFilter, actor: Actor): Promise<Page<ReviewQueueItem>> {
  assertCan(actor.access, 'read', 'certifications');
  const all = certifiedKinds();
  const kinds = filter.kind ? all.filter((k) => k.segment === filter.kind) : all;
  if (kinds.length === 0) {
    throw new AppError('validation_failed', `kind ${filter.kind} is not certified`, [
      { field: 'kind', message: `must be one of ${all.map((k) => k.segment).join(', ')}` },
    ]);
  }
  const scope = await departmentScope(db, filter);
  const conditions: (SQL | undefined)[] = [
    ...scope,
    filter.q ? sql`(p.name ilike ${`%${escapeLike(filter.q)}%`} or p.code ilike ${`%${escapeLike(filter.q)}%`})` : undefined,
    filter.older_than_days === undefined ? undefined : sql`p.waiting_since <= ${businessDate()}::date - ${filter.older_than_days}::int`,
  ];
  const where = and(...conditions) ?? sql`true`;
  const from = sql`(${pendingRecords(kinds)}) p join ${departments} on ${departments.id} = p.department_id`;
  const [counted] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${from} where ${where}`);
  const items = await queryRows<ReviewQueueItem>(
    db,
    sql`select p.kind, p.code, p.name, ${departments.code} as department_code, ${departments.regionCode} as region_code,
               p.waiting_since::text as waiting_since
        from ${from} where ${where}
        order by p.waiting_since, p.kind, p.code
        limit ${filter.limit} offset ${filter.offset}`,
  );
  return { items, total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
}
