/* Private networks, service items and the extranet's nodes. */

import type { SystemType } from '../../db/schema/enums.ts';
import type { NetworkNodeInput, PrivateNetworkInput, ServiceItemInput } from '../../registry/schemas.ts';
import { classifiedPrivateNetworks, type Domain, domainItems, domainPrivateNetworks, genericItems, itemVariants } from '../names.ts';
import { allocate, dateAtShare, dateBetween, type Rng } from '../random.ts';
import { phaseName } from './clouds.ts';
import { type Dept, type Geography, type Level, pad } from './departments.ts';
import { DEMO_AS_OF, type DemoRegion, demoTargets } from './model.ts';
import {
  cityPaces,
  integrationCurve,
  interconnectionCurve,
  type Pace,
  PN_RETIRE_WINDOW,
  PN_RETIRED_SHARE,
  paceKey,
  quantiles,
  retirementDates,
  townshipCurve,
} from './pace.ts';
import { drawClassification, setNetwork } from './systems.ts';

const pnWeightByDomain: Partial<Record<Domain, number>> = {
  police: 3,
  hrss: 2.5,
  finance: 2,
  health: 2,
  transport: 2,
  emergency: 2,
  water: 2,
  land: 1.5,
  medins: 1.5,
  market: 1.5,
  generic: 0.4,
};

export function buildPrivateNetworks(depts: readonly Dept[], total: number, rng: Rng): PrivateNetworkInput[] {
  const levelShare: Record<Level, number> = { province: 0.4, city: 0.4, county: 0.2 };
  const counts = new Array<number>(depts.length).fill(0);
  for (const level of ['province', 'city', 'county'] as const) {
    const idx = depts.flatMap((d, i) => (d.level === level && d.kind !== 'enterprise' ? [i] : []));
    const weights = idx.map((i) => (pnWeightByDomain[(depts[i] as Dept).domain] ?? 1) * rng.range(0.5, 1.5));
    allocate(Math.round(total * levelShare[level]), weights).forEach((c, k) => {
      counts[idx[k] as number] = c;
    });
  }

  const drafts: { row: PrivateNetworkInput; dept: Dept }[] = [];
  depts.forEach((dept, di) => {
    const pool = domainPrivateNetworks[dept.domain];
    for (let j = 0; j < (counts[di] ?? 0); j++) {
      const classification = drawClassification(rng, 0.08, 0.05);
      const base = classification === 'classified' ? rng.pick(classifiedPrivateNetworks) : (pool[j % pool.length] as string);
      const round = Math.floor(j / pool.length);
      drafts.push({
        row: {
          code: `PN${pad(drafts.length + 1, 4)}`,
          name: `${dept.row.name}${base}${round > 0 && classification !== 'classified' ? `（${phaseName(round + 1)}期）` : ''}`,
          department_code: dept.row.code,
          classification,
          state: 'not_started',
          state_at: null,
        },
        dept,
      });
    }
  });

  const scoped = drafts.filter((d) => d.row.classification === 'non_classified');
  const u = quantiles(scoped.map((d) => paceKey(d.dept.pace, rng)));
  const curve = interconnectionCurve();
  const done = (curve.at(-1) as readonly [string, number])[1];
  const tail: PrivateNetworkInput[] = [];
  scoped.forEach((d, i) => {
    const q = u[i] as number;
    if (q > done) tail.push(d.row);
    else setNetwork(d.row, 'interconnected', dateAtShare(curve, q));
  });
  rng.shuffle(tail);
  const retired = Math.min(tail.length, Math.round(PN_RETIRED_SHARE * scoped.length));
  const dates = retirementDates(retired, PN_RETIRE_WINDOW, rng);
  tail.forEach((row, i) => {
    if (i < retired) setNetwork(row, 'retired', dates[i] ?? null);
    else if (rng.chance(0.4)) setNetwork(row, 'migrating', dateBetween(rng, '2019-09-01', DEMO_AS_OF));
  });
  return drafts.map((d) => d.row);
}

// ---------------------------------------------------------------- service items

/** Published share of all items that sit at 区直 level (1,231 of 27,042). */
const PROVINCE_ITEM_SHARE = 1231 / (1231 + 25811);

// 国垂 systems are the hardest to connect to the unified platform; self-built ones the easiest.
const typeLag: Record<SystemType, number> = { national: 0.25, provincial: -0.05, city: 0, self_built: -0.15 };

function drawSystemType(rng: Rng, dept: Dept): SystemType {
  const r = rng.next();
  if (dept.domain === 'police' || dept.domain === 'market') return r < 0.75 ? 'national' : 'provincial';
  if (dept.level === 'province') return r < 0.35 ? 'national' : r < 0.85 ? 'provincial' : 'self_built';
  return r < 0.28 ? 'national' : r < 0.68 ? 'provincial' : r < 0.85 ? 'city' : 'self_built';
}

