import type { z } from '@hono/zod-openapi';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  changedServices,
  demoVolumes,
  SERVICES_CHANGED,
  SERVICES_RECORDED,
  VOLUME_DAYS,
} from '../../src/demo/dataset/interface-services.ts';
import {
  DEMO_AS_OF,
  type DemoDataset,
  type DemoRegion,
  demoSummary,
  expectedCloudMigrationRate,
  expectedConsolidationRate,
  expectedIntegrationRate,
  expectedInterconnectionRate,
  generateDemoDataset,
  type Ratio,
} from '../../src/demo/generate.ts';
import { readDivisions } from '../../src/regions/service.ts';
import { CloudInput, importKinds, inputSchemas, TenantInput } from '../../src/registry/schemas.ts';

let regions: DemoRegion[];
let ds: DemoDataset;

beforeAll(async () => {
  regions = await readDivisions();
  ds = generateDemoDataset(regions);
});

const pct = (r: Ratio) => (100 * r.numerator) / r.denominator;
/** The console's rounding: percent, half up, one decimal. */
const shown = (r: Ratio) => Math.round((1000 * r.numerator) / r.denominator) / 10;

function monthEnds(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (;;) {
    const end = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    if (end > to) return out;
    out.push(end);
    if (m === 12) {
      y += 1;
      m = 1;
    } else {
      m += 1;
    }
  }
}

/** Department codes of a city: its 市直 and the 县直 of its counties. */
function cityDepartments(cityCode: string): Set<string> {
  const inCity = new Set(regions.filter((r) => r.code === cityCode || r.parentCode === cityCode).map((r) => r.code));
  return new Set(ds.departments.filter((d) => inCity.has(d.region_code)).map((d) => d.code));
}

