import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { queryRows } from '../../db/raw.ts';
import type { Scope } from '../scope.ts';
import { type RollupState, readRollupState } from './maintain.ts';
import { monthEndOnOrBefore } from './months.ts';

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

/** The month-end level a figure as of `at` starts from: the last grid month end on or before it. */
export function checkpointFor(state: Pick<RollupState, 'firstMonth' | 'lastMonth'>, at: string): string | null {
  if (!state.firstMonth || !state.lastMonth) return null;
  const end = monthEndOnOrBefore(at);
  if (end < state.firstMonth) return null;
  return end > state.lastMonth ? state.lastMonth : end;
}

/**
 * Every rolled-up indicator's counts for one scope as of the end of `at`, or null while the
 * rollups are not built. A region scope sums the month-end levels of its regions and the
 * deltas of their departments since; a department scope sums its departments' deltas. The
 * scope is resolved now, through the departments' and regions' current paths, as the item
 * SQL resolves it.
 */
export async function readRollupCounts(db: Db, scope: Scope, at: string): Promise<RollupCount[] | null> {
  const state = await readRollupState(db);
  if (!state?.built) return null;
  const sums = sql`sum(c.denominator)::int as denominator, sum(c.numerator)::int as numerator,
                   sum(c.pending)::int as pending, sum(c.items)::int as items`;
  if (scope.kind === 'department' || !scope.regions) {
    return queryRows<RollupCount>(
      db,
      sql`select c.indicator, c.breakdown, r.level, ${sums}
          from rollup_deltas c join departments d on d.id = c.department_id join regions r on r.code = d.region_code
          where ${scope.departments} and c.on_date <= ${at}::date
          group by c.indicator, c.breakdown, r.level`,
    );
  }
  const month = checkpointFor(state, at);
  const levels = month
    ? sql`select c.region_code, c.indicator, c.breakdown, c.denominator, c.numerator, c.pending, c.items
          from rollup_checkpoints c where c.month_end = ${month}::date
          union all`
    : sql``;
  return queryRows<RollupCount>(
    db,
    sql`select c.indicator, c.breakdown, r.level, ${sums}
        from (
          ${levels}
          select d.region_code, x.indicator, x.breakdown, x.denominator, x.numerator, x.pending, x.items
          from rollup_deltas x join departments d on d.id = x.department_id
          where x.on_date <= ${at}::date ${month ? sql`and x.on_date > ${month}::date` : sql``}
        ) c join regions r on r.code = c.region_code
        where ${scope.regions}
        group by c.indicator, c.breakdown, r.level`,
  );
}
