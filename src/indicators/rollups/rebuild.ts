import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { queryRows } from '../../db/raw.ts';
import { rollupState } from '../../db/schema/index.ts';
import { addDays, businessDate } from '../../kernel/dates.ts';
import { levelsOf, readRollupState } from './maintain.ts';
import { monthEnd } from './months.ts';
import { rolledUp, spansOf } from './spans.ts';

export const rollupTables = ['spans', 'deltas', 'checkpoints', 'departments'] as const;
export type RollupTable = (typeof rollupTables)[number];

export interface RollupDifference {
  table: RollupTable;
  /** null for the departments' regions. */
  indicator: string | null;
  /** Rows in one and not in the other (each side counted). */
  rows: number;
}

export interface RebuildReport {
  /** Whether the rollups were built before (if not, everything differed: a first build). */
  wasBuilt: boolean;
  /** Where the stored rollups and a recount from the items disagree; empty when they agree. */
  differences: RollupDifference[];
  /** Rows of the recomputed rollups. */
  rows: Record<RollupTable, number>;
  firstMonth: string;
  lastMonth: string;
  /** false for a check: nothing written. */
  written: boolean;
  ms: number;
}

/** How far back the month-end grid reaches at most; figures before it sum the deltas (still exact). */
const gridYears = 20;

const columns: Record<RollupTable, string> = {
  spans: 'indicator, item_id, department_id, breakdown, valid_from, valid_to, denominator, numerator, pending, items',
  deltas: 'department_id, indicator, on_date, breakdown, denominator, numerator, pending, items',
  checkpoints: 'month_end, region_code, indicator, breakdown, denominator, numerator, pending, items',
  departments: 'department_id, region_code',
};

/** The recomputed deltas with the region of each department, as levelsOf reads them. */
const expectedDeltas = sql`
  select m.region_code, x.indicator, x.breakdown, x.on_date, x.denominator, x.numerator, x.pending, x.items
  from expected_deltas x join expected_departments m on m.department_id = x.department_id`;

async function count(db: Db, table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.raw(table)}`);
  return row?.n ?? 0;
}

/** Rows in one table and not the other, either way, per indicator. */
async function differences(db: Db, table: RollupTable, expected: string): Promise<RollupDifference[]> {
  const cols = sql.raw(columns[table]);
  const stored = sql.raw(`rollup_${table}`);
  const ours = sql.raw(expected);
  const indicator = table === 'departments' ? sql`null::text` : sql`d.indicator`;
  const rows = await queryRows<{ indicator: string | null; rows: number }>(
    db,
    sql`select ${indicator} as indicator, count(*)::int as rows from (
          (select ${cols} from ${ours} except all select ${cols} from ${stored})
          union all
          (select ${cols} from ${stored} except all select ${cols} from ${ours})
        ) d group by 1 order by 1`,
  );
  return rows.map((r) => ({ table, indicator: r.indicator, rows: r.rows }));
}

/**
 * Recomputes every rollup from the items (the definitions' SQL over the whole timeline),
 * compares them with the stored ones and, unless `check`, replaces them. Writers wait
 * meanwhile: the registry version's row, which every write takes first, is held.
 */
export async function rebuildRollups(database: Db, options: { today?: string; check?: boolean } = {}): Promise<RebuildReport> {
  const started = performance.now();
  const today = options.today ?? businessDate();
  return database.transaction(async (db) => {
    await db.execute(sql`select version from registry_version where id = 1 for update`);
    const state = await readRollupState(db);
    const wasBuilt = state?.built ?? false;
    for (const table of rollupTables) {
      await db.execute(sql.raw(`create temporary table expected_${table} (like rollup_${table}) on commit drop`));
    }
    for (const def of rolledUp) {
      await db.execute(sql`
        insert into expected_spans (${sql.raw(columns.spans)})
        select ${def.key}, n.item_id, n.department_id, n.breakdown, n.valid_from, n.valid_to, n.denominator, n.numerator, n.pending, n.items
        from (${spansOf(def, sql`true`)}) n`);
    }
    await db.execute(sql`insert into expected_departments (department_id, region_code) select id, region_code from departments`);
    await db.execute(sql`
      insert into expected_deltas (${sql.raw(columns.deltas)})
      select department_id, indicator, on_date, breakdown,
             sum(sign * denominator)::int, sum(sign * numerator)::int, sum(sign * pending)::int, sum(sign * items)::int
      from (
        select department_id, indicator, breakdown, valid_from as on_date, 1 as sign, denominator, numerator, pending, items from expected_spans
        union all
        select department_id, indicator, breakdown, valid_to, -1, denominator, numerator, pending, items from expected_spans where valid_to is not null
      ) moves
      group by department_id, indicator, on_date, breakdown
      having sum(sign * denominator) <> 0 or sum(sign * numerator) <> 0 or sum(sign * pending) <> 0 or sum(sign * items) <> 0`);
    await db.execute(sql`analyze expected_deltas`);

    const [range] = await queryRows<{ earliest: string | null }>(
      db,
      sql`select to_char(min(on_date), 'YYYY-MM-DD') as earliest from expected_deltas where on_date > '-infinity'::date`,
    );
    const floor = addDays(today, -366 * gridYears);
    const earliest = range?.earliest && range.earliest < today ? (range.earliest < floor ? floor : range.earliest) : today;
    const firstMonth = monthEnd(earliest);
    const lastMonth = monthEnd(today);

    const found: RollupDifference[] = [];
    if (wasBuilt) {
      for (const table of ['spans', 'deltas', 'departments'] as const) found.push(...(await differences(db, table, `expected_${table}`)));
      // The stored levels are compared on their own grid: where it starts is not a difference.
      if (state?.firstMonth && state.lastMonth) {
        await db.execute(
          sql`insert into expected_checkpoints (${sql.raw(columns.checkpoints)}) ${levelsOf(expectedDeltas, state.firstMonth, state.lastMonth)}`,
        );
        found.push(...(await differences(db, 'checkpoints', 'expected_checkpoints')));
        await db.execute(sql`delete from expected_checkpoints`);
      } else if ((await count(db, 'rollup_checkpoints')) > 0) {
        found.push({ table: 'checkpoints', indicator: null, rows: await count(db, 'rollup_checkpoints') });
      }
    }
    await db.execute(
      sql`insert into expected_checkpoints (${sql.raw(columns.checkpoints)}) ${levelsOf(expectedDeltas, firstMonth, lastMonth)}`,
    );
    const rows = { spans: 0, deltas: 0, checkpoints: 0, departments: 0 };
    for (const table of rollupTables) rows[table] = await count(db, `expected_${table}`);

    const write = !options.check;
    if (write) {
      for (const table of rollupTables) {
        await db.execute(sql.raw(`delete from rollup_${table}`));
        await db.execute(sql.raw(`insert into rollup_${table} (${columns[table]}) select ${columns[table]} from expected_${table}`));
      }
      await db.update(rollupState).set({ built: true, firstMonth, lastMonth, rebuiltAt: new Date() }).where(eq(rollupState.id, 1));
      // Figures cached from the rollups replaced here expire (the row is ours until commit).
      await db.execute(sql`update registry_version set version = version + 1 where id = 1`);
      await db.execute(sql`analyze rollup_spans, rollup_deltas, rollup_checkpoints, rollup_departments`);
    }
    return {
      wasBuilt,
      differences: found.filter((d) => d.rows > 0),
      rows,
      firstMonth,
      lastMonth,
      written: write,
      ms: Math.round(performance.now() - started),
    };
  });
}
