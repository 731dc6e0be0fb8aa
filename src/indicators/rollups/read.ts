import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { queryRows } from '../../db/raw.ts';
import type { Scope } from '../scope.ts';
import { readRollupState } from './maintain.ts';

/** One indicator's counts for a scope and date, per breakdown group and region level. */
export interface RollupCount {
  indicator: string;
  breakdown: string;
  level: string;
  denominator: number;
  numerator: number;
  pending: number;
  items: number;
}

/**
 * The grid month end a figure as of `at` starts from (the last month end of the grid on or before
 * it; none before the grid starts), so that the state and the counts are read in one statement: one
 * snapshot, even while a write extends the grid or a rebuild replaces it.
 */
export const checkpointSql = (at: string) => sql`(select case
    when st.first_month is null then null
    when (date_trunc('month', (${at}::date + 1)::timestamp) - interval '1 day')::date < st.first_month then null
    else least(st.last_month, (date_trunc('month', (${at}::date + 1)::timestamp) - interval '1 day')::date) end
  from rollup_state st where st.id = 1)`;

/**
 * Every rolled-up indicator's counts for one scope as of the end of `at`, or null while the
 * rollups are not built. A region scope sums the month-end levels of its regions and the
 * deltas of their departments since; a department scope sums its departments' deltas. The
 * scope is resolved now, through the departments' and regions' current paths, as the item
 * SQL resolves it.
 */
export async function readRollupCounts(db: Db, scope: Scope, at: string): Promise<RollupCount[] | null> {
  const sums = sql`sum(c.denominator)::int as denominator, sum(c.numerator)::int as numerator,
                   sum(c.pending)::int as pending, sum(c.items)::int as items`;
  const built = sql`(select built from rollup_state where id = 1) as built`;
  const rows =
    scope.kind === 'department' || !scope.regions
      ? await queryRows<RollupCount & { built: boolean }>(
          db,
          sql`select c.indicator, c.breakdown, r.level, ${sums}, ${built}
              from rollup_deltas c join departments d on d.id = c.department_id join regions r on r.code = d.region_code
              where ${scope.departments} and c.on_date <= ${at}::date
              group by c.indicator, c.breakdown, r.level`,
        )
      : await queryRows<RollupCount & { built: boolean }>(
          db,
          sql`with month as (select ${checkpointSql(at)} as m)
              select c.indicator, c.breakdown, r.level, ${sums}, ${built}
              from (
                select c.region_code, c.indicator, c.breakdown, c.denominator, c.numerator, c.pending, c.items
                from rollup_checkpoints c where c.month_end = (select m from month)
                union all
                select d.region_code, x.indicator, x.breakdown, x.denominator, x.numerator, x.pending, x.items
                from rollup_deltas x join departments d on d.id = x.department_id
                where x.on_date <= ${at}::date and x.on_date >= coalesce((select m + 1 from month), '-infinity'::date)
              ) c join regions r on r.code = c.region_code
              where ${scope.regions}
              group by c.indicator, c.breakdown, r.level`,
        );
  const isBuilt = rows[0]?.built ?? (await readRollupState(db))?.built ?? false;
  if (!isBuilt) return null;
  return rows.map(({ built: _, ...count }) => count);
}
