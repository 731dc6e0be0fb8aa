import { buildCloudsAndTenants } from './dataset/clouds.ts';
import { buildDepartments, indexRegions } from './dataset/departments.ts';
import type { DemoDataset, DemoOptions, DemoRegion, DemoSummary } from './dataset/model.ts';
import { buildNetworkNodes, buildPrivateNetworks, buildServiceItems } from './dataset/records.ts';
import { buildSystems } from './dataset/systems.ts';
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
export { expectedCloudMigrationRate, expectedIntegrationRate, expectedInterconnectionRate } from './expected.ts';

const BASE = { systems: 1500, serviceItems: 3200, privateNetworks: 250 } as const;

/**
 * A deterministic, realistic e-government registry for one province: departments at every
 * level, the "1+N+14" clouds with tenants, systems, private networks, service items and the
 * extranet nodes. Pure: the same regions, scale and seed always give the same rows.
 */
export function generateDemoDataset(regions: readonly DemoRegion[], options: DemoOptions = {}): DemoDataset {
  const scale = options.scale ?? 1;
  const seed = options.seed ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`scale must be a positive number, got ${scale}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);

  const geo = indexRegions(regions);
  const depts = buildDepartments(geo, Math.sqrt(scale), streamFor(seed, 'departments'));
  const systems = buildSystems(depts, Math.round(BASE.systems * scale), streamFor(seed, 'systems'));
  const { clouds, tenants } = buildCloudsAndTenants(geo, depts, systems, streamFor(seed, 'clouds'));
  const privateNetworks = buildPrivateNetworks(
    depts,
    Math.round(BASE.privateNetworks * Math.sqrt(scale)),
    streamFor(seed, 'private-networks'),
  );
  const serviceItems = buildServiceItems(depts, Math.round(BASE.serviceItems * scale), streamFor(seed, 'service-items'));
  const networkNodes = buildNetworkNodes(geo, streamFor(seed, 'network-nodes'));

  return {
    departments: depts.map((d) => d.row),
    clouds,
    tenants,
    systems: systems.map((s) => s.row),
    privateNetworks,
    serviceItems,
    networkNodes,
  };
}

export function demoSummary(ds: DemoDataset): DemoSummary {
  return {
    departments: ds.departments.length,
    clouds: ds.clouds.length,
    tenants: ds.tenants.length,
    systems: ds.systems.length,
    privateNetworks: ds.privateNetworks.length,
    serviceItems: ds.serviceItems.length,
    networkNodes: ds.networkNodes.length,
  };
}
