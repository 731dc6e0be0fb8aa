import { dateOfDay } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';

export { addDays, dateOfDay, dayNumber } from '../kernel/dates.ts';

/** Calendar arithmetic on business months (YYYY-MM) and days (YYYY-MM-DD), in UTC so no zone shifts a day. */

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function parseMonth(month: string, field = 'month'): string {
  if (!monthPattern.test(month)) {
    throw new AppError('validation_failed', `${field} "${month}" is not a month written YYYY-MM`, [
      { field, message: 'must be a month written YYYY-MM, e.g. 2020-07' },
    ]);
  }
  return month;
}

const partsOf = (month: string): [number, number] => {
  const [, y, m] = monthPattern.exec(month) ?? [];
  return [Number(y), Number(m)];
};

/** The month's last day: the date a month's snapshot is "as of". */
export function lastDayOf(month: string): string {
  const [y, m] = partsOf(month);
  return dateOfDay(Date.UTC(y, m, 0) / 86_400_000);
}

export function addMonths(month: string, n: number): string {
  const [y, m] = partsOf(month);
  return dateOfDay(Date.UTC(y, m - 1 + n, 1) / 86_400_000).slice(0, 7);
}

export const previousMonth = (month: string) => addMonths(month, -1);

export const monthOf = (date: string) => date.slice(0, 7);

/** Every month from `from` to `to`, both included. */
export function monthRange(from: string, to: string, limit = 600): string[] {
  parseMonth(from, 'from');
  parseMonth(to, 'to');
  if (from > to) {
    throw new AppError('validation_failed', `from ${from} is after to ${to}`, [{ field: 'from', message: 'must not be after to' }]);
  }
  const months: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) {
    months.push(m);
    if (months.length > limit) {
      throw new AppError('validation_failed', `more than ${limit} months from ${from} to ${to}`, [
        { field: 'to', message: `at most ${limit} months at once` },
      ]);
    }
  }
  return months;
}
