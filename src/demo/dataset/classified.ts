/* What the classified kinds (systems, networks) share: a classification draw, phased names and a schedule along a pace curve. */

import type { Classification } from '../../db/schema/enums.ts';
import { type Curve, dateAtShare, dateBetween, type Rng } from '../random.ts';
import type { Dept } from './departments.ts';
import { DEMO_AS_OF } from './model.ts';
import { paceKey, quantiles, retiredShareBy, retirementDates } from './pace.ts';

/** A row being drawn, with the department whose pace it follows. */
export interface Draft<R extends { classification: Classification } = { classification: Classification }> {
  row: R;
  dept: Dept;
}

/** A schedule's step for a kind whose rows change only their state and its date (a network, a data centre). */
export const moveTo =
  <R extends { classification: Classification; state: string; state_at?: string | null }>(state: R['state']) =>
  (d: Draft<R>, at: string | null) => {
    d.row.state = state;
    d.row.state_at = at;
  };

export function drawClassification(rng: Rng, classified: number, pending: number): Classification {
  const r = rng.next();
  return r < classified ? 'classified' : r < classified + pending ? 'pending' : 'non_classified';
}

function phaseName(n: number): string {
  const digits = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  return n < 10 ? (digits[n] as string) : String(n);
}

/** A name's phase once a department's list of names runs out: round 1 is `（二期）`. */
export const phaseSuffix = (round: number) => (round > 0 ? `（${phaseName(round + 1)}期）` : '');

/** Retirements: a share of the kind's in-scope rows, spread evenly over a window. */
export interface Retiring {
  share: number;
  window: readonly [string, string];
}

/** The share of the in-scope rows not yet retired as of a date: the published rates count only those. */
export const inScopeShare = (retiring: Retiring) => (at: string) => 1 - retiredShareBy(retiring.share, retiring.window, at);

export interface Schedule<D> {
  /** Cumulative share of the non-classified rows done by each date. */
  curve: Curve;
  retiring: Retiring;
  /** Of the rows neither done nor retired by the end, the share under way, and since when at the earliest. */
  underWay: { share: number; from: string };
  done(draft: D, at: string): void;
  retire(draft: D, at: string | null): void;
  start(draft: D, at: string): void;
}

/**
 * Dates the non-classified drafts along the curve, ranked by their department's pace. Of those
 * the curve does not reach by the end, a few are retired and some are under way.
 */
export function schedule<D extends Draft>(drafts: readonly D[], s: Schedule<D>, rng: Rng): void {
  const scoped = drafts.filter((d) => d.row.classification === 'non_classified');
  const u = quantiles(scoped.map((d) => paceKey(d.dept.pace, rng)));
  const reached = (s.curve.at(-1) as readonly [string, number])[1];
  const tail: D[] = [];
  scoped.forEach((d, i) => {
    const q = u[i] as number;
    if (q > reached) tail.push(d);
    else s.done(d, dateAtShare(s.curve, q));
  });
  rng.shuffle(tail);
  const retired = Math.min(tail.length, Math.round(s.retiring.share * scoped.length));
  const dates = retirementDates(retired, s.retiring.window, rng);
  tail.forEach((d, i) => {
    if (i < retired) s.retire(d, dates[i] ?? null);
    else if (rng.chance(s.underWay.share)) s.start(d, dateBetween(rng, s.underWay.from, DEMO_AS_OF));
  });
}
