/**
 * Working-time arithmetic on the 2026 holiday arrangement as migration 0007 seeds it. The dates
 * come from the State Council's notice 国务院办公厅关于2026年部分节假日安排的通知 (published
 * 2025-11-04; the `source` column of drizzle/0007_work_orders.sql): 国庆节 10-01 to 10-07 off,
 * Saturday 10-10 a make-up working day (国庆节调休); 中秋节 09-25 to 09-27 off, Sunday 09-20 worked.
 * The test reads the seeded rows from the migration, so it checks what ships.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarDayKind } from '../../src/db/schema/enums.ts';
import { addClockTime, clockSecondsBetween, isWorkingDay, minuteOfDay, type WorkCalendar } from '../../src/work-orders/working-time.ts';

const seededDays = (): Map<string, CalendarDayKind> => {
  const sql = readFileSync(new URL('../../drizzle/0007_work_orders.sql', import.meta.url), 'utf8');
  const rows = [...sql.matchAll(/\('(\d{4}-\d{2}-\d{2})', '(holiday|workday)'/g)];
  return new Map(rows.map((m) => [m[1] as string, m[2] as CalendarDayKind]));
};

// The seeded working hours: 09:00–12:00 and 13:30–17:30 Asia/Shanghai (7 h a day).
const calendar: WorkCalendar = {
  timezone: 'Asia/Shanghai',
  periods: [
    { startMinute: 9 * 60, endMinute: 12 * 60 },
    { startMinute: 13 * 60 + 30, endMinute: 17 * 60 + 30 },
  ],
  days: seededDays(),
};

/** A Beijing wall-clock time (UTC+8, no daylight saving since 1991). */
const beijing = (local: string) => new Date(`${local}+08:00`);
const minutes = (n: number) => n * 60;

describe('the seeded 2026 calendar', () => {
  it('holds the National Day holiday and its make-up working day', () => {
    expect(calendar.days.get('2026-10-01')).toBe('holiday');
    expect(calendar.days.get('2026-10-07')).toBe('holiday');
    expect(calendar.days.get('2026-10-10')).toBe('workday');
    expect(isWorkingDay(calendar, '2026-10-10')).toBe(true); // a Saturday, worked (调休上班)
    expect(isWorkingDay(calendar, '2026-10-11')).toBe(false); // an ordinary Sunday
    expect(isWorkingDay(calendar, '2026-10-05')).toBe(false); // a Monday, off
    expect(isWorkingDay(calendar, '2026-10-08')).toBe(true);
  });
});

