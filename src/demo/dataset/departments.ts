/* The province's regions indexed, and its departments at every level drawn from the name templates. */

import type { DepartmentKind } from '../../db/schema/enums.ts';
import type { DepartmentInput } from '../../registry/kinds/departments.ts';
import {
  affiliatedSuffixes,
  cityCore,
  cityDepartments,
  countyCore,
  countyDepartments,
  type DepartmentTemplate,
  type Domain,
  provinceDepartments,
  provinceSubDepartments,
} from '../names.ts';
import { allocate, dateBetween, type Rng } from '../random.ts';
import type { DemoKind, DemoRegion } from './model.ts';
import { cityPaces, type Pace } from './pace.ts';

export type Level = 'province' | 'city' | 'county';

export interface Dept {
  row: DepartmentInput;
  level: Level;
  /** Index into the sorted cities, -1 for 区直. */
  city: number;
  domain: Domain;
  kind: DepartmentKind;
  pace: Pace;
  cloudCode: string;
  tenant: string;
}

export interface Geography {
  province: DemoRegion;
  short: string;
  cities: DemoRegion[];
  countiesByCity: DemoRegion[][];
  /** Counties whose parent is the province itself (省直管县), if any. */
  directCounties: DemoRegion[];
  townshipsByCounty: Map<string, DemoRegion[]>;
}

export function indexRegions(regions: readonly DemoRegion[]): Geography {
  const byCode = (a: DemoRegion, b: DemoRegion) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  const province = regions.find((r) => r.level === 'province');
  if (!province) throw new RangeError('the regions hold no province');
  const cities = regions.filter((r) => r.level === 'city' && r.parentCode === province.code).sort(byCode);
  const cityIndex = new Map(cities.map((c, i) => [c.code, i]));
  const countiesByCity: DemoRegion[][] = cities.map(() => []);
  const directCounties: DemoRegion[] = [];
  const countyCodes = new Set<string>();
  for (const r of [...regions].sort(byCode)) {
    if (r.level !== 'county') continue;
    const i = r.parentCode === null ? undefined : cityIndex.get(r.parentCode);
    if (i !== undefined) countiesByCity[i]?.push(r);
    else if (r.parentCode === province.code) directCounties.push(r);
    else continue;
    countyCodes.add(r.code);
  }
  const townshipsByCounty = new Map<string, DemoRegion[]>();
  for (const r of [...regions].sort(byCode)) {
    if (r.level !== 'township' || r.parentCode === null || !countyCodes.has(r.parentCode)) continue;
    const list = townshipsByCounty.get(r.parentCode) ?? [];
    list.push(r);
    townshipsByCounty.set(r.parentCode, list);
  }
  const short = province.name.replace(/(壮族自治区|回族自治区|维吾尔自治区|自治区|省|市)$/, '') || province.name;
  return { province, short, cities, countiesByCity, directCounties, townshipsByCounty };
}

export const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A share of a kind's rows: the departments it goes to and how many. */
export interface DeptGroup {
  pick(dept: Dept): boolean;
  total: number;
}

/** Splits each group's total over its departments (enterprises hold none) by a weight drawn per department. */
export function countsPerDepartment(depts: readonly Dept[], groups: readonly DeptGroup[], weight: (dept: Dept) => number): number[] {
  const counts = new Array<number>(depts.length).fill(0);
  for (const g of groups) {
    const idx = depts.flatMap((d, i) => (g.pick(d) && d.kind !== 'enterprise' ? [i] : []));
    const weights = idx.map((i) => weight(depts[i] as Dept));
    allocate(g.total, weights).forEach((c, k) => {
      counts[idx[k] as number] = c;
    });
  }
  return counts;
}

// ---------------------------------------------------------------- departments

/** Picks `n` templates: the core ones first, then a per-region draw, then affiliated units. */
function pickTemplates(list: readonly DepartmentTemplate[], core: number, n: number, rng: Rng): DepartmentTemplate[] {
  const head = list.slice(0, Math.min(core, n));
  const rest = rng.shuffle(list.slice(core));
  const picked = [...head, ...rest.slice(0, Math.max(0, n - head.length))];
  for (let i = 0; picked.length < n; i++) picked.push(affiliated(list, i));
  return picked;
}

function affiliated(list: readonly DepartmentTemplate[], i: number): DepartmentTemplate {
  const base = list[i % list.length] as DepartmentTemplate;
  const round = Math.floor(i / list.length);
  const suffix = affiliatedSuffixes[round % affiliatedSuffixes.length] as string;
  const again = round >= affiliatedSuffixes.length ? String(Math.floor(round / affiliatedSuffixes.length) + 1) : '';
  return { suffix: `${base.suffix}${suffix}${again}`, kind: 'institution', domain: base.domain };
}

