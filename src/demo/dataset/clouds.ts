/* The "1+N+14" clouds and their tenants, sized to the systems on them. */

import type { SystemInput } from '../../registry/kinds/systems.ts';
import type { CloudInput, TenantInput } from '../../registry/schemas.ts';
import { dayOf, isoOf, type Rng } from '../random.ts';
import type { Dept, Geography } from './departments.ts';

const roundUp = (x: number, step: number) => Math.ceil(x / step) * step;
const cityProviders = ['huawei', 'alibaba', 'tencent', 'inspur', 'huawei', 'openstack', 'kubernetes'];

/** The provincial industry clouds and their capacity floors (vCPU, memory GiB, storage GiB). */
const industryClouds = [
  { code: 'GXCLOUD-PS', name: '公安行业云', provider: 'inspur', floor: [12_000, 48_000, 2_048_000] },
  { code: 'GXCLOUD-HEALTH', name: '卫生健康行业云', provider: 'alibaba', floor: [6_000, 24_000, 1_024_000] },
  { code: 'GXCLOUD-EDU', name: '教育行业云', provider: 'tencent', floor: [4_000, 16_000, 819_200] },
] as const;

type Capacity = Pick<CloudInput, 'vcpu_capacity' | 'memory_capacity_gib' | 'storage_capacity_gib'>;

function cloud(
  code: string,
  name: string,
  kind: CloudInput['kind'],
  role: CloudInput['role'],
  provider: string,
  regionCode: string,
  capacity: Capacity,
): CloudInput {
  return { code, name, kind, role, provider, region_code: regionCode, ...capacity };
}

export function buildCloudsAndTenants(
  geo: Geography,
  depts: readonly Dept[],
  systems: readonly SystemInput[],
  rng: Rng,
): { clouds: CloudInput[]; tenants: TenantInput[] } {
  const perDept = new Map<string, { total: number; running: number }>();
  for (const s of systems) {
    const c = perDept.get(s.department_code) ?? { total: 0, running: 0 };
    c.total++;
    if (s.state === 'migrated' || s.state === 'migrating') c.running++;
    perDept.set(s.department_code, c);
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
  const capacity = (code: string, vcpu: number, memory: number, storage: number): Capacity => {
    const q = quota.get(code) ?? { vcpu: 0, memory: 0, storage: 0 };
    return {
      vcpu_capacity: Math.max(vcpu, roundUp(q.vcpu / 0.7, 1000)),
      memory_capacity_gib: Math.max(memory, roundUp(q.memory / 0.7, 4096)),
      storage_capacity_gib: Math.max(storage, roundUp(q.storage / 0.7, 102_400)),
    };
  };
  const primary = capacity('GXCLOUD', 60_000, 240_000, 6_144_000);
  // A disaster-recovery site: a share of the primary's compute and memory, half its storage.
  const standby = (share: number): Capacity => ({
    vcpu_capacity: roundUp(primary.vcpu_capacity * share, 1000),
    memory_capacity_gib: roundUp(primary.memory_capacity_gib * share, 4096),
    storage_capacity_gib: roundUp(primary.storage_capacity_gib * 0.5, 102_400),
  });
  const province = geo.province.code;
  const short = geo.short;
  const clouds: CloudInput[] = [
    cloud('GXCLOUD', short === '广西' ? '壮美广西·政务云' : `${short}政务云`, 'provincial', 'primary', 'huawei', province, primary),
    cloud('GXCLOUD-DR1', `${short}政务云同城灾备中心`, 'provincial', 'same_city_dr', 'huawei', province, standby(0.4)),
    cloud('GXCLOUD-DR2', `${short}政务云异地灾备中心`, 'provincial', 'remote_dr', 'huawei', geo.cities[2]?.code ?? province, standby(0.25)),
    ...industryClouds.map(({ code, name, provider, floor: [vcpu, memory, storage] }) =>
      cloud(code, `${short}${name}`, 'industry', 'primary', provider, province, capacity(code, vcpu, memory, storage)),
    ),
  ];
  geo.cities.forEach((c, i) => {
    const code = `CLOUD-${c.code}`;
    // Bigger cities (more counties) built bigger clouds.
    const floor = roundUp((1_500 + 300 * (geo.countiesByCity[i]?.length ?? 0)) * rng.range(0.8, 1.3), 500);
    const provider = cityProviders[i % cityProviders.length] as string;
    clouds.push(cloud(code, `${c.name}政务云`, 'city', 'primary', provider, c.code, capacity(code, floor, floor * 4, floor * 200)));
  });
  return { clouds: clouds.map((c) => withBuildOut(c, systems)), tenants };
}

/**
 * A cloud's build-out dates, told backwards from the first system moved onto it: in service
 * by then (the standby clouds a year after the provincial one), built over the nine months
 * before, planned half a year before that.
 */
function withBuildOut(cloud: CloudInput, systems: readonly SystemInput[]): CloudInput {
  const moves = systems.filter((s) => s.cloud_code === cloud.code && s.state_at).map((s) => s.state_at as string);
  const firstMove = moves.length > 0 ? moves.reduce((a, b) => (a < b ? a : b)) : '2018-06-30';
  const inService = cloud.role === 'primary' ? firstMove : cloud.role === 'same_city_dr' ? '2018-12-28' : '2019-12-27';
  const building = isoOf(dayOf(inService) - 270);
  return {
    ...cloud,
    planned_on: isoOf(dayOf(building) - 180),
    building_on: building,
    in_service_on: inService,
    security_level: 3,
  };
}
