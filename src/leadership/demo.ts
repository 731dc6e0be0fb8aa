import type { Db } from '../db/client.ts';
import type { Actor } from '../identity/actor.ts';
import type { IndicatorKey } from '../indicators/definitions.ts';
import { queueMonths } from './freeze.ts';
import { monthRange } from './months.ts';
import { ALL_CITIES, ALL_DEPARTMENTS, setTarget } from './targets.ts';

/** The months of the demo's story (its registry history ends 2020-07-31). */
export const DEMO_HISTORY = { from: '2019-01', to: '2020-07' } as const;

type Points = readonly (readonly [deadline: string, ratio: number])[];

// Ramps that start at the demo's first month, so 2019–2020 has leaders and laggards against them.
const regional: Partial<Record<IndicatorKey, Points>> = {
  cloud_migration: [
    ['2019-01-01', 0.5],
    ['2019-12-31', 0.7],
    ['2020-12-31', 1],
  ],
  private_network_interconnection: [
    ['2019-01-01', 0.3],
    ['2019-12-31', 0.6],
    ['2020-12-31', 1],
  ],
  service_integration: [
    ['2019-01-01', 0.2],
    ['2020-12-31', 0.8],
    ['2021-12-31', 1],
  ],
};

// 区直部门 were to finish moving onto the cloud by mid-2020: by 2020-07 the stragglers are overdue.
const provinceDepartments: Partial<Record<IndicatorKey, Points>> = {
  cloud_migration: [
    ['2019-01-01', 0.6],
    ['2020-06-30', 1],
  ],
  private_network_interconnection: [
    ['2019-01-01', 0.3],
    ['2020-12-31', 1],
  ],
  service_integration: [
    ['2019-01-01', 0.2],
    ['2021-12-31', 1],
  ],
};

/** The demo targets as (indicator, scope, deadline, ratio) rows; the README lists them. */
export function demoTargetRows(provinceCode: string) {
  const rows: { indicator: IndicatorKey; scope: string; deadline: string; ratio: number }[] = [];
  const add = (scope: string, table: Partial<Record<IndicatorKey, Points>>) => {
    for (const [indicator, points] of Object.entries(table) as [IndicatorKey, Points][]) {
      for (const [deadline, ratio] of points) rows.push({ indicator, scope, deadline, ratio });
    }
  };
  add(provinceCode, regional);
  add(ALL_CITIES, regional);
  add(ALL_DEPARTMENTS, provinceDepartments);
  return rows;
}

/**
 * The demo's targets, through the targets service (audited like any write), and its monthly
 * history queued for the server's snapshot job, which freezes it in the background.
 */
export async function seedDemoLeadership(db: Db, provinceCode: string, actor: Actor, today?: string) {
  const rows = demoTargetRows(provinceCode);
  // One transaction: each point's own is then a savepoint, not a commit — first start stays quick.
  return db.transaction(async (tx) => {
    for (const row of rows) await setTarget(tx, { ...row, note: '演示目标 (demo target)' }, actor);
    const queued = await queueMonths(tx, monthRange(DEMO_HISTORY.from, DEMO_HISTORY.to), actor, today);
    return { targets: rows.length, queuedMonths: queued.length };
  });
}