const industryDomains: Partial<Record<Domain, string>> = {
  police: 'GXCLOUD-PS',
  health: 'GXCLOUD-HEALTH',
  edu: 'GXCLOUD-EDU',
};

export function buildDepartments(geo: Geography, deptScale: number, rng: Rng): Dept[] {
  const out: Dept[] = [];
  const extranet = (p: number, from: string, to: string) =>
    rng.chance(p)
      ? { extranet_connected: true, extranet_connected_at: dateBetween(rng, from, to) }
      : { extranet_connected: false, extranet_connected_at: null };
  const departmentName = (prefix: string, t: DepartmentTemplate) =>
    t.kind === 'enterprise' && prefix === geo.province.name
      ? geo.short === '广西'
        ? '数字广西集团有限公司'
        : `数字${geo.short}集团有限公司`
      : `${prefix}${t.suffix}`;

  // 区直: each department has its own pace; industry departments sit on their industry cloud.
  const nProvince = Math.max(1, Math.round(40 * deptScale));
  const provinceTemplates = pickTemplates(provinceDepartments, provinceDepartments.length, nProvince, rng);
  provinceTemplates.forEach((t, i) => {
    const code = `P${pad(i + 1, 3)}`;
    const pace: Pace = { center: rng.range(-0.3, 0.3), spread: rng.range(0.6, 1.2) };
    const cloudCode = industryDomains[t.domain] ?? 'GXCLOUD';
    out.push({
      row: {
        code,
        name: departmentName(geo.province.name, t),
        region_code: geo.province.code,
        parent_code: null,
        kind: t.kind,
        ...extranet(0.95, '2017-01-01', '2018-12-31'),
      },
      level: 'province',
      city: -1,
      domain: t.domain,
      kind: t.kind,
      pace,
      cloudCode,
      tenant: `t-${code.toLowerCase()}`,
    });
    // Only the named 区直 departments carry 二层机构; affiliated units at large scales do not.
    const subs = i < provinceDepartments.length ? (provinceSubDepartments[t.suffix] ?? []) : [];
    subs.forEach((s, j) => {
      const subCode = `${code}-${pad(j + 1, 2)}`;
      out.push({
        row: {
          code: subCode,
          name: `${geo.province.name}${t.suffix}${s.suffix}`,
          region_code: geo.province.code,
          parent_code: code,
          kind: s.kind,
          ...extranet(0.9, '2017-06-01', '2019-06-30'),
        },
        level: 'province',
        city: -1,
        domain: s.domain,
        kind: s.kind,
        pace: { center: pace.center + rng.range(-0.1, 0.1), spread: pace.spread },
        cloudCode,
        tenant: `t-${subCode.toLowerCase()}`,
      });
    });
  });

  // 市直 and 县直 share their city's pace, with a little spread between departments.
  const local = (level: 'city' | 'county', region: DemoRegion, city: number, prefix: string) => {
    const cityPace = city >= 0 ? (cityPaces[city % cityPaces.length] as Pace) : { center: 0.1, spread: 1 };
    const cloudCode = city >= 0 ? `CLOUD-${geo.cities[city]?.code}` : 'GXCLOUD';
    const isCity = level === 'city';
    const n = Math.max(1, Math.round((isCity ? 12 : 5) * deptScale) + rng.int(-1, 1));
    const templates = pickTemplates(isCity ? cityDepartments : countyDepartments, isCity ? cityCore : countyCore, n, rng);
    templates.forEach((t, j) => {
      const code = `${isCity ? 'C' : 'X'}${region.code}-${pad(j + 1, 3)}`;
      out.push({
        row: {
          code,
          name: `${prefix}${t.suffix}`,
          region_code: region.code,
          parent_code: null,
          kind: t.kind,
          ...(isCity ? extranet(0.92, '2017-03-01', '2019-12-31') : extranet(0.85, '2017-06-01', '2020-07-31')),
        },
        level,
        city,
        domain: t.domain,
        kind: t.kind,
        pace: { ...cityPace, center: cityPace.center + rng.range(-0.06, 0.06) },
        cloudCode,
        tenant: `t-${code.toLowerCase()}`,
      });
    });
  };
  geo.cities.forEach((c, i) => {
    local('city', c, i, c.name);
    for (const county of geo.countiesByCity[i] ?? []) local('county', county, i, county.name);
  });
  for (const county of geo.directCounties) local('county', county, -1, county.name);
  return out;
}

/** Every other kind is drawn from the departments, so their rows are the world's. */
export const departmentRows: DemoKind<'departments'> = {
  segment: 'departments',
  rows: ({ depts }) => depts.map((d) => d.row),
};
