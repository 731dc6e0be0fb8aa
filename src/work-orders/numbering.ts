import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';

/** Orders are numbered per calendar year as the province counts it (Asia/Shanghai), not UTC. */
export function orderYear(at: Date): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(at));
}

/**
 * The next code of the year, `WO-2026-000001`. One upsert takes the number: concurrent
 * creators each get their own, and a rolled-back creation only leaves a gap.
 */
export async function nextOrderCode(db: Db, at: Date): Promise<string> {
  const year = orderYear(at);
  const [row] = await queryRows<{ last: number }>(
    db,
    sql`insert into work_order_sequences (year, last) values (${year}, 1)
        on conflict (year) do update set last = work_order_sequences.last + 1
        returning last`,
  );
  if (!row) throw new Error('work_order_sequences returned no number');
  return `WO-${year}-${String(row.last).padStart(6, '0')}`;
}