describe('generateDemoDataset', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateDemoDataset(regions)).toEqual(ds);
    expect(generateDemoDataset(regions, { seed: 1, scale: 1 })).toEqual(ds);
    const other = generateDemoDataset(regions, { seed: 2 });
    expect(other.systems.map((s) => s.state_at)).not.toEqual(ds.systems.map((s) => s.state_at));
  });

  it('does not depend on the order the regions come in', () => {
    expect(generateDemoDataset([...regions].reverse())).toEqual(ds);
  });

  it('produces rows that each validate, unchanged, against their zod schema', () => {
    const kinds: [z.ZodType, readonly unknown[]][] = [
      [CloudInput, ds.clouds],
      [TenantInput, ds.tenants],
      ...importKinds.map((kind): [z.ZodType, readonly unknown[]] => [inputSchemas[kind], ds[kind]]),
    ];
    expect(kinds).toHaveLength(2 + 7);
    for (const [schema, rows] of kinds) {
      for (const row of rows) {
        const parsed = schema.safeParse(row);
        if (!parsed.success) throw new Error(`${JSON.stringify(row)}: ${parsed.error.message}`);
        expect(parsed.data).toEqual(row);
      }
    }
  });

  it('has the intended counts at scale 1', () => {
    const n = demoSummary(ds);
    expect(n.systems).toBe(1500);
    expect(n['service-items']).toBe(3200);
    expect(n['private-networks']).toBe(250);
    expect(n['data-centres']).toBe(32);
    expect(n.departments).toBeGreaterThan(700);
    expect(n.departments).toBeLessThan(850);
    expect(n.clouds).toBe(6 + 14);
    expect(n['network-nodes']).toBeGreaterThan(1_300);
  });

  it('keeps codes unique per kind', () => {
    const unique = (codes: string[]) => expect(new Set(codes).size).toBe(codes.length);
    unique(ds.departments.map((r) => r.code));
    unique(ds.clouds.map((r) => r.code));
    unique(ds.tenants.map((r) => `${r.cloud_code}/${r.external_id}`));
    unique(ds.systems.map((r) => r.code));
    unique(ds['private-networks'].map((r) => r.code));
    unique(ds['service-items'].map((r) => r.code));
    unique(ds['network-nodes'].map((r) => r.code));
    unique(ds['data-centres'].map((r) => r.code));
  });

  it('lists parents before children and refers only to things that exist', () => {
    const regionCodes = new Set(regions.map((r) => r.code));
    const seen = new Set<string>();
    for (const d of ds.departments) {
      if (d.parent_code) expect(seen.has(d.parent_code), `${d.code} after its parent`).toBe(true);
      expect(regionCodes.has(d.region_code)).toBe(true);
      seen.add(d.code);
    }
    const clouds = new Set(ds.clouds.map((c) => c.code));
    for (const c of ds.clouds) expect(regionCodes.has(c.region_code)).toBe(true);
    const tenants = new Map(ds.tenants.map((t) => [t.external_id, t]));
    for (const t of ds.tenants) {
      expect(clouds.has(t.cloud_code)).toBe(true);
      expect(seen.has(t.department_code)).toBe(true);
    }
    for (const r of [...ds.systems, ...ds['private-networks'], ...ds['service-items'], ...ds['data-centres']]) {
      expect(seen.has(r.department_code)).toBe(true);
    }
    for (const n of [...ds['network-nodes'], ...ds['data-centres']]) expect(regionCodes.has(n.region_code)).toBe(true);
    // A system on the cloud names the tenant its own department holds there.
    for (const s of ds.systems.filter((s) => s.state === 'migrated' || s.state === 'migrating')) {
      const t = tenants.get(s.tenant ?? '');
      expect(t?.department_code).toBe(s.department_code);
      expect(t?.cloud_code).toBe(s.cloud_code);
    }
  });

  it('binds the demo to P001, the big-data bureau at province level', () => {
    const p001 = ds.departments.find((d) => d.code === 'P001');
    expect(p001).toMatchObject({ name: '广西壮族自治区大数据发展局', region_code: '450000', parent_code: null });
    expect(ds.departments.some((d) => d.parent_code === 'P001')).toBe(true);
    expect(ds.clouds.find((c) => c.code === 'GXCLOUD')).toMatchObject({ name: '壮美广西·政务云', kind: 'provincial' });
    expect(ds.clouds.filter((c) => c.kind === 'city')).toHaveLength(14);
    expect(new Set(ds.clouds.map((c) => c.role))).toEqual(new Set(['primary', 'same_city_dr', 'remote_dr']));
  });

  it('keeps quotas realistic: usage 20–80% of quota (below the quota alert), clouds not oversubscribed', () => {
    for (const t of ds.tenants) {
      for (const [used, quota] of [
        [t.vcpu_used, t.vcpu_quota],
        [t.memory_used_gib, t.memory_quota_gib],
        [t.storage_used_gib, t.storage_quota_gib],
      ] as const) {
        expect(used / quota).toBeGreaterThanOrEqual(0.2);
        expect(used / quota).toBeLessThanOrEqual(0.8);
      }
    }
    for (const c of ds.clouds) {
      const quota = ds.tenants.filter((t) => t.cloud_code === c.code).reduce((s, t) => s + t.vcpu_quota, 0);
      expect(quota).toBeLessThanOrEqual(c.vcpu_capacity);
    }
  });

  it('dates nothing after the end of the story', () => {
    const dates = [
      ...ds.departments.map((r) => r.extranet_connected_at),
      ...ds.systems.map((r) => r.state_at),
      ...ds['private-networks'].map((r) => r.state_at),
      ...ds['service-items'].map((r) => r.integrated_at),
      ...ds['network-nodes'].map((r) => r.commissioned_at),
      ...ds['data-centres'].map((r) => r.state_at),
    ].filter((d): d is string => d != null);
    expect(dates.every((d) => d >= '2016-01-01' && d <= DEMO_AS_OF)).toBe(true);
  });

  it.each([1, 2, 3])('hits the published 上云率 trajectory (seed %i)', (seed) => {
    const data = seed === 1 ? ds : generateDemoDataset(regions, { seed });
    expect(pct(expectedCloudMigrationRate(data, '2019-01-31'))).toBeGreaterThan(54);
    expect(pct(expectedCloudMigrationRate(data, '2019-01-31'))).toBeLessThan(56);
    expect(pct(expectedCloudMigrationRate(data, '2019-12-31'))).toBeGreaterThan(61);
    expect(pct(expectedCloudMigrationRate(data, '2019-12-31'))).toBeLessThan(63);
    expect(pct(expectedCloudMigrationRate(data, '2020-07-31'))).toBeGreaterThanOrEqual(89);
    expect(pct(expectedCloudMigrationRate(data, '2020-07-31'))).toBeLessThanOrEqual(90.5);
  });

  it('excludes retired systems from the denominator only once retired', () => {
    const retired = ds.systems.filter((s) => s.state === 'retired' && s.classification === 'non_classified');
    expect(retired.length).toBeGreaterThan(5);
    const before = expectedCloudMigrationRate(ds, '2018-12-31').denominator;
    const after = expectedCloudMigrationRate(ds, DEMO_AS_OF).denominator;
    expect(before - after).toBe(retired.length);
  });

  it('moves the cities at different paces, with one stall, so a monthly ranking means something', () => {
    const cities = regions.filter((r) => r.level === 'city');
    const final = cities.map((c) => pct(expectedCloudMigrationRate(ds, DEMO_AS_OF, cityDepartments(c.code))));
    expect(Math.max(...final) - Math.min(...final)).toBeGreaterThan(10);
    const start = cities.map((c) => pct(expectedCloudMigrationRate(ds, '2019-01-31', cityDepartments(c.code))));
    expect(Math.max(...start) - Math.min(...start)).toBeGreaterThan(30);

    // The monthly order changes: not every city keeps its rank from January 2019 to July 2020.
    const rank = (at: string) =>
      cities
        .map((c) => [c.code, pct(expectedCloudMigrationRate(ds, at, cityDepartments(c.code)))] as const)
        .sort((a, b) => b[1] - a[1])
        .map(([code]) => code);
    expect(rank('2020-07-31')).not.toEqual(rank('2019-01-31'));

    // 来宾 migrates nothing from April to September 2019.
    const laibin = cityDepartments('451300');
    const flat = monthEnds('2019-03', '2019-09').map((at) => expectedCloudMigrationRate(ds, at, laibin).numerator);
    expect(new Set(flat).size).toBe(1);
    expect(expectedCloudMigrationRate(ds, '2019-10-31', laibin).numerator).toBeGreaterThan(flat[0] ?? 0);

    // 区直 departments differ too.
    const provincial = ds.departments.filter((d) => d.region_code === '450000' && !d.parent_code);
    const rates = provincial
      .map((d) => expectedCloudMigrationRate(ds, '2019-12-31', new Set([d.code])))
      .filter((r) => r.denominator >= 4)
      .map(pct);
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(40);
  });

  it('rises monthly for the province as a whole', () => {
    const series = monthEnds('2019-01', '2020-07').map((at) => pct(expectedCloudMigrationRate(ds, at)));
    for (let i = 1; i < series.length; i++) expect(series[i]).toBeGreaterThanOrEqual((series[i - 1] ?? 0) - 0.2);
  });

  it('interconnects private networks up to ~80–85%', () => {
    expect(pct(expectedInterconnectionRate(ds, '2018-12-31'))).toBeLessThan(40);
    const end = pct(expectedInterconnectionRate(ds, DEMO_AS_OF));
    expect(end).toBeGreaterThanOrEqual(80);
    expect(end).toBeLessThanOrEqual(85);
    const kinds = new Set(ds['private-networks'].map((p) => p.classification));
    expect(kinds).toEqual(new Set(['pending', 'non_classified', 'classified']));
  });

  it('consolidates about half the data centres by the end, closed ones counted done, with a few awaiting 认定', () => {
    const centres = ds['data-centres'];
    expect(new Set(centres.map((c) => c.state))).toEqual(new Set(['in_use', 'consolidating', 'consolidated', 'closed']));
    expect(new Set(centres.map((c) => c.classification))).toEqual(new Set(['pending', 'non_classified', 'classified']));
    expect(new Set(centres.map((c) => c.region_code.slice(0, 4))).size).toBeGreaterThanOrEqual(5);
    const start = pct(expectedConsolidationRate(ds, '2018-12-31'));
    const middle = pct(expectedConsolidationRate(ds, '2019-12-31'));
    const end = pct(expectedConsolidationRate(ds, DEMO_AS_OF));
    expect(start).toBeLessThan(middle);
    expect(middle).toBeLessThan(end);
    expect(end).toBeGreaterThanOrEqual(40);
    expect(end).toBeLessThanOrEqual(75);
    // Closed centres stay in the denominator: it holds every non-classified centre at every date.
    const nonClassified = centres.filter((c) => c.classification === 'non_classified').length;
    expect(expectedConsolidationRate(ds, DEMO_AS_OF).denominator).toBe(nonClassified);
    expect(expectedConsolidationRate(ds, '2018-12-31').denominator).toBe(nonClassified);
  });

  it('integrates service items at the published shares per level', () => {
    for (const data of [ds, generateDemoDataset(regions, { scale: 8 })]) {
      const provincial = new Set(data.departments.filter((d) => d.region_code === '450000').map((d) => d.code));
      const local = new Set(data.departments.filter((d) => d.region_code !== '450000').map((d) => d.code));
      expect(Math.abs(pct(expectedIntegrationRate(data, DEMO_AS_OF, provincial)) - 79.7)).toBeLessThan(0.6);
      expect(shown(expectedIntegrationRate(data, DEMO_AS_OF, local))).toBe(59.8);
    }
    expect(new Set(ds['service-items'].map((i) => i.system_type))).toEqual(new Set(['national', 'provincial', 'city', 'self_built']));
    expect(pct(expectedIntegrationRate(ds, '2018-12-31'))).toBeLessThan(30);
  });

  it('covers cities and counties fully and ~96.3% of townships', () => {
    const covered = (level: DemoRegion['level']) => {
      const codes = new Set(regions.filter((r) => r.level === level).map((r) => r.code));
      const withNode = new Set(
        ds['network-nodes']
          .filter((n) => n.tier === 'metro' && n.commissioned && (n.commissioned_at ?? '') <= DEMO_AS_OF)
          .map((n) => n.region_code)
          .filter((c) => codes.has(c)),
      );
      return { numerator: withNode.size, denominator: codes.size };
    };
    expect(shown(covered('city'))).toBe(100);
    expect(shown(covered('county'))).toBe(100);
    expect(shown(covered('township'))).toBe(96.3);
    expect(ds['network-nodes'].filter((n) => n.tier === 'backbone')).toHaveLength(2);
  });

  // How fast it is belongs to a benchmark, not here: a timed assertion fails on a busy machine.
  it('reaches province scale at scale 8', () => {
    const big = generateDemoDataset(regions, { scale: 8 });
    const n = demoSummary(big);
    expect(n.systems).toBeGreaterThanOrEqual(10_000);
    expect(n['service-items']).toBeGreaterThanOrEqual(25_000);
    expect(n.departments).toBeGreaterThanOrEqual(1_800);
    expect(n['private-networks']).toBeGreaterThanOrEqual(500);
    expect(pct(expectedCloudMigrationRate(big, DEMO_AS_OF))).toBeGreaterThanOrEqual(89);
    expect(new Set(big.departments.map((d) => d.code)).size).toBe(n.departments);
    expect(new Set(big.systems.map((d) => d.code)).size).toBe(n.systems);
  });

  it('rejects a nonsensical scale', () => {
    expect(() => generateDemoDataset(regions, { scale: 0 })).toThrow(RangeError);
    expect(() => generateDemoDataset(regions, { scale: Number.NaN })).toThrow(RangeError);
  });
});

