import { z } from '@hono/zod-openapi';

/**
 * Business dates: the province's calendar days, written YYYY-MM-DD. "Today" is the day in
 * Asia/Shanghai (UTC+8) whatever the server's zone; arithmetic on dates is done in UTC so
 * that no zone shifts a day.
 */

const dayMs = 86_400_000;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const shanghaiDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

const minuteMs = 60_000;
/** The last minute formatted: Intl formatting costs more than the rest of a cached read. */
let formatted = { minute: Number.NaN, day: '' };

/** The business day (Asia/Shanghai) at an instant, YYYY-MM-DD. */
export function businessDate(now: Date = new Date()): string {
  // A day in a zone begins on a whole minute, so every instant of a minute has the same day.
  const minute = Math.floor(now.getTime() / minuteMs);
  if (minute !== formatted.minute) formatted = { minute, day: shanghaiDay.format(now) };
  return formatted.day;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date (NaN when it is not one). */
export function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / dayMs;
}

export function dateOfDay(day: number): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

export const addDays = (date: string, n: number) => dateOfDay(dayNumber(date) + n);

/** A real calendar date written YYYY-MM-DD: not 2021-02-30, not 2021-2-3. */
export function isCalendarDate(value: string): boolean {
  if (!datePattern.test(value)) return false;
  const day = dayNumber(value);
  return Number.isFinite(day) && dateOfDay(day) === value;
}

/** The request field for a date: the format first, then that the day exists. */
export const calendarDate = z
  .string()
  .regex(datePattern, 'must be a date written YYYY-MM-DD')
  .refine(isCalendarDate, 'is not a real calendar date');
