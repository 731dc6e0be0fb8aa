/* What the demo dataset is: its rows, the regions it is drawn for, the day its story ends and the levels it aims at. */

import type { IndicatorKey } from '../../indicators/definitions.ts';
import type { ImportKind, InputByKind } from '../../registry/kinds/index.ts';
import type { CloudInput, TenantInput } from '../../registry/schemas.ts';
import type { Rng } from '../random.ts';
import type { Dept, Geography } from './departments.ts';

export interface DemoRegion {
  code: string;
  name: string;
  level: 'province' | 'city' | 'county' | 'township';
  parentCode: string | null;
}

export interface DemoOptions {
  /** Multiplies the record counts; departments, and kinds that grow with them, follow its square root. */
  scale?: number;
  seed?: number;
}

/** Each record kind's input rows, keyed by the kind's URL segment. */
export type DemoRecords = { [K in ImportKind]: InputByKind[K][] };

/** The record kinds' rows, and the clouds with their tenants (written through the registry's services). */
export type DemoDataset = DemoRecords & { clouds: CloudInput[]; tenants: TenantInput[] };

export type DemoSummary = { [K in keyof DemoDataset]: number };

/** What every kind's rows are drawn from: the regions, the departments and the scale. */
export interface DemoWorld {
  geo: Geography;
  depts: readonly Dept[];
  scale: number;
}

/** How the demo draws one record kind's rows. */
export interface DemoKind<K extends ImportKind = ImportKind> {
  segment: K;
  /**
   * The kind's rows; `rng` is its own stream, so one kind's draws never shift another's.
   * `earlier` holds the rows of the kinds drawn before it (an interface service names systems).
   */
  rows(world: DemoWorld, rng: Rng, earlier: Partial<DemoRecords>): InputByKind[K][];
  /** The business day the rows are written as of, when not the real today (consumer links date from it). */
  today?: string;
  /**
   * For a classified kind: the indicator it feeds, the states counted as done, and those that
   * take a row out of the figure (as its definition in indicators/definitions.ts says).
   */
  rate?: { indicator: IndicatorKey; done: readonly string[]; leaves: readonly string[] };
}

export interface Ratio {
  numerator: number;
  denominator: number;
}

/** The day the demo's story ends: every business date is on or before it. */
export const DEMO_AS_OF = '2020-07-31';

/** Published or intended province-wide levels the generator aims at. */
export const demoTargets = {
  migration: { '2019-01-31': 0.55, '2019-12-31': 0.62, '2020-07-31': 0.896 },
  interconnection: { '2020-07-31': 0.83 },
  integration: { province: 981 / 1231, local: 15428 / 25811 },
  townshipCoverage: 0.963,
} as const;
