/** Month ends of business dates (YYYY-MM-DD), for the rollups' month-end grid. */

const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The last day of the month `date` is in. */
export function monthEnd(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return `${date.slice(0, 7)}-${String(lastDay(y, m)).padStart(2, '0')}`;
}

/** The first day of the month after the one `date` is in. */
export function nextMonthStart(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01-01` : `${date.slice(0, 4)}-${String(m + 1).padStart(2, '0')}-01`;
}
