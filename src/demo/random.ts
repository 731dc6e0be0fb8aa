/** A small seeded PRNG and the date arithmetic the demo generator needs; nothing here reads the clock. */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  shuffle<T>(items: T[]): T[];
}

/** mulberry32: tiny, fast and good enough for demo data; the same seed always yields the same stream. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor((hi - lo + 1) * next()),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(items.length * next())] as (typeof items)[number];
    },
    chance: (p) => next() < p,
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor((i + 1) * next());
        const tmp = items[i] as (typeof items)[number];
        items[i] = items[j] as (typeof items)[number];
        items[j] = tmp;
      }
      return items;
    },
  };
  return rng;
}

/** One independent stream per purpose, so adding draws to one kind does not reshuffle the others. */
export function streamFor(seed: number, purpose: string): Rng {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) {
    h ^= purpose.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mulberry32(h >>> 0);
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a YYYY-MM-DD date. */
export function dayOf(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}

export function isoOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A date uniformly between two dates, both included. */
export function dateBetween(rng: Rng, from: string, to: string): string {
  return isoOf(rng.int(dayOf(from), dayOf(to)));
}

/** A cumulative progress curve: at knot dates, the share of the items done so far (non-decreasing, 0..1). */
export type Curve = readonly (readonly [string, number])[];

/**
 * The date at which a curve reaches `u`: the item at quantile `u` of the schedule is done that
 * day. Beyond the last knot's share the item is not done; callers check that first.
 */
export function dateAtShare(curve: Curve, u: number): string {
  const first = curve[0];
  if (!first) throw new RangeError('empty curve');
  let [prevDate, prevShare] = first;
  if (u <= prevShare) return prevDate;
  for (let i = 1; i < curve.length; i++) {
    const [date, share] = curve[i] as readonly [string, number];
    if (u <= share) {
      const a = dayOf(prevDate);
      const b = dayOf(date);
      const f = share > prevShare ? (u - prevShare) / (share - prevShare) : 1;
      return isoOf(Math.min(b, a + Math.floor(f * (b - a + 1))));
    }
    prevDate = date;
    prevShare = share;
  }
  return prevDate;
}

/** Splits `total` over `weights` exactly (largest remainder), so totals never drift with rounding. */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const raw = weights.map((w) => (w / sum) * total);
  const counts = raw.map(Math.floor);
  let left = total - counts.reduce((s, c) => s + c, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    counts[i] = (counts[i] as number) + 1;
    left--;
  }
  return counts;
}
