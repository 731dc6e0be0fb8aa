/* The extranet's nodes: backbone, metro nodes of the province, cities and counties, and the townships' access points. */

import type { NetworkNodeInput } from '../../registry/kinds/network-nodes.ts';
import { type Curve, dateAtShare, dateBetween, type Rng } from '../random.ts';
import type { Geography } from './departments.ts';
import { type DemoKind, type DemoRegion, demoTargets } from './model.ts';
import { cityPaces, type Pace, quantiles } from './pace.ts';

/** Share of the eventually-covered townships commissioned by each date. */
const townshipCurve: Curve = [
  ['2018-01-01', 0],
  ['2018-12-31', 0.3],
  ['2019-12-31', 0.75],
  ['2020-07-31', 1],
];

function buildNetworkNodes(geo: Geography, rng: Rng): NetworkNodeInput[] {
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

export const networkNodeRows: DemoKind<'network-nodes'> = {
  segment: 'network-nodes',
  rows: ({ geo }, rng) => buildNetworkNodes(geo, rng),
};