describe('working-time deadlines around National Day 2026', () => {
  // Wednesday afternoon, the eve of the holiday: 2 h 30 min of working time left that day.
  const opened = beijing('2026-09-30T15:00:00');

  it('P3 (4 working hours to respond) is due on the first working day after the holiday', () => {
    // 150 min on 09-30, then 90 min from 09:00 on Thursday 10-08.
    expect(addClockTime(calendar, 'working', opened, minutes(240))).toEqual(beijing('2026-10-08T10:30:00'));
  });

  it('P3 (3 working days = 1,260 min to resolve) counts the make-up Saturday 10-10 as working', () => {
    // 150 on 09-30, 420 on 10-08, 420 on 10-09, then 270 on Saturday 10-10: the morning's 180, 90 after lunch.
    expect(addClockTime(calendar, 'working', opened, minutes(1260))).toEqual(beijing('2026-10-10T15:00:00'));
  });

  it('P4 (1 working day to respond, 10 to resolve) likewise', () => {
    // 150 on 09-30, then 270 on 10-08: the morning's 180 and 90 after lunch.
    expect(addClockTime(calendar, 'working', opened, minutes(420))).toEqual(beijing('2026-10-08T15:00:00'));
    // 150 + nine full days (10-08, 10-09, 10-10 调休, 10-12…10-16, 10-19) + 270 on 10-20.
    expect(addClockTime(calendar, 'working', opened, minutes(4200))).toEqual(beijing('2026-10-20T15:00:00'));
  });

  it('without the make-up day the resolution deadline would fall on Monday', () => {
    const noMakeUp: WorkCalendar = { ...calendar, days: new Map([...calendar.days].filter(([day]) => day !== '2026-10-10')) };
    expect(addClockTime(noMakeUp, 'working', opened, minutes(1260))).toEqual(beijing('2026-10-12T15:00:00'));
  });

  it('the calendar clock ignores holidays, weekends and lunch', () => {
    expect(addClockTime(calendar, 'calendar', opened, minutes(240))).toEqual(beijing('2026-09-30T19:00:00'));
    expect(addClockTime(calendar, 'calendar', beijing('2026-10-01T10:00:00'), minutes(480))).toEqual(beijing('2026-10-01T18:00:00'));
    expect(clockSecondsBetween(calendar, 'calendar', beijing('2026-10-01T00:00:00'), beijing('2026-10-02T00:00:00'))).toBe(86_400);
  });

  it('does not count the lunch break', () => {
    expect(addClockTime(calendar, 'working', beijing('2026-09-29T11:30:00'), minutes(60))).toEqual(beijing('2026-09-29T14:00:00'));
    expect(clockSecondsBetween(calendar, 'working', beijing('2026-09-29T11:00:00'), beijing('2026-09-29T14:30:00'))).toBe(minutes(120));
    // Opened during lunch: the clock starts at 13:30.
    expect(addClockTime(calendar, 'working', beijing('2026-09-29T12:45:00'), minutes(30))).toEqual(beijing('2026-09-29T14:00:00'));
  });

  it('counts nothing over the holiday, and a whole working day as 7 hours', () => {
    expect(clockSecondsBetween(calendar, 'working', beijing('2026-10-01T00:00:00'), beijing('2026-10-08T00:00:00'))).toBe(0);
    expect(clockSecondsBetween(calendar, 'working', beijing('2026-10-10T00:00:00'), beijing('2026-10-11T00:00:00'))).toBe(minutes(420));
    expect(clockSecondsBetween(calendar, 'working', beijing('2026-10-08T10:30:00'), opened)).toBe(-minutes(240));
  });
});

describe('working time is bounded', () => {
  it('fails clearly instead of looping when a calendar marks years as holidays', () => {
    const days = new Map<string, CalendarDayKind>();
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2030, 0, 1); t += 86_400_000)
      days.set(new Date(t).toISOString().slice(0, 10), 'holiday');
    const allOff: WorkCalendar = { ...calendar, days };
    expect(() => addClockTime(allOff, 'working', beijing('2026-01-05T10:00:00'), 60)).toThrow(/no working time within/);
  });

  it('fails clearly when the working hours have no period', () => {
    expect(() => addClockTime({ ...calendar, periods: [] }, 'working', opened(), 60)).toThrow(/no working time within/);
    expect(clockSecondsBetween({ ...calendar, periods: [] }, 'working', opened(), beijing('2026-12-31T00:00:00'))).toBe(0);
  });

  it('reads HH:MM and nothing else', () => {
    expect(minuteOfDay('13:30')).toBe(810);
    expect(minuteOfDay('24:00')).toBeNull();
    expect(minuteOfDay('9:00')).toBeNull();
  });

  function opened() {
    return beijing('2026-09-30T15:00:00');
  }
});

describe('clockSecondsBetween is the inverse of addClockTime', () => {
  const from2025To2026 = fc.integer({ min: Date.UTC(2025, 0, 1) / 1000, max: Date.UTC(2026, 11, 1) / 1000 }).map((s) => new Date(s * 1000));
  // Up to 20 working days.
  const workingSeconds = fc.integer({ min: 1, max: 20 * 7 * 3600 });

  it('on random instants and durations, for both clocks', () => {
    fc.assert(
      fc.property(from2025To2026, workingSeconds, fc.constantFrom('working' as const, 'calendar' as const), (from, seconds, clock) => {
        const due = addClockTime(calendar, clock, from, seconds);
        expect(due.getTime()).toBeGreaterThan(from.getTime());
        expect(clockSecondsBetween(calendar, clock, from, due)).toBe(seconds);
      }),
      { numRuns: 300, seed: 20261001 },
    );
  });
});
