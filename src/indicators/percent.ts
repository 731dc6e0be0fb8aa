/** numerator / denominator, or null when there is nothing to measure. */
export function ratioOf(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/**
 * Percent rounded half-up to one decimal, in integer arithmetic so that binary floating
 * point never tips a .x5 the wrong way (981/1231 → 79.7, 15428/25811 → 59.8).
 */
export function percentOf(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  const tenths = Math.floor((2000 * numerator + denominator) / (2 * denominator));
  return tenths / 10;
}