describe('the demo interface services (互联互通)', () => {
  it('name systems of the dataset, are mostly published, and change in a second round', () => {
    const services = ds['interface-services'];
    const systems = new Set(ds.systems.map((s) => s.code));
    expect(services.length).toBe(60);
    for (const s of services) {
      expect(systems.has(s.provider_system_code)).toBe(true);
      expect(s.consumer_system_codes.length).toBeGreaterThan(0);
      for (const c of s.consumer_system_codes) expect(systems.has(c) && c !== s.provider_system_code).toBe(true);
      if (s.state_at) expect(s.state_at < SERVICES_RECORDED).toBe(true);
    }
    const active = services.filter((s) => s.state === 'active').length;
    expect(active).toBeGreaterThan(40);
    expect(active).toBeLessThan(60);
    const changed = changedServices(services);
    expect(changed.some((s) => s.state === 'retired')).toBe(true);
    expect(changed.some((s) => services.find((o) => o.code === s.code)?.state === 'planned' && s.state === 'active')).toBe(true);
    expect(changed.every((s) => (s.state_at ?? '') <= SERVICES_CHANGED)).toBe(true);
  });

  it('count every published day of the last 120 days, deterministically', () => {
    const volumes = demoVolumes(ds['interface-services']);
    expect(volumes).toEqual(demoVolumes(generateDemoDataset(regions)['interface-services']));
    const dates = [...new Set(volumes.map((v) => v.date))].sort();
    expect(dates).toHaveLength(VOLUME_DAYS);
    expect(dates.at(-1)).toBe(DEMO_AS_OF);
    expect(volumes.every((v) => Number.isInteger(v.count) && v.count > 0)).toBe(true);
    // A retired service has no counts from the day it was taken offline.
    const retired = changedServices(ds['interface-services']).find((s) => s.state === 'retired');
    expect(volumes.filter((v) => v.service_code === retired?.code && v.date >= (retired?.state_at ?? '')).length).toBe(0);
  });
});