export function buildServiceItems(depts: readonly Dept[], total: number, rng: Rng): ServiceItemInput[] {
  const counts = new Array<number>(depts.length).fill(0);
  const provinceTotal = Math.max(1, Math.round(total * PROVINCE_ITEM_SHARE));
  const groups = [
    { pick: (d: Dept) => d.level === 'province', total: provinceTotal },
    { pick: (d: Dept) => d.level !== 'province', total: total - provinceTotal },
  ];
  for (const g of groups) {
    const idx = depts.flatMap((d, i) => (g.pick(d) && d.kind !== 'enterprise' ? [i] : []));
    const weights = idx.map((i) => {
      const d = depts[i] as Dept;
      const base = d.level === 'city' ? rng.range(1.5, 4) : d.row.parent_code ? rng.range(0.5, 1.5) : rng.range(1, 3);
      return d.domain === 'generic' ? base * 0.4 : base;
    });
    allocate(g.total, weights).forEach((c, k) => {
      counts[idx[k] as number] = c;
    });
  }

  const drafts: { row: ServiceItemInput; dept: Dept }[] = [];
  depts.forEach((dept, di) => {
    const pool = [...rng.shuffle([...domainItems[dept.domain]]), ...genericItems];
    for (let j = 0; j < (counts[di] ?? 0); j++) {
      const round = Math.floor(j / pool.length);
      const variant =
        round === 0
          ? ''
          : `（${itemVariants[(round - 1) % itemVariants.length]}${round > itemVariants.length ? Math.ceil(round / itemVariants.length) : ''}）`;
      drafts.push({
        row: {
          code: `SI${pad(drafts.length + 1, 6)}`,
          name: `${pool[j % pool.length]}${variant}`,
          department_code: dept.row.code,
          system_type: drawSystemType(rng, dept),
          integration_required: rng.chance(0.96),
          integrated: false,
          integrated_at: null,
        },
        dept,
      });
    }
  });

  // Exactly the published share of required items per level is integrated by the end.
  for (const [isProvince, target] of [
    [true, demoTargets.integration.province],
    [false, demoTargets.integration.local],
  ] as const) {
    const scoped = drafts.filter((d) => d.row.integration_required && (d.dept.level === 'province') === isProvince);
    const keys = scoped.map((d) => 0.6 * d.dept.pace.center + typeLag[d.row.system_type] + (rng.next() - 0.5));
    const u = quantiles(keys);
    const integrated = Math.round(target * scoped.length);
    scoped.forEach((d, i) => {
      const rank = Math.round((u[i] as number) * scoped.length - 0.5);
      if (rank >= integrated) return;
      d.row.integrated = true;
      d.row.integrated_at = dateAtShare(integrationCurve, (rank + 0.5) / integrated);
    });
  }
  return drafts.map((d) => d.row);
}

// ---------------------------------------------------------------- network nodes

export function buildNetworkNodes(geo: Geography, rng: Rng): NetworkNodeInput[] {
  const net = `10.${geo.province.code.slice(0, 2).replace(/^0/, '')}`;
  const p = geo.province;
  const nodes: NetworkNodeInput[] = [
    node(`N-${p.code}-BB1`, `${geo.short}电子政务外网骨干核心节点（主）`, p.code, 'backbone', '2016-06-30', `${net}.0.1`),
    node(`N-${p.code}-BB2`, `${geo.short}电子政务外网骨干核心节点（备）`, p.code, 'backbone', '2016-09-30', `${net}.0.2`),
    node(`N-${p.code}`, `${p.name}本级电子政务外网城域节点`, p.code, 'metro', '2016-12-31', `${net}.0.10`),
  ];
  const counties: { county: DemoRegion; cityName: string; city: number }[] = [];
  geo.cities.forEach((c, i) => {
    nodes.push(
      node(
        `N-${c.code}`,
        `${c.name}电子政务外网城域节点`,
        c.code,
        'metro',
        dateBetween(rng, '2017-01-01', '2018-06-30'),
        `${net}.${i + 1}.1`,
      ),
    );
    (geo.countiesByCity[i] ?? []).forEach((county, j) => {
      counties.push({ county, cityName: c.name, city: i });
      const at = dateBetween(rng, '2017-06-01', '2019-12-31');
      nodes.push(
        node(`N-${county.code}`, `${c.name}${county.name}电子政务外网节点`, county.code, 'metro', at, `${net}.${i + 1}.${10 + j}`),
      );
    });
  });
  geo.directCounties.forEach((county, j) => {
    counties.push({ county, cityName: '', city: -1 });
    const at = dateBetween(rng, '2017-06-01', '2019-12-31');
    nodes.push(node(`N-${county.code}`, `${county.name}电子政务外网节点`, county.code, 'metro', at, `${net}.0.${20 + j}`));
  });

  // Townships: the mountain cities (later pace) keep most of the ~4% not yet covered.
  const towns = counties.flatMap(({ county, city }) =>
    (geo.townshipsByCounty.get(county.code) ?? []).map((town) => ({ town, county, city })),
  );
  const u = quantiles(towns.map(({ city }) => (city >= 0 ? (cityPaces[city % cityPaces.length] as Pace).center : 0) + rng.next() - 0.5));
  const covered = Math.round(demoTargets.townshipCoverage * towns.length);
  towns.forEach(({ town, county }, k) => {
    const rank = Math.round((u[k] as number) * towns.length - 0.5);
    const address = `${net}.${64 + Math.floor(k / 250)}.${(k % 250) + 1}`;
    const name = `${county.name}${town.name}电子政务外网接入点`;
    if (rank < covered) {
      const at = dateAtShare(townshipCurve, (rank + 0.5) / covered);
      nodes.push(node(`N-${town.code}`, name, town.code, 'metro', at, address));
    } else if (rank % 2 === 0) {
      // Under construction: the node exists in the registry but is not commissioned yet.
      nodes.push({ ...node(`N-${town.code}`, name, town.code, 'metro', null, address), commissioned: false });
    }
  });
  return nodes;
}

function node(
  code: string,
  name: string,
  regionCode: string,
  tier: NetworkNodeInput['tier'],
  commissionedAt: string | null,
  probeAddress: string,
): NetworkNodeInput {
  return {
    code,
    name,
    region_code: regionCode,
    tier,
    commissioned: commissionedAt !== null,
    commissioned_at: commissionedAt,
    probe_address: probeAddress,
  };
}
