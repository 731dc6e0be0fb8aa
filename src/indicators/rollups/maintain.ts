import { eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { queryRows } from '../../db/raw.ts';
import { rollupState } from '../../db/schema/index.ts';
import { businessDate } from '../../kernel/dates.ts';
import { monthEnd, nextMonthStart } from './months.ts';
import { type RolledUp, rolledUpFor, spansOf } from './spans.ts';

export interface RollupState {
  built: boolean;
  firstMonth: string | null;
  lastMonth: string | null;
}

export async function readRollupState(db: Db): Promise<RollupState | undefined> {
  const [row] = await db
    .select({ built: rollupState.built, firstMonth: rollupState.firstMonth, lastMonth: rollupState.lastMonth })
    .from(rollupState)
    .where(eq(rollupState.id, 1));
  return row;
}

/** The grid's month ends from `first` to `last` (month ends), as a set of rows `m`. */
export const gridMonths = (first: string, last: string) => sql`(
  select (g + interval '1 month' - interval '1 day')::date as m
  from generate_series(date_trunc('month', ${first}::date::timestamp), date_trunc('month', ${last}::date::timestamp), interval '1 month') g)`;

const values = ['denominator', 'numerator', 'pending', 'items'] as const;
const summed = (alias: string) => sql.raw(values.map((v) => `sum(${alias}.${v})::int`).join(', '));
const addedOnConflict = (table: string) => sql.raw(values.map((v) => `${v} = ${table}.${v} + excluded.${v}`).join(', '));
const allZero = (alias: string) => sql.raw(values.map((v) => `${alias}.${v} = 0`).join(' and '));

/**
 * Month-end levels from dated changes: for each region, indicator and group, the running sum
 * of `source` (rows region_code, indicator, breakdown, on_date, denominator, numerator,
 * pending, items) at every month end of the grid [first, last]; changes before `first` count
 * from it, changes after `last` in none. Summing per month first keeps the cost at regions ×
 * months, whatever the number of changes.
 */
export const levelsOf = (source: SQL, first: string, last: string): SQL => sql`
  with rollup_buckets as (
    select s.region_code, s.indicator, s.breakdown,
           greatest((date_trunc('month', s.on_date::timestamp) + interval '1 month' - interval '1 day')::date, ${first}::date) as month_end,
           sum(s.denominator) as denominator, sum(s.numerator) as numerator, sum(s.pending) as pending, sum(s.items) as items
    from (${source}) s
    where s.on_date <= ${last}::date
    group by 1, 2, 3, 4
  ), rollup_keys as (select distinct region_code, indicator, breakdown from rollup_buckets),
  rollup_running as (
    select g.m as month_end, k.region_code, k.indicator, k.breakdown,
           sum(coalesce(b.denominator, 0)) over w as denominator, sum(coalesce(b.numerator, 0)) over w as numerator,
           sum(coalesce(b.pending, 0)) over w as pending, sum(coalesce(b.items, 0)) over w as items
    from rollup_keys k cross join ${gridMonths(first, last)} g
    left join rollup_buckets b
      on b.region_code = k.region_code and b.indicator = k.indicator and b.breakdown = k.breakdown and b.month_end = g.m
    window w as (partition by k.region_code, k.indicator, k.breakdown order by g.m)
  )
  select month_end, region_code, indicator, breakdown, denominator::int, numerator::int, pending::int, items::int
  from rollup_running where not (denominator = 0 and numerator = 0 and pending = 0 and items = 0)`;

/** Adds month-end levels (rows as levelsOf gives them) to the stored ones. */
const addLevels = (levels: SQL) => sql`
  insert into rollup_checkpoints (month_end, region_code, indicator, breakdown, denominator, numerator, pending, items)
  ${levels}
  on conflict (month_end, region_code, indicator, breakdown) do update set ${addedOnConflict('rollup_checkpoints')}`;

/**
 * The changes one write makes, per indicator, department, group and date, before they are
 * added to the deltas and the month-end levels. Scratch: emptied after each use and at commit.
 */
async function scratch(db: Db): Promise<void> {
  await db.execute(sql`create temporary table if not exists rollup_changes (
    indicator text not null, department_id integer not null, breakdown text not null, on_date date not null,
    denominator integer not null, numerator integer not null, pending integer not null, items integer not null
  ) on commit delete rows`);
}

/**
 * Takes back the spans the items had and records the ones they have now (as changes: + at a
 * span's start, − at its end).
 */
async function collectSpanChanges(db: Db, def: RolledUp, items: SQL, entities: SQL): Promise<void> {
  const key = def.key;
  await db.execute(sql`
    with old as (
      delete from rollup_spans s where s.indicator = ${key} and ${items}
      returning s.department_id, s.breakdown, s.valid_from, s.valid_to, s.denominator, s.numerator, s.pending, s.items
    ), fresh as (
      insert into rollup_spans (indicator, item_id, department_id, breakdown, valid_from, valid_to, denominator, numerator, pending, items)
      select ${key}, n.item_id, n.department_id, n.breakdown, n.valid_from, n.valid_to, n.denominator, n.numerator, n.pending, n.items
      from (${spansOf(def, entities)}) n
      returning department_id, breakdown, valid_from, valid_to, denominator, numerator, pending, items
    ), moves as (
      select department_id, breakdown, valid_from as on_date, 1 as sign, denominator, numerator, pending, items from fresh
      union all select department_id, breakdown, valid_to, -1, denominator, numerator, pending, items from fresh where valid_to is not null
      union all select department_id, breakdown, valid_from, -1, denominator, numerator, pending, items from old
      union all select department_id, breakdown, valid_to, 1, denominator, numerator, pending, items from old where valid_to is not null
    )
    insert into rollup_changes (indicator, department_id, breakdown, on_date, denominator, numerator, pending, items)
    select ${key}, department_id, breakdown, on_date,
           sum(sign * denominator)::int, sum(sign * numerator)::int, sum(sign * pending)::int, sum(sign * items)::int
    from moves group by department_id, breakdown, on_date
    having sum(sign * denominator) <> 0 or sum(sign * numerator) <> 0 or sum(sign * pending) <> 0 or sum(sign * items) <> 0`);
}

/**
 * Departments that moved to another region take their whole contribution along: it leaves
 * the old region's month-end levels and joins the new one's.
 */
async function followMovedDepartments(db: Db, ids: number[], state: RollupState): Promise<void> {
  const moved = await queryRows<{ department_id: number; was: string; now: string }>(
    db,
    sql`select m.department_id, m.region_code as was, d.region_code as now
        from rollup_departments m join departments d on d.id = m.department_id
        where m.department_id = any(${sql.param(ids)}::int[]) and m.region_code <> d.region_code`,
  );
  if (moved.length === 0) return;
  const movedIds = sql.param(moved.map((m) => m.department_id));
  if (state.firstMonth && state.lastMonth) {
    await db.execute(
      addLevels(
        levelsOf(
          sql`select side.region as region_code, x.indicator, x.breakdown, x.on_date,
                     side.sign * x.denominator as denominator, side.sign * x.numerator as numerator,
                     side.sign * x.pending as pending, side.sign * x.items as items
              from rollup_deltas x
              join rollup_departments m on m.department_id = x.department_id
              join departments d on d.id = x.department_id
              cross join lateral (values (m.region_code, -1), (d.region_code, 1)) side(region, sign)
              where x.department_id = any(${movedIds}::int[])`,
          state.firstMonth,
          state.lastMonth,
        ),
      ),
    );
    const regions = sql.param([...new Set(moved.flatMap((m) => [m.was, m.now]))]);
    await db.execute(sql`delete from rollup_checkpoints c where c.region_code = any(${regions}::text[]) and ${allZero('c')}`);
  }
  await db.execute(sql`
    update rollup_departments m set region_code = d.region_code from departments d
    where d.id = m.department_id and m.department_id = any(${movedIds}::int[])`);
}

/**
 * Makes the month-end grid reach the current month (and, on the first write, the earliest
 * date written): each new month's level is the last one's plus the deltas since.
 */
async function extendGrid(db: Db, state: RollupState, today: string): Promise<RollupState> {
  const current = monthEnd(today);
  if (!state.firstMonth || !state.lastMonth) {
    const [row] = await queryRows<{ earliest: string | null }>(
      db,
      sql`select to_char(min(on_date), 'YYYY-MM-DD') as earliest from rollup_changes where on_date > '-infinity'::date`,
    );
    const earliest = row?.earliest && row.earliest < today ? row.earliest : today;
    const first = monthEnd(earliest);
    await db.execute(addLevels(levelsOf(storedDeltas(), first, current)));
    await db.update(rollupState).set({ firstMonth: first, lastMonth: current }).where(eq(rollupState.id, 1));
    return { ...state, firstMonth: first, lastMonth: current };
  }
  if (state.lastMonth >= current) return state;
  const last = state.lastMonth;
  // Each new month starts from the last month's level, plus the deltas since.
  await db.execute(
    addLevels(
      levelsOf(
        sql`select c.region_code, c.indicator, c.breakdown, c.month_end as on_date, c.denominator, c.numerator, c.pending, c.items
            from rollup_checkpoints c where c.month_end = ${last}::date
            union all
            select * from (${storedDeltas()}) x where x.on_date > ${last}::date`,
        monthEnd(nextMonthStart(last)),
        current,
      ),
    ),
  );
  await db.update(rollupState).set({ lastMonth: current }).where(eq(rollupState.id, 1));
  return { ...state, lastMonth: current };
}

/** The stored deltas with the region each department is summed into, as levelsOf reads them. */
const storedDeltas = () => sql`
  select m.region_code, x.indicator, x.breakdown, x.on_date, x.denominator, x.numerator, x.pending, x.items
  from rollup_deltas x join rollup_departments m on m.department_id = x.department_id`;

/** Adds the collected changes to the deltas and to the month-end levels of the departments' regions. */
async function applyChanges(db: Db, state: RollupState, today: string): Promise<void> {
  const [any] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from rollup_changes`);
  if (!any?.n) return;
  // A department first seen here (created before the rollups were) is summed into its region.
  await db.execute(sql`
    insert into rollup_departments (department_id, region_code)
    select d.id, d.region_code from departments d where d.id in (select department_id from rollup_changes)
    on conflict (department_id) do nothing`);
  const grid = await extendGrid(db, state, today);
  await db.execute(sql`
    insert into rollup_deltas (department_id, indicator, on_date, breakdown, denominator, numerator, pending, items)
    select c.department_id, c.indicator, c.on_date, c.breakdown, ${summed('c')}
    from rollup_changes c group by c.department_id, c.indicator, c.on_date, c.breakdown
    on conflict (department_id, indicator, on_date, breakdown) do update set ${addedOnConflict('rollup_deltas')}`);
  await db.execute(sql`
    delete from rollup_deltas x using (select distinct department_id, indicator, on_date, breakdown from rollup_changes) c
    where x.department_id = c.department_id and x.indicator = c.indicator and x.on_date = c.on_date and x.breakdown = c.breakdown
      and ${allZero('x')}`);
  if (grid.firstMonth && grid.lastMonth) {
    await db.execute(
      addLevels(
        levelsOf(
          sql`select m.region_code, c.indicator, c.breakdown, c.on_date, c.denominator, c.numerator, c.pending, c.items
              from rollup_changes c join rollup_departments m on m.department_id = c.department_id`,
          grid.firstMonth,
          grid.lastMonth,
        ),
      ),
    );
    await db.execute(sql`
      delete from rollup_checkpoints x
      using (select distinct m.region_code, c.indicator, c.breakdown
             from rollup_changes c join rollup_departments m on m.department_id = c.department_id) c
      where x.region_code = c.region_code and x.indicator = c.indicator and x.breakdown = c.breakdown and ${allZero('x')}`);
  }
  await db.execute(sql`delete from rollup_changes`);
}

/** Transactions whose writes collect their rollup changes and add them up once, at the end. */
const deferring = new WeakSet<Db>();

/**
 * Runs `write` (many writes in the transaction `db`, e.g. an import's parts) collecting the
 * rollup changes they make, and adds them to the deltas and month-end levels once, after it:
 * the month-end levels cost regions × months per addition, whatever the number of changes,
 * so a 40,000-row import adding them per part spent a third of its time there. Only an
 * optimisation: a write that adds them itself meanwhile (another transaction object) adds the
 * collected ones too, and the sum is the same.
 */
export async function withRollupsDeferred<T>(db: Db, write: () => Promise<T>, today = businessDate()): Promise<T> {
  deferring.add(db);
  try {
    const result = await write();
    const state = await readRollupState(db);
    if (state?.built) {
      await db.transaction(async (tx) => {
        await scratch(tx);
        await applyChanges(tx, state, today);
      });
    }
    return result;
  } finally {
    deferring.delete(db);
  }
}

/**
 * Brings the rollups of the indicators fed by `kind` up to date for the entities whose
 * timeline was just rebuilt. Called by rebuildTimeline, in the transaction of the write —
 * every write an indicator can see passes there, and holds the registry version's row lock,
 * so these updates never interleave.
 */
export async function refreshRollups(db: Db, kind: string, entityIds: readonly number[], today = businessDate()): Promise<void> {
  const defs = rolledUpFor(kind);
  if (defs.length === 0 || entityIds.length === 0) return;
  const state = await readRollupState(db);
  if (!state?.built) return;
  const ids = sql.param([...entityIds]);
  await db.transaction(async (tx) => {
    await scratch(tx);
    // Changes collected but not yet added are summed into the department's region when they
    // are: the one it has by then.
    if (kind === 'department') await followMovedDepartments(tx, [...entityIds], state);
    for (const def of defs) {
      await collectSpanChanges(tx, def, sql`s.item_id = any(${ids}::int[])`, sql`t.entity_id = any(${ids}::int[])`);
    }
    if (!deferring.has(db)) await applyChanges(tx, state, today);
  });
}
