import type { Classification, DepartmentKind, PrivateNetworkState, SystemState, SystemType } from '../db/schema/enums.ts';
import type {
  CloudInput,
  DepartmentInput,
  NetworkNodeInput,
  PrivateNetworkInput,
  ServiceItemInput,
  SystemInput,
  TenantInput,
} from '../registry/schemas.ts';
import {
  affiliatedSuffixes,
  cityCore,
  cityDepartments,
  classifiedPrivateNetworks,
  countyCore,
  countyDepartments,
  type DepartmentTemplate,
  type Domain,
  domainItems,
  domainPrivateNetworks,
  domainSystems,
  genericItems,
  genericSystems,
  itemVariants,
  provinceDepartments,
  provinceSubDepartments,
} from './names.ts';
import { allocate, type Curve, dateAtShare, dateBetween, dayOf, isoOf, type Rng, streamFor } from './random.ts';

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

const BASE = { systems: 1500, serviceItems: 3200, privateNetworks: 250 } as const;

/** How fast a city (or a 区直 department) moves: `center` early (negative) or late, `spread` how long it takes. */
interface Pace {
  center: number;
  spread: number;
  /** Months in which nothing moved; work due then lands right after. */
  stall?: readonly [string, string];
}

// Hand-set so the monthly red/black list has leaders, laggards, a late sprinter and one stall.
const cityPaces: readonly Pace[] = [
  { center: -0.3, spread: 0.9 }, // 南宁: leads throughout
  { center: -0.18, spread: 1.0 }, // 柳州
  { center: -0.05, spread: 1.1 }, // 桂林
  { center: 0.05, spread: 1.0 }, // 梧州
  { center: -0.22, spread: 0.8 }, // 北海
  { center: 0.12, spread: 1.1 }, // 防城港
  { center: 0.0, spread: 1.0 }, // 钦州
  { center: 0.22, spread: 0.9 }, // 贵港: lags
  { center: 0.05, spread: 0.6 }, // 玉林: compact push
  { center: 0.3, spread: 0.45 }, // 百色: starts late, sprints in 2020
  { center: 0.15, spread: 1.0 }, // 贺州
  { center: 0.28, spread: 1.1 }, // 河池: lags
  { center: 0.0, spread: 1.0, stall: ['2019-04-01', '2019-09-30'] }, // 来宾: stalls mid-2019
  { center: 0.12, spread: 1.2 }, // 崇左
];

const SYSTEM_RETIRED_SHARE = 0.015;
const SYSTEM_RETIRE_WINDOW = ['2019-03-01', '2020-06-30'] as const;
const PN_RETIRED_SHARE = 0.03;
const PN_RETIRE_WINDOW = ['2018-09-01', '2020-06-30'] as const;

type Level = 'province' | 'city' | 'county';

