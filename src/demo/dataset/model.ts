/* What the demo dataset is: its rows, the regions it is drawn for, the day its story ends and the levels it aims at. */

import type {
  CloudInput,
  DepartmentInput,
  NetworkNodeInput,
  PrivateNetworkInput,
  ServiceItemInput,
  SystemInput,
  TenantInput,
} from '../../registry/schemas.ts';

export interface DemoRegion {
  code: string;
  name: string;
  level: 'province' | 'city' | 'county' | 'township';
  parentCode: string | null;
}

export interface DemoOptions {
  /** Multiplies systems and service items; departments and private networks grow with its square root. */
  scale?: number;
  seed?: number;
}

export interface DemoDataset {
  departments: DepartmentInput[];
  clouds: CloudInput[];
  tenants: TenantInput[];
  systems: SystemInput[];
  privateNetworks: PrivateNetworkInput[];
  serviceItems: ServiceItemInput[];
  networkNodes: NetworkNodeInput[];
}

export type DemoSummary = { [K in keyof DemoDataset]: number };

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
