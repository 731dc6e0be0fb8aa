/* How fast each city's departments move, and how a kind's rows are ranked and retired by that pace. */

import { dayOf, isoOf, type Rng } from '../random.ts';

/** How fast a city (or a 区直 department) moves: `center` early (negative) or late, `spread` how long it takes. */
export interface Pace {
  center: number;
  spread: number;
  /** Months in which nothing moved; work due then lands right after. */
  stall?: readonly [string, string];
}

// Hand-set so the monthly red/black list has leaders, laggards, a late sprinter and one stall.
export const cityPaces: readonly Pace[] = [
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

/**
 * Orders items by a pace key and gives each a quantile in (0, 1). Ranking (instead of drawing
 * each item's date independently) makes the province-wide share at any date hit the curve
 * almost exactly, while cities and departments still differ through their keys.
 */
export function quantiles(keys: readonly number[]): number[] {
  const order = keys.map((_k, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  const u = new Array<number>(keys.length);
  order.forEach((idx, rank) => {
    u[idx] = (rank + 0.5) / keys.length;
  });
  return u;
}

// A few hard cases (legacy platforms, vendor lock-in) lag wherever they are, so even leaders rarely reach 100%.
export const paceKey = (pace: Pace, rng: Rng) =>
  pace.center + pace.spread * (rng.next() - 0.5) + (rng.chance(0.05) ? 0.6 + 0.4 * rng.next() : 0);

/** Retired share as of a date when retirements are spread evenly over a window. */
export function retiredShareBy(share: number, window: readonly [string, string], at: string): number {
  const [from, to] = window.map(dayOf) as [number, number];
  return share * Math.min(1, Math.max(0, (dayOf(at) - from) / (to - from)));
}

/** Spreads `n` retirements evenly over a window, so the retired share grows steadily. */
export function retirementDates(n: number, window: readonly [string, string], rng: Rng): string[] {
  const [from, to] = window.map(dayOf) as [number, number];
  return rng.shuffle(Array.from({ length: n }, (_, i) => isoOf(from + Math.floor(((i + 0.5) / n) * (to - from)))));
}
