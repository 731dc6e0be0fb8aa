import { describe, expect, it } from 'vitest';
import { percentOf, ratioOf } from '../../src/indicators/percent.ts';

describe('percent rounding', () => {
  it('matches the published figures', () => {
    expect(percentOf(981, 1231)).toBe(79.7);
    expect(percentOf(15428, 25811)).toBe(59.8);
  });
  it('rounds half up at the second decimal, whatever floating point says', () => {
    expect(percentOf(1, 8)).toBe(12.5); // 12.5 exactly
    expect(percentOf(1, 16)).toBe(6.3); // 6.25 → 6.3
    expect(percentOf(3, 16)).toBe(18.8); // 18.75 → 18.8
    expect(percentOf(2, 3)).toBe(66.7);
    expect(percentOf(1, 3)).toBe(33.3);
  });
  it('has no figure for an empty denominator', () => {
    expect(percentOf(0, 0)).toBeNull();
    expect(ratioOf(0, 0)).toBeNull();
    expect(percentOf(5, 5)).toBe(100);
  });
});
