/* The indicator figures the demo dataset should give, computed from its rows alone: the tests hold the database to them. */

import type { IndicatorKey } from '../indicators/definitions.ts';
import { type KindRow, kindOf } from '../registry/kinds/index.ts';
import { demoKindList } from './dataset/index.ts';
import type { DemoDataset, Ratio } from './dataset/model.ts';

/**
 * A classified kind's rate straight from its rows: non-classified rows in a done state as of
 * `at` over non-classified rows not in a state that leaves the figure (retired) as of `at`,
 * optionally within a set of departments.
 * Before its `state_at` a row is in the kind's initial state.
 */
export function expectedClassifiedRate(ds: DemoDataset, indicator: IndicatorKey, at: string, departmentCodes?: ReadonlySet<string>): Ratio {
  const demo = demoKindList.find((k) => k.rate?.indicator === indicator);
  if (!demo?.rate) throw new RangeError(`no classified kind feeds ${indicator}`);
  const kind = kindOf(demo.segment);
  let numerator = 0;
  let denominator = 0;
  for (const row of ds[demo.segment] as KindRow[]) {
    if (kind.declaredClassification?.(row) !== 'non_classified') continue;
    if (departmentCodes && !departmentCodes.has(row.department_code as string)) continue;
    const declared = kind.declaredState(row);
    const state = declared.since == null || declared.since <= at ? declared.value : kind.lifecycle.initial;
    if (demo.rate.leaves.includes(state)) continue;
    denominator++;
    if (demo.rate.done.includes(state)) numerator++;
  }
  return { numerator, denominator };
}

/** 上云率 straight from the rows. */
export const expectedCloudMigrationRate = (ds: DemoDataset, at: string, departmentCodes?: ReadonlySet<string>): Ratio =>
  expectedClassifiedRate(ds, 'cloud_migration', at, departmentCodes);

/** 专网打通率 straight from the rows. */
export const expectedInterconnectionRate = (ds: DemoDataset, at: string, departmentCodes?: ReadonlySet<string>): Ratio =>
  expectedClassifiedRate(ds, 'private_network_interconnection', at, departmentCodes);

/** 对接完成率 straight from the rows: required items integrated as of `at`. */
export function expectedIntegrationRate(ds: DemoDataset, at: string, departmentCodes?: ReadonlySet<string>): Ratio {
  let numerator = 0;
  let denominator = 0;
  for (const i of ds['service-items']) {
    if (!i.integration_required) continue;
    if (departmentCodes && !departmentCodes.has(i.department_code)) continue;
    denominator++;
    if (i.integrated && (i.integrated_at == null || i.integrated_at <= at)) numerator++;
  }
  return { numerator, denominator };
}

/** 数据中心整合率 straight from the rows: a closed centre counts as done and stays in the figure. */
export const expectedConsolidationRate = (ds: DemoDataset, at: string, departmentCodes?: ReadonlySet<string>): Ratio =>
  expectedClassifiedRate(ds, 'data_centre_consolidation', at, departmentCodes);
