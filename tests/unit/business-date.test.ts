/**
 * The business day is the calendar day in Asia/Shanghai (UTC+8), whatever the server's zone;
 * it is formatted once a minute, and an instant from another minute never gets a kept day.
 */
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/kernel/dates.ts';

describe('businessDate', () => {
  it('turns the day at midnight in Shanghai, 16:00 UTC', () => {
    expect(businessDate(new Date('2026-12-07T15:59:59.999Z'))).toBe('2026-12-07');
    expect(businessDate(new Date('2026-12-07T16:00:00.000Z'))).toBe('2026-12-08');
    expect(businessDate(new Date('2026-12-07T15:59:00.000Z'))).toBe('2026-12-07');
  });

  it('answers each instant for its own minute, in any order', () => {
    const instants = [
      '2019-01-01T00:00:00Z',
      '2026-12-07T16:00:30Z',
      '2019-01-01T00:00:10Z',
      '2024-02-28T16:00:00Z',
      '2026-12-07T16:00:31Z',
    ];
    expect(instants.map((at) => businessDate(new Date(at)))).toEqual([
      '2019-01-01',
      '2026-12-08',
      '2019-01-01',
      '2024-02-29',
      '2026-12-08',
    ]);
  });

  it('refuses an invalid date as before', () => {
    expect(() => businessDate(new Date(Number.NaN))).toThrow(RangeError);
  });
});