interface Dept {
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

interface Geography {
  province: DemoRegion;
  short: string;
  cities: DemoRegion[];
  countiesByCity: DemoRegion[][];
  /** Counties whose parent is the province itself (省直管县), if any. */
  directCounties: DemoRegion[];
  townshipsByCounty: Map<string, DemoRegion[]>;
}

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

function indexRegions(regions: readonly DemoRegion[]): Geography {
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

const pad = (n: number, width: number) => String(n).padStart(width, '0');

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

function buildDepartments(geo: Geography, deptScale: number, rng: Rng): Dept[] {
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

// ---------------------------------------------------------------- progress scheduling

/**
 * Orders items by a pace key and gives each a quantile in (0, 1). Ranking (instead of drawing
 * each item's date independently) makes the province-wide share at any date hit the curve
 * almost exactly, while cities and departments still differ through their keys.
 */
function quantiles(keys: readonly number[]): number[] {
  const order = keys.map((_k, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  const u = new Array<number>(keys.length);
  order.forEach((idx, rank) => {
    u[idx] = (rank + 0.5) / keys.length;
  });
  return u;
}

// A few hard cases (legacy platforms, vendor lock-in) lag wherever they are, so even leaders rarely reach 100%.
const paceKey = (pace: Pace, rng: Rng) => pace.center + pace.spread * (rng.next() - 0.5) + (rng.chance(0.05) ? 0.6 + 0.4 * rng.next() : 0);

/** Retired share as of a date when retirements are spread evenly over a window. */
function retiredShareBy(share: number, window: readonly [string, string], at: string): number {
  const [from, to] = window.map(dayOf) as [number, number];
  return share * Math.min(1, Math.max(0, (dayOf(at) - from) / (to - from)));
}

/** Migration curve over all non-classified systems: the published rate times the share still in scope. */
function migrationCurve(): Curve {
  const live = (at: string) => 1 - retiredShareBy(SYSTEM_RETIRED_SHARE, SYSTEM_RETIRE_WINDOW, at);
  const t = demoTargets.migration;
  return [
    ['2016-01-01', 0],
    ['2016-12-31', 0.14],
    ['2017-12-31', 0.33],
    ['2018-12-31', 0.54],
    ['2019-01-31', t['2019-01-31'] * live('2019-01-31')],
    ['2019-12-31', t['2019-12-31'] * live('2019-12-31')],
    ['2020-03-31', 0.72 * live('2020-03-31')],
    ['2020-07-31', t['2020-07-31'] * live('2020-07-31')],
  ];
}

function interconnectionCurve(): Curve {
  const live = (at: string) => 1 - retiredShareBy(PN_RETIRED_SHARE, PN_RETIRE_WINDOW, at);
  return [
    ['2018-01-01', 0],
    ['2018-06-30', 0.1],
    ['2018-12-31', 0.28 * live('2018-12-31')],
    ['2019-06-30', 0.45 * live('2019-06-30')],
    ['2019-12-31', 0.6 * live('2019-12-31')],
    ['2020-03-31', 0.7 * live('2020-03-31')],
    ['2020-07-31', demoTargets.interconnection['2020-07-31'] * live('2020-07-31')],
  ];
}

/** Share of the eventually-integrated items done by each date (items) / commissioned (township nodes). */
const integrationCurve: Curve = [
  ['2018-01-01', 0],
  ['2018-12-31', 0.28],
  ['2019-12-31', 0.62],
  ['2020-07-31', 1],
];
const townshipCurve: Curve = [
  ['2018-01-01', 0],
  ['2018-12-31', 0.3],
  ['2019-12-31', 0.75],
  ['2020-07-31', 1],
];

/** Spreads `n` retirements evenly over a window, so the retired share grows steadily. */
function retirementDates(n: number, window: readonly [string, string], rng: Rng): string[] {
  const [from, to] = window.map(dayOf) as [number, number];
  return rng.shuffle(Array.from({ length: n }, (_, i) => isoOf(from + Math.floor(((i + 0.5) / n) * (to - from)))));
}

// ---------------------------------------------------------------- systems

interface SystemDraft {
  row: SystemInput;
  dept: Dept;
}

function drawClassification(rng: Rng, classified: number, pending: number): Classification {
  const r = rng.next();
  return r < classified ? 'classified' : r < classified + pending ? 'pending' : 'non_classified';
}

function buildSystems(depts: readonly Dept[], total: number, rng: Rng): SystemDraft[] {
  const weights = depts.map((d) => {
    if (d.kind === 'enterprise') return rng.range(1, 3);
    if (d.level === 'province') return d.row.parent_code ? rng.range(1, 3) : rng.range(4, 9);
    if (d.level === 'city') return rng.range(3, 6);
    return rng.chance(0.4) ? rng.range(1, 3) : 0;
  });
  const counts = allocate(total, weights);
  const drafts: SystemDraft[] = [];
  depts.forEach((dept, di) => {
    const n = counts[di] ?? 0;
    const pool = [...rng.shuffle([...domainSystems[dept.domain]]), ...rng.shuffle([...genericSystems])];
    for (let j = 0; j < n; j++) {
      const phase = Math.floor(j / pool.length);
      const base = pool[j % pool.length] as string;
      drafts.push({
        row: {
          code: `S${pad(drafts.length + 1, 6)}`,
          name: `${dept.row.name}${base}${phase > 0 ? `（${phaseName(phase + 1)}期）` : ''}`,
          department_code: dept.row.code,
          classification: drawClassification(rng, 0.05, 0.03),
          state: 'not_migrated',
          state_at: null,
          cloud_code: null,
          tenant: null,
        },
        dept,
      });
    }
  });

  const scoped = drafts.filter((d) => d.row.classification === 'non_classified');
  const u = quantiles(scoped.map((d) => paceKey(d.dept.pace, rng)));
  const curve = migrationCurve();
  const done = (curve.at(-1) as readonly [string, number])[1];
  const tail: SystemDraft[] = [];
  scoped.forEach((d, i) => {
    const q = u[i] as number;
    if (q > done) {
      tail.push(d);
      return;
    }
    let at = dateAtShare(curve, q);
    const stall = d.dept.pace.stall;
    if (stall && at >= stall[0] && at <= stall[1]) at = isoOf(dayOf(stall[1]) + rng.int(1, 31));
    setSystem(d, 'migrated', at, true);
  });

  // The ones not done by the end: a few zombies cleared, some on their way, the rest untouched.
  rng.shuffle(tail);
  const retired = Math.min(tail.length, Math.round(SYSTEM_RETIRED_SHARE * scoped.length));
  const dates = retirementDates(retired, SYSTEM_RETIRE_WINDOW, rng);
  tail.forEach((d, i) => {
    if (i < retired) {
      setSystem(d, 'retired', dates[i] ?? null, false);
      d.row.name = `${d.row.name}（僵尸系统）`;
    } else if (rng.chance(0.35)) {
      setSystem(d, 'migrating', dateBetween(rng, '2020-01-01', DEMO_AS_OF), true);
    }
  });
  return drafts;
}

function setSystem(d: SystemDraft, state: SystemState, at: string | null, onCloud: boolean): void {
  d.row.state = state;
  d.row.state_at = at;
  d.row.cloud_code = onCloud ? d.dept.cloudCode : null;
  d.row.tenant = onCloud ? d.dept.tenant : null;
}

function setNetwork(row: PrivateNetworkInput, state: PrivateNetworkState, at: string | null): void {
  row.state = state;
  row.state_at = at;
}

function phaseName(n: number): string {
  const digits = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  return n < 10 ? (digits[n] as string) : String(n);
}

// ---------------------------------------------------------------- clouds and tenants

const roundUp = (x: number, step: number) => Math.ceil(x / step) * step;
const cityProviders = ['huawei', 'alibaba', 'tencent', 'inspur', 'huawei', 'openstack', 'kubernetes'];

function buildCloudsAndTenants(
  geo: Geography,
  depts: readonly Dept[],
  systems: readonly SystemDraft[],
  rng: Rng,
): { clouds: CloudInput[]; tenants: TenantInput[] } {
  const perDept = new Map<string, { total: number; running: number }>();
  for (const s of systems) {
    const c = perDept.get(s.dept.row.code) ?? { total: 0, running: 0 };
    c.total++;
    if (s.row.state === 'migrated' || s.row.state === 'migrating') c.running++;
    perDept.set(s.dept.row.code, c);
  }

  const tenants: TenantInput[] = [];
  for (const d of depts) {
    const c = perDept.get(d.row.code);
    if (!c) continue;
    const vcpu = c.total * rng.pick([8, 16, 16, 24, 32]);
    const memory = vcpu * rng.pick([2, 4, 4, 8]);
    const storage = c.total * rng.int(2, 15) * 100;
    // 20–80%: below the tenant_quota alert (85%), which the live demo's one tenant at 90% shows.
    // Clamped so rounding small quotas never leaves the band.
    const used = (quota: number) =>
      Math.min(Math.floor(quota * 0.8), Math.max(Math.ceil(quota * 0.2), Math.round(quota * rng.range(0.2, 0.8))));
    tenants.push({
      cloud_code: d.cloudCode,
      external_id: d.tenant,
      department_code: d.row.code,
      vcpu_quota: vcpu,
      vcpu_used: used(vcpu),
      memory_quota_gib: memory,
      memory_used_gib: used(memory),
      storage_quota_gib: storage,
      storage_used_gib: used(storage),
      workload_count: c.running * rng.int(1, 4),
    });
  }

  // Capacity: a realistic floor, raised so the tenants' quotas stay under ~70% at any scale.
  const quota = new Map<string, { vcpu: number; memory: number; storage: number }>();
  for (const t of tenants) {
    const q = quota.get(t.cloud_code) ?? { vcpu: 0, memory: 0, storage: 0 };
    q.vcpu += t.vcpu_quota;
    q.memory += t.memory_quota_gib;
    q.storage += t.storage_quota_gib;
    quota.set(t.cloud_code, q);
  }
  const capacity = (code: string, vcpu: number, memory: number, storage: number) => {
    const q = quota.get(code) ?? { vcpu: 0, memory: 0, storage: 0 };
    return {
      vcpu_capacity: Math.max(vcpu, roundUp(q.vcpu / 0.7, 1000)),
      memory_capacity_gib: Math.max(memory, roundUp(q.memory / 0.7, 4096)),
      storage_capacity_gib: Math.max(storage, roundUp(q.storage / 0.7, 102_400)),
    };
  };
  const primary = capacity('GXCLOUD', 60_000, 240_000, 6_144_000);
  const province = geo.province.code;
  const short = geo.short;
  const clouds: CloudInput[] = [
    {
      code: 'GXCLOUD',
      name: short === '广西' ? '壮美广西·政务云' : `${short}政务云`,
      kind: 'provincial',
      role: 'primary',
      provider: 'huawei',
      region_code: province,
      ...primary,
    },
    {
      code: 'GXCLOUD-DR1',
      name: `${short}政务云同城灾备中心`,
      kind: 'provincial',
      role: 'same_city_dr',
      provider: 'huawei',
      region_code: province,
      vcpu_capacity: roundUp(primary.vcpu_capacity * 0.4, 1000),
      memory_capacity_gib: roundUp(primary.memory_capacity_gib * 0.4, 4096),
      storage_capacity_gib: roundUp(primary.storage_capacity_gib * 0.5, 102_400),
    },
    {
      code: 'GXCLOUD-DR2',
      name: `${short}政务云异地灾备中心`,
      kind: 'provincial',
      role: 'remote_dr',
      provider: 'huawei',
      region_code: geo.cities[2]?.code ?? province,
      vcpu_capacity: roundUp(primary.vcpu_capacity * 0.25, 1000),
      memory_capacity_gib: roundUp(primary.memory_capacity_gib * 0.25, 4096),
      storage_capacity_gib: roundUp(primary.storage_capacity_gib * 0.5, 102_400),
    },
    {
      code: 'GXCLOUD-PS',
      name: `${short}公安行业云`,
      kind: 'industry',
      role: 'primary',
      provider: 'inspur',
      region_code: province,
      ...capacity('GXCLOUD-PS', 12_000, 48_000, 2_048_000),
    },
    {
      code: 'GXCLOUD-HEALTH',
      name: `${short}卫生健康行业云`,
      kind: 'industry',
      role: 'primary',
      provider: 'alibaba',
      region_code: province,
      ...capacity('GXCLOUD-HEALTH', 6_000, 24_000, 1_024_000),
    },
    {
      code: 'GXCLOUD-EDU',
      name: `${short}教育行业云`,
      kind: 'industry',
      role: 'primary',
      provider: 'tencent',
      region_code: province,
      ...capacity('GXCLOUD-EDU', 4_000, 16_000, 819_200),
    },
  ];
  geo.cities.forEach((c, i) => {
    const code = `CLOUD-${c.code}`;
    // Bigger cities (more counties) built bigger clouds.
    const floor = roundUp((1_500 + 300 * (geo.countiesByCity[i]?.length ?? 0)) * rng.range(0.8, 1.3), 500);
    clouds.push({
      code,
      name: `${c.name}政务云`,
      kind: 'city',
      role: 'primary',
      provider: cityProviders[i % cityProviders.length] as string,
      region_code: c.code,
      ...capacity(code, floor, floor * 4, floor * 200),
    });
  });
  return { clouds, tenants };
}

// ---------------------------------------------------------------- private networks

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

function buildPrivateNetworks(depts: readonly Dept[], total: number, rng: Rng): PrivateNetworkInput[] {
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

function buildServiceItems(depts: readonly Dept[], total: number, rng: Rng): ServiceItemInput[] {
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
