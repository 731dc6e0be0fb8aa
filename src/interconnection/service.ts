import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { Actor } from '../identity/actor.ts';
import { resolveScope, type Scope } from '../indicators/scope.ts';
import { assertScopeReadable } from '../indicators/service.ts';
import { addDays, businessDate, dateOfDay, dayNumber, isCalendarDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import type {
  InterconnectionFigures,
  InterconnectionInterval,
  InterconnectionQuery,
  InterconnectionTrend,
  InterconnectionTrendQuery,
} from './schemas.ts';

/**
 * The interconnection figures (互联互通) for a scope and a period [from, to], as DESIGN.md
 * defines them: the interface services active on `to` whose provider system is in scope; the
 * distinct systems consuming them on `to`; the departments owning a provider or a consumer
 * system of them; their daily counts summed over the period; the days in it, both ends
 * included; and the total over the days.
 */

/** The longest period a figure is asked for: ten years of days. */
export const maxPeriodDays = 3660;
/** The most points a trend draws. */
export const maxTrendPoints = 400;

type Figures = Omit<InterconnectionFigures, 'scope' | 'from' | 'to'>;

const invalid = (field: string, message: string) => new AppError('validation_failed', `${field} ${message}`, [{ field, message }]);

function dateParam(field: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isCalendarDate(value)) throw invalid(field, 'must be a real calendar date written YYYY-MM-DD');
  return value;
}

/** The first day any exchange count exists: a cumulative figure's `from`. */
async function firstCountDay(db: Db): Promise<string | null> {
  const [row] = await queryRows<{ first: string | null }>(db, sql`select min(date)::text as first from exchange_volumes`);
  return row?.first ?? null;
}

/** The period asked for, with its defaults (to: today; from: the first count's day), checked and bounded. */
export async function resolvePeriod(db: Db, query: { from?: string; to?: string }, today = businessDate()): Promise<[string, string]> {
  const to = dateParam('to', query.to) ?? today;
  const given = dateParam('from', query.from);
  const first = given === undefined ? await firstCountDay(db) : null;
  const from = given ?? (first !== null && first <= to ? first : to);
  if (from > to) throw invalid('from', `${from} is after to (${to})`);
  const days = dayNumber(to) - dayNumber(from) + 1;
  if (given !== undefined && days > maxPeriodDays) throw invalid('from', `the period is ${days} days; ask for at most ${maxPeriodDays}`);
  return [from, to];
}

/** Half-up to two decimals: the daily average as people read it. */
const twoDecimals = (x: number) => Math.round(x * 100) / 100;

/** The five figures (and the days) of one scope and period, in one statement. */
export async function computeFigures(db: Db, scope: Scope, from: string, to: string): Promise<Figures> {
  const [row] = await queryRows<{ services: number; systems_served: number; connected_units: number; volume_total: string | number }>(
    db,
    sql`with svc as (
          select s.id, s.department_id
          from interface_services s
          join departments d on d.id = s.department_id
          join timeline t on t.kind = 'interface_service' and t.entity_id = s.id
            and (t.valid_from is null or t.valid_from <= ${to}::date)
            and (t.valid_to is null or t.valid_to > ${to}::date)
          where t.state = 'active' and ${scope.departments}
        ), consumers as (
          select distinct c.system_id, sy.department_id
          from interface_service_consumers c
          join svc on svc.id = c.service_id
          join systems sy on sy.id = c.system_id
          where c.added_at <= ${to}::date and (c.removed_at is null or c.removed_at > ${to}::date)
        )
        select
          (select count(*)::int from svc) as services,
          (select count(*)::int from consumers) as systems_served,
          (select count(*)::int from (select department_id from svc union select department_id from consumers) u) as connected_units,
          -- The services as an array: the planner reads each one's days by the primary key when they
          -- are few (a city, a department), and scans when they are many (bench/interconnection.ts).
          (select coalesce(sum(e.count), 0) from exchange_volumes e
            where e.service_id = any(array(select id from svc)) and e.date between ${from}::date and ${to}::date) as volume_total`,
  );
  const days = dayNumber(to) - dayNumber(from) + 1;
  const volumeTotal = Number(row?.volume_total ?? 0);
  return {
    connected_units: row?.connected_units ?? 0,
    services: row?.services ?? 0,
    systems_served: row?.systems_served ?? 0,
    volume_total: volumeTotal,
    volume_daily_average: twoDecimals(volumeTotal / days),
    days,
  };
}

/** The figures as a caller may read them: a department user only his own department subtree's. */
export async function readInterconnection(db: Db, query: InterconnectionQuery, actor: Actor): Promise<InterconnectionFigures> {
  await assertScopeReadable(db, query.scope, actor, 'interconnection');
  const scope = await resolveScope(db, query.scope, query.self ?? false);
  const [from, to] = await resolvePeriod(db, query);
  return { scope: scope.key, from, to, ...(await computeFigures(db, scope, from, to)) };
}

/** The first day of the interval holding `date`: weeks start on Monday. */
function periodStart(date: string, interval: InterconnectionInterval): string {
  if (interval === 'day') return date;
  if (interval === 'week') {
    const day = dayNumber(date);
    // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
    return dateOfDay(day - ((day + 3) % 7));
  }
  const [y, m] = date.split('-').map(Number) as [number, number];
  const month = interval === 'quarter' ? Math.floor((m - 1) / 3) * 3 + 1 : m;
  return `${y}-${String(month).padStart(2, '0')}-01`;
}

function nextPeriod(start: string, interval: InterconnectionInterval): string {
  if (interval === 'day') return addDays(start, 1);
  if (interval === 'week') return addDays(start, 7);
  const [y, m] = start.split('-').map(Number) as [number, number];
  const months = interval === 'quarter' ? 3 : 1;
  const next = m - 1 + months;
  return `${y + Math.floor(next / 12)}-${String((next % 12) + 1).padStart(2, '0')}-01`;
}

/** The figures interval by interval over [from, to], each interval cut to the period. */
export async function readInterconnectionTrend(db: Db, query: InterconnectionTrendQuery, actor: Actor): Promise<InterconnectionTrend> {
  await assertScopeReadable(db, query.scope, actor, 'interconnection');
  const scope = await resolveScope(db, query.scope, query.self ?? false);
  const [from, to] = await resolvePeriod(db, query);
  const periods: [string, string][] = [];
  for (let start = periodStart(from, query.interval); start <= to; start = nextPeriod(start, query.interval)) {
    if (periods.length === maxTrendPoints) {
      throw invalid(
        'interval',
        `[${from}, ${to}] holds more than ${maxTrendPoints} ${query.interval}s; ask for a longer interval or a shorter period`,
      );
    }
    const end = addDays(nextPeriod(start, query.interval), -1);
    periods.push([start < from ? from : start, end > to ? to : end]);
  }
  const points = [];
  for (const [pFrom, pTo] of periods) points.push({ from: pFrom, to: pTo, ...(await computeFigures(db, scope, pFrom, pTo)) });
  return { scope: scope.key, from, to, interval: query.interval, points };
}
