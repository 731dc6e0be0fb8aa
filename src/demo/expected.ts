/* The indicator figures the demo dataset should give, computed from its rows alone: the tests hold the database to them. */

import type { DemoDataset, Ratio } from './dataset/model.ts';

/** A row's state as of `at`: the declared state from `state_at` on, the initial state before it. */
function stateAsOf(state: string, stateAt: string | null | undefined, initial: string, at: string): string {
  return stateAt == null || stateAt <= at ? state : initial;
}

/**
 * 上云率 straight from the rows: non-classified systems migrated as of `at` over non-classified
 * systems not retired as of `at`, optionally within a set of departments.
 */
export function expectedCloudMigrationRate(ds: DemoDataset, at: string, departmentCodes?: ReadonlySet<string>): Ratio {
  let numerator = 0;
  let denominator = 0;
  for (const s of ds.systems) {
    if (s.classification !== 'non_classified') continue;
    if (departmentCodes && !departmentCodes.has(s.department_code)) continue;
    const state = stateAsOf(s.state, s.state_at, 'not_migrated', at);
    if (state === 'retired') continue;
    denominator++;
    if (state === 'migrated') numerator++;
  }
  return { numerator, denominator };
}

/** 专网打通率 straight from the rows, same rules as the migration rate. */
export function expectedInterconnectionRate(ds: DemoDataset, at: string, departmentCodes?: ReadonlySet<string>): Ratio {
  let numerator = 0;
  let denominator = 0;
  for (const p of ds.privateNetworks) {
    if (p.classification !== 'non_classified') continue;
    if (departmentCodes && !departmentCodes.has(p.department_code)) continue;
    const state = stateAsOf(p.state, p.state_at, 'not_started', at);
    if (state === 'retired') continue;
    denominator++;
    if (state === 'interconnected') numerator++;
  }
  return { numerator, denominator };
}

/** 对接完成率 straight from the rows: required items integrated as of `at`. */
export function expectedIntegrationRate(ds: DemoDataset, at: string, departmentCodes?: ReadonlySet<string>): Ratio {
  let numerator = 0;
  let denominator = 0;
  for (const i of ds.serviceItems) {
    if (!i.integration_required) continue;
    if (departmentCodes && !departmentCodes.has(i.department_code)) continue;
    denominator++;
    if (i.integrated && (i.integrated_at == null || i.integrated_at <= at)) numerator++;
  }
  return { numerator, denominator };
}

// ---------------------------------------------------------------- regions
