import { type SQL, sql } from 'drizzle-orm';
import { definitions, type IndicatorDefinition, indicatorKeys } from '../definitions.ts';
import type { Scope } from '../scope.ts';

/** An indicator the rollups keep: every one whose definition says how (not the coverage ones). */
export type RolledUp = IndicatorDefinition & { rollup: NonNullable<IndicatorDefinition['rollup']> };

export const rolledUp: readonly RolledUp[] = indicatorKeys.map((k) => definitions[k]).filter((d): d is RolledUp => d.rollup !== undefined);

export const rolledUpFor = (kind: string): readonly RolledUp[] => rolledUp.filter((d) => d.rollup.kind === kind);

/** Every department: the rollups take the items of all of them and resolve scopes when read. */
const everywhere: Scope = {
  key: '*',
  kind: 'region',
  code: '*',
  name: '*',
  self: false,
  departments: sql`true`,
  regions: sql`true`,
};

/**
 * The spans of the items of one indicator whose timeline rows match `entities` (a condition
 * on `t.entity_id`), one row each: item_id, department_id, breakdown, valid_from, valid_to,
 * denominator, numerator, pending, items.
 *
 * How the indicator stays one definition: the spans are not a second description of it. The
 * definition's own item SQL (`def.items`) is evaluated, with `at` bound to a column, at every
 * date where its answer for an item can change — the start of each of the item's timeline
 * intervals, plus the dates the definition declares (`rollup.changesAt`) for flags that move
 * with `at` alone (an assessment expiring). Between two such dates every input of the SQL is
 * the same, so its answer is too; adjacent segments with equal answers are merged.
 */
export function spansOf(def: RolledUp, entities: SQL): SQL {
  const { kind, breakdown, changesAt = [] } = def.rollup;
  const within =
    changesAt.length === 0
      ? sql``
      : sql`union all
      select t.entity_id, c.at from timeline t
      cross join lateral (values ${sql.join(
        changesAt.map((c) => sql`((${c})::date)`),
        sql`, `,
      )}) c(at)
      where t.kind = ${kind} and ${entities}
        and c.at > coalesce(t.valid_from, '-infinity'::date) and (t.valid_to is null or c.at < t.valid_to)`;
  const group = breakdown ? sql`x.${sql.identifier(breakdown)}::text` : sql`''`;
  return sql`
  with rollup_breaks as (
    select distinct b.item_id, b.at from (
      select t.entity_id as item_id, coalesce(t.valid_from, '-infinity'::date) as at
      from timeline t where t.kind = ${kind} and ${entities}
      ${within}
    ) b
  ), rollup_segments as (
    select item_id, at, lead(at) over (partition by item_id order by at) as until from rollup_breaks
  ), rollup_flagged as (
    select s.item_id, s.at, s.until, x.department_id, ${group} as breakdown,
           coalesce(x.in_denominator, false)::int as denominator,
           coalesce(x.in_denominator and x.done, false)::int as numerator,
           coalesce(x.pending, false)::int as pending
    from rollup_segments s
    cross join lateral (${def.items(everywhere, sql`s.at`)}) x
    where x.item_id = s.item_id
  ), rollup_marked as (
    select f.*,
           case when lag(f.department_id) over w = f.department_id and lag(f.breakdown) over w = f.breakdown
                 and lag(f.denominator * 4 + f.numerator * 2 + f.pending) over w = f.denominator * 4 + f.numerator * 2 + f.pending
                then 0 else 1 end as starts
    from rollup_flagged f window w as (partition by f.item_id order by f.at)
  ), rollup_islands as (
    select m.*, sum(m.starts) over (partition by m.item_id order by m.at) as island from rollup_marked m
  )
  select item_id, department_id, breakdown, min(at) as valid_from,
         case when bool_or(until is null) then null else max(until) end as valid_to,
         denominator, numerator, pending, 1 as items
  from rollup_islands
  group by item_id, island, department_id, breakdown, denominator, numerator, pending
  ${breakdown ? sql`` : sql`having denominator > 0 or pending > 0`}`;
}
