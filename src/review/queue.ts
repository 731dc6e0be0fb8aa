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
import type { AnyRecordKind } from '../registry/kinds/index.ts';
import type { Page } from '../registry/records/read.ts';
import { certifiedKinds } from './certified-records.ts';

// The review queue (待认定): every record of every certified kind still awaiting 认定, oldest
// first — what a reviewer works through in a campaign.

export interface ReviewQueueItem {
  /** The kind's URL segment (`systems` and the other certified kinds'). */
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
  const pattern = filter.q ? `%${escapeLike(filter.q)}%` : null;
  // Each kind's own table is filtered on its own, so each reads its review-queue index
  // (pending_since, code) in order, and the department scope is a semi-join.
  const selects = (kind: AnyRecordKind): SQL => {
    const t = kind.table;
    const conditions: (SQL | undefined)[] = [
      sql`${kind.classificationColumn} = 'pending'`,
      scope.length > 0 ? sql`${kind.ownerColumn} in (select ${departments.id} from ${departments} where ${and(...scope)})` : undefined,
      pattern ? sql`(${t}.name ilike ${pattern} or ${t}.code ilike ${pattern})` : undefined,
      filter.older_than_days === undefined
        ? undefined
        : sql`${t}.pending_since <= ${businessDate()}::date - ${filter.older_than_days}::int`,
    ];
    return and(...conditions) ?? sql`true`;
  };
  const counts = sql.join(
    kinds.map((kind) => sql`(select count(*) from ${kind.table} where ${selects(kind)})`),
    sql` + `,
  );
  // No kind contributes more than the page's depth: each branch stops there.
  const depth = filter.offset + filter.limit;
  const branches = sql.join(
    kinds.map((kind) => {
      const t = kind.table;
      return sql`(select ${kind.segment}::text as kind, ${t}.code, ${t}.name, ${kind.ownerColumn} as department_id,
                         ${t}.pending_since as waiting_since
                  from ${t} where ${selects(kind)} order by ${t}.pending_since, ${t}.code limit ${depth})`;
    }),
    sql` union all `,
  );
  // The count and the page at once: on PostgreSQL they run side by side on two connections.
  const [[counted], items] = await Promise.all([
    queryRows<{ n: number }>(db, sql`select (${counts})::int as n`),
    queryRows<ReviewQueueItem>(
      db,
      sql`select p.kind, p.code, p.name, ${departments.code} as department_code, ${departments.regionCode} as region_code,
               p.waiting_since::text as waiting_since
        from (${branches}) p join ${departments} on ${departments.id} = p.department_id
        order by p.waiting_since, p.code, p.kind
        limit ${filter.limit} offset ${filter.offset}`,
    ),
  ]);
  return { items, total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
}
