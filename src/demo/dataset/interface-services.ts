/* Interface services (接口服务) between the demo's systems, their later changes and their daily exchange counts. */

import type { ExchangeVolumeInput } from '../../interconnection/volumes.ts';
import { addDays, dayNumber } from '../../kernel/dates.ts';
import type { InterfaceServiceInput } from '../../registry/kinds/interface-services.ts';
import { dateBetween, type Rng } from '../random.ts';
import { type Dept, pad } from './departments.ts';
import { DEMO_AS_OF, type DemoKind } from './model.ts';

/** The day the services are first recorded: their consumer links date from it. */
export const SERVICES_RECORDED = '2020-04-01';
/** The day of the second round of changes: consumers gained and lost, services published and taken offline. */
export const SERVICES_CHANGED = '2020-07-01';
/** Daily counts for the last 120 days of the demo's story. */
export const VOLUME_DAYS = 120;

/** Interface services at scale 1; they grow with the systems, by the square root of the scale. */
const BASE_COUNT = 60;
const names = ['数据查询接口', '电子证照共享接口', '信息核验服务', '数据交换服务', '业务协同接口'];

function buildServices(
  depts: readonly Dept[],
  systems: readonly { code: string; name: string; department_code: string; classification: string; state: string }[],
  total: number,
  rng: Rng,
): InterfaceServiceInput[] {
  const level = new Map(depts.map((d) => [d.row.code, d.level]));
  // Classified and retired systems publish and consume nothing on the platform.
  const pool = systems.filter((s) => s.classification !== 'classified' && s.state !== 'retired');
  const providers = pool.filter((s) => level.get(s.department_code) !== 'county');
  if (providers.length === 0 || pool.length < 2) return [];
  const rows: InterfaceServiceInput[] = [];
  for (let i = 0; i < total; i++) {
    const provider = rng.pick(providers);
    const consumers = new Set<string>();
    const wanted = rng.int(1, 4);
    for (let tries = 0; consumers.size < wanted && tries < 20; tries++) {
      const consumer = rng.pick(pool).code;
      if (consumer !== provider.code) consumers.add(consumer);
    }
    const active = rng.chance(0.85);
    rows.push({
      code: `IF${pad(i + 1, 4)}`,
      name: `${provider.name}${names[i % names.length]}`,
      provider_system_code: provider.code,
      consumer_system_codes: [...consumers].sort(),
      state: active ? 'active' : 'planned',
      state_at: active ? dateBetween(rng, '2019-01-01', addDays(SERVICES_RECORDED, -1)) : null,
    });
  }
  return rows;
}

export const interfaceServiceRows: DemoKind<'interface-services'> = {
  segment: 'interface-services',
  rows: ({ depts, scale }, rng, earlier) => buildServices(depts, earlier.systems ?? [], Math.round(BASE_COUNT * Math.sqrt(scale)), rng),
  today: SERVICES_RECORDED,
};

/**
 * The second round, as the services read after it: every fifth published service gains a
 * consumer, every seventh loses its first one, every eleventh is taken offline (已下线) and
 * every second planned one is published. A pure function of the rows.
 */
export function changedServices(rows: readonly InterfaceServiceInput[]): InterfaceServiceInput[] {
  const consumersSeen = [...new Set(rows.flatMap((r) => r.consumer_system_codes))].sort();
  const out: InterfaceServiceInput[] = [];
  let planned = 0;
  rows.forEach((row, i) => {
    if (row.state === 'planned') {
      if (planned++ % 2 === 0) out.push({ ...row, state: 'active', state_at: '2020-06-15' });
      return;
    }
    let consumers = [...row.consumer_system_codes];
    if (i % 5 === 0) {
      const extra = consumersSeen.find((c) => c !== row.provider_system_code && !consumers.includes(c));
      if (extra) consumers.push(extra);
    }
    if (i % 7 === 0 && consumers.length > 1) consumers = consumers.slice(1);
    const retired = i % 11 === 0;
    if (consumers.join() === row.consumer_system_codes.join() && !retired) return;
    out.push({ ...row, consumer_system_codes: consumers.sort(), ...(retired ? { state: 'retired', state_at: '2020-06-20' } : {}) });
  });
  return out;
}

/** A small stable hash of a code: each service's own traffic level. */
function hashOf(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619);
  return h >>> 0;
}

/**
 * Daily counts of the services while published, over the last VOLUME_DAYS days up to the
 * demo's end: a level per service, less at weekends, a slow growth. Deterministic.
 */
export function demoVolumes(rows: readonly InterfaceServiceInput[]): ExchangeVolumeInput[] {
  const last = dayNumber(DEMO_AS_OF);
  const after = new Map(changedServices(rows).map((r) => [r.code, r]));
  const out: ExchangeVolumeInput[] = [];
  for (const row of rows) {
    const final = after.get(row.code) ?? row;
    const level = 200 + (hashOf(row.code) % 4800);
    for (let k = VOLUME_DAYS - 1; k >= 0; k--) {
      const date = addDays(DEMO_AS_OF, -k);
      const publishedFrom = row.state === 'active' ? row.state_at : final.state === 'active' ? final.state_at : null;
      if (!publishedFrom || date < publishedFrom) continue;
      if (final.state === 'retired' && final.state_at && date >= final.state_at) continue;
      const weekday = (dayNumber(date) + 3) % 7; // 0 = Monday
      const weekend = weekday >= 5 ? 0.35 : 1;
      const growth = 1 + (0.3 * (VOLUME_DAYS - (last - dayNumber(date)))) / VOLUME_DAYS;
      out.push({ service_code: row.code, date, count: Math.round(level * weekend * growth + (hashOf(`${row.code}${date}`) % 97)) });
    }
  }
  return out;
}
