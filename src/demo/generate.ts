import { buildCloudsAndTenants } from './dataset/clouds.ts';
import { buildDepartments, indexRegions } from './dataset/departments.ts';
import { demoKindList } from './dataset/index.ts';
import type { DemoDataset, DemoOptions, DemoRecords, DemoRegion, DemoSummary, DemoWorld } from './dataset/model.ts';
import { streamFor } from './random.ts';

// What the dataset is and the figures it should give, for whoever generates one.
export {
  DEMO_AS_OF,
  type DemoDataset,
  type DemoOptions,
  type DemoRegion,
  type DemoSummary,
  demoTargets,
  type Ratio,
} from './dataset/model.ts';
export {
  expectedClassifiedRate,
  expectedCloudMigrationRate,
  expectedConsolidationRate,
  expectedIntegrationRate,
  expectedInterconnectionRate,
} from './expected.ts';

/**
 * A deterministic, realistic e-government registry for one province: departments at every
 * level, the "1+N+14" clouds with tenants, and every record kind's rows (each drawn by its
 * module in ./dataset). Pure: the same regions, scale and seed always give the same rows.
 */
export function generateDemoDataset(regions: readonly DemoRegion[], options: DemoOptions = {}): DemoDataset {
  const scale = options.scale ?? 1;
  const seed = options.seed ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`scale must be a positive number, got ${scale}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);

  const geo = indexRegions(regions);
  const world: DemoWorld = { geo, scale, depts: buildDepartments(geo, Math.sqrt(scale), streamFor(seed, 'departments')) };
  // Each kind draws from a stream named after its segment.
  const drawn: Partial<DemoRecords> = {};
  for (const kind of demoKindList) Object.assign(drawn, { [kind.segment]: kind.rows(world, streamFor(seed, kind.segment), drawn) });
  const records = drawn as DemoRecords;
  const { clouds, tenants } = buildCloudsAndTenants(geo, world.depts, records.systems, streamFor(seed, 'clouds'));
  return { ...records, clouds, tenants };
}

export function demoSummary(ds: DemoDataset): DemoSummary {
  return Object.fromEntries(Object.entries(ds).map(([kind, rows]) => [kind, rows.length])) as DemoSummary;
}
