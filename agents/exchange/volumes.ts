import { isCalendarDate } from '../client/config.ts';
import type { ExchangeVolumeItem } from '../client/protocol.ts';

/**
 * One row of daily counts, checked before it becomes an item: the server would refuse the
 * whole batch for one bad item, so a bad row is caught here, where its row and column are known.
 */

export type VolumeColumn = 'service' | 'date' | 'count';

export interface VolumeProblem {
  column: VolumeColumn;
  message: string;
}

/** The earliest day a count may be for; anything before is a typo, not history. */
export const earliestDate = '2000-01-01';

/** Business dates are Beijing dates (the platform's and the province's). */
export function beijingDate(at: number = Date.now()): string {
  return new Date(at + 8 * 3600_000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const shown = (value: unknown) => {
  const text = String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
};

/**
 * The item for a row, or what is wrong with it. `latest` is the last date accepted (today
 * in Beijing plus one, for a platform a little ahead of the agent's clock).
 */
export function toVolumeItem(
  row: { service: unknown; date: unknown; count: unknown },
  latest: string,
): { item: ExchangeVolumeItem } | { problems: VolumeProblem[] } {
  const problems: VolumeProblem[] = [];
  const service = typeof row.service === 'string' ? row.service.trim() : '';
  if (typeof row.service !== 'string' && row.service !== null && row.service !== undefined)
    problems.push({ column: 'service', message: `must be text, not ${typeof row.service}` });
  else if (!service) problems.push({ column: 'service', message: 'is empty' });
  else if (service.length > 64) problems.push({ column: 'service', message: 'is longer than 64 characters' });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  else if (/[\u0000-\u001f\u007f]/.test(service)) problems.push({ column: 'service', message: 'holds a control character' });

  const date = typeof row.date === 'string' ? row.date.trim() : '';
  if (!isCalendarDate(date)) problems.push({ column: 'date', message: `${shown(row.date ?? '')} is not a date YYYY-MM-DD` });
  else if (date < earliestDate) problems.push({ column: 'date', message: `${date} is before ${earliestDate}` });
  else if (date > latest) problems.push({ column: 'date', message: `${date} is in the future` });

  let count = Number.NaN;
  if (typeof row.count === 'number') count = row.count;
  else if (typeof row.count === 'bigint') count = Number(row.count);
  else if (typeof row.count === 'string' && /^\s*\d+\s*$/.test(row.count)) count = Number(row.count);
  if (!Number.isSafeInteger(count) || count < 0)
    problems.push({
      column: 'count',
      message:
        Number.isFinite(count) && count > Number.MAX_SAFE_INTEGER ? 'is too large' : `${shown(row.count ?? '')} is not a whole number ≥ 0`,
    });

  if (problems.length > 0) return { problems };
  return { item: { kind: 'exchange_volume', service, date, count } };
}
