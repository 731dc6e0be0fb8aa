import type { CalendarDayKind, SlaClock } from '../db/schema/enums.ts';
import { dateOfDay } from '../kernel/dates.ts';
import { wallClock } from '../kernel/wall-clock.ts';

export { minuteOfDay } from '../kernel/wall-clock.ts';

/**
 * Working time (工作时间): the working periods of each working day in one time zone. A day is
 * a working day Monday to Friday, unless the calendar says it is a public holiday (放假) or,
 * for a weekend day, a make-up working day (调休上班).
 */
export interface WorkCalendar {
  timezone: string;
  /** Minutes after local midnight, sorted and not overlapping. */
  periods: readonly { startMinute: number; endMinute: number }[];
  /** `YYYY-MM-DD` → the exception that day is. */
  days: ReadonlyMap<string, CalendarDayKind>;
}

const minuteMs = 60_000;
const dayMs = 86_400_000;
/** No deadline is further than this many days of walking the calendar: a calendar without working time fails instead of looping. */
const maxDaysWalked = 3 * 366;

/** The zone's offset from UTC at an instant, in minutes (+480 for Asia/Shanghai). */
function offsetMinutes(timezone: string, at: number): number {
  const c = wallClock(at, timezone);
  const local = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
  return Math.round((local - Math.floor(at / 1000) * 1000) / minuteMs);
}

/** The local calendar date an instant falls on, as days since 1970-01-01. */
function localDayNumber(timezone: string, at: number): number {
  return Math.floor((at + offsetMinutes(timezone, at) * minuteMs) / dayMs);
}

/** Whether a local date (`YYYY-MM-DD`) is a working day by the calendar. */
export function isWorkingDay(calendar: WorkCalendar, day: string): boolean {
  const exception = calendar.days.get(day);
  if (exception) return exception === 'workday';
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

/** The working intervals of one local day, as UTC instants in ms; none on a day off. */
function workingIntervals(calendar: WorkCalendar, dayNumber: number): [number, number][] {
  if (!isWorkingDay(calendar, dateOfDay(dayNumber))) return [];
  // Offset taken at local noon: right for every zone without a change of offset inside working hours.
  const noon = dayNumber * dayMs + 12 * 60 * minuteMs;
  const midnight = dayNumber * dayMs - offsetMinutes(calendar.timezone, noon) * minuteMs;
  return calendar.periods.map((p) => [midnight + p.startMinute * minuteMs, midnight + p.endMinute * minuteMs]);
}

/** The instant `seconds` of the clock after `from`: plain time for `calendar`, working time for `working`. */
export function addClockTime(calendar: WorkCalendar, clock: SlaClock, from: Date, seconds: number): Date {
  if (clock === 'calendar' || seconds <= 0) return new Date(from.getTime() + Math.max(0, seconds) * 1000);
  let left = seconds * 1000;
  const start = from.getTime();
  const firstDay = localDayNumber(calendar.timezone, start);
  for (let day = firstDay; day <= firstDay + maxDaysWalked; day++) {
    for (const [open, close] of workingIntervals(calendar, day)) {
      const begin = Math.max(open, start);
      if (begin >= close) continue;
      if (close - begin >= left) return new Date(begin + left);
      left -= close - begin;
    }
  }
  throw new Error(`the working calendar has no working time within ${maxDaysWalked} days of ${from.toISOString()}`);
}

/** Seconds of the clock between two instants; negative when `to` is before `from`. */
export function clockSecondsBetween(calendar: WorkCalendar, clock: SlaClock, from: Date, to: Date): number {
  if (to.getTime() < from.getTime()) return -clockSecondsBetween(calendar, clock, to, from);
  if (clock === 'calendar') return Math.floor((to.getTime() - from.getTime()) / 1000);
  const start = from.getTime();
  const end = to.getTime();
  const lastDay = localDayNumber(calendar.timezone, end);
  let total = 0;
  for (let day = localDayNumber(calendar.timezone, start); day <= lastDay; day++) {
    for (const [open, close] of workingIntervals(calendar, day)) {
      const overlap = Math.min(close, end) - Math.max(open, start);
      if (overlap > 0) total += overlap;
    }
  }
  return Math.floor(total / 1000);
}
