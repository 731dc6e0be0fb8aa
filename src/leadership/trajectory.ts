import { dayNumber } from './months.ts';

/** One point of a target trajectory: reach `ratio` (0–1) by the end of `deadline`. */
export interface TargetPoint {
  deadline: string;
  ratio: number;
}

export interface TargetInForce {
  /**
   * The ratio the scope should have reached by the end of `at`: linear between the deadlines
   * around it, the last ratio after the last deadline, and null before the first deadline —
   * a deadline alone says nothing about the pace before it (add a starting point for that).
   */
  target: number | null;
  /** The first deadline on or after `at`, if any. */
  next: TargetPoint | null;
}

/** The target in force on a date, from a trajectory's points (any order). */
export function targetInForce(points: readonly TargetPoint[], at: string): TargetInForce {
  const sorted = [...points].sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0));
  const nextIndex = sorted.findIndex((p) => p.deadline >= at);
  const next = nextIndex === -1 ? null : (sorted[nextIndex] as TargetPoint);
  if (sorted.length === 0) return { target: null, next: null };
  if (nextIndex === -1) return { target: (sorted.at(-1) as TargetPoint).ratio, next: null };
  if (next && next.deadline === at) return { target: next.ratio, next };
  if (nextIndex === 0) return { target: null, next };
  const before = sorted[nextIndex - 1] as TargetPoint;
  const after = next as TargetPoint;
  const share = (dayNumber(at) - dayNumber(before.deadline)) / (dayNumber(after.deadline) - dayNumber(before.deadline));
  return { target: before.ratio + (after.ratio - before.ratio) * share, next };
}
