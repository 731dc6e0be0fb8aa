import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { workOrderCategories, workOrderStates } from '../db/schema/enums.ts';
import { type Access, departmentLimit } from '../identity/access.ts';
import { percentOf } from '../indicators/percent.ts';
import { businessDate, isCalendarDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { departmentIdsUnder, regionCodesUnder, subtreeOf } from '../regions/subtree.ts';
import type { WorkOrderStats, WorkOrderStatsQuery } from './schemas.ts';

/** The longest period the statistics cover: a year, leap or not. */
export const maxStatsDays = 366;

const dayMs = 86_400_000;

function dayOf(field: 'from' | 'to', value: string): number {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!isCalendarDate(value))
    throw new AppError('validation_failed', `${field} is not a date`, [{ field, message: 'must be a date YYYY-MM-DD' }]);
  return ms;
}

/** The period asked for, default the current month in Asia/Shanghai; to is exclusive. */
export function statsPeriod(query: WorkOrderStatsQuery, now: Date): { from: string; to: string } {
  const month = businessDate(now).slice(0, 7);
  const from = query.from ?? `${month}-01`;
  const fromMs = dayOf('from', from);
  let to = query.to;
  if (to === undefined) {
    const start = new Date(fromMs);
    to = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  }
  const toMs = dayOf('to', to);
  if (toMs <= fromMs) throw new AppError('validation_failed', 'to must be after from', [{ field: 'to', message: 'must be after from' }]);
  if (toMs - fromMs > maxStatsDays * dayMs)
    throw new AppError('validation_failed', `the period is longer than ${maxStatsDays} days`, [
      { field: 'to', message: `at most ${maxStatsDays} days after from` },
    ]);
  return { from, to };
}

const inSubtree = (path: string) =>
  sql`(o.assignee_department_id in (${departmentIdsUnder(path)}) or o.reporter_department_id in (${departmentIdsUnder(path)}))`;

async function scopeFilter(db: Db, scope: string): Promise<SQL> {
  const subtree = await subtreeOf(db, scope);
  return subtree.kind === 'department' ? inSubtree(subtree.path) : sql`o.region_code in (${regionCodesUnder(subtree.path)})`;
}

/**
 * Each order's outcome against its service level: `breached` once the watch saw it breached
 * or when it was accepted or resolved late; `met` when resolved or closed in time; `open`
 * while open and not breached; null for an order cancelled in time (it counts for neither).
 */
const outcome = sql`case
    when o.breached_at is not null or o.accepted_at > o.response_due_at or o.resolved_at > o.resolution_due_at then 'breached'
    when o.state in ('resolved', 'closed') then 'met'
    when o.state = 'cancelled' then null
    else 'open' end`;

interface Aggregate {
  total: number;
  resolved: number;
  met: number;
  breached: number;
  open: number;
  mtta: number | null;
  mttr: number | null;
}

const aggregates = sql`count(*)::int as total,
  count(o.resolved_at)::int as resolved,
  count(*) filter (where x.outcome = 'met')::int as met,
  count(*) filter (where x.outcome = 'breached')::int as breached,
  count(*) filter (where x.outcome = 'open')::int as open,
  avg(extract(epoch from o.accepted_at - o.created_at))::float8 as mtta,
  avg(extract(epoch from o.resolved_at - o.created_at))::float8 as mttr`;

const seconds = (mean: number | null) => (mean === null ? null : Math.round(mean));
const compliance = (a: Aggregate) => percentOf(a.met, a.met + a.breached);

/**
 * Counts, mean times to acknowledge (accept) and to resolve from creation, and SLA compliance
 * (met / (met + breached)) of the orders created in [from, to) (Asia/Shanghai days) that the
 * caller may see: a department user only those assigned to or reported by its department subtree.
 */
export async function workOrderStats(db: Db, access: Access, query: WorkOrderStatsQuery, now = new Date()): Promise<WorkOrderStats> {
  const limit = departmentLimit(access, 'read', 'work-orders');
  const { from, to } = statsPeriod(query, now);
  const where: SQL[] = [
    sql`o.created_at >= (${from}::date)::timestamp at time zone 'Asia/Shanghai'`,
    sql`o.created_at < (${to}::date)::timestamp at time zone 'Asia/Shanghai'`,
  ];
  if (limit !== null) where.push(inSubtree(limit));
  if (query.scope) where.push(await scopeFilter(db, query.scope));
  const filter = sql.join(where, sql` and `);
  const orders = sql`work_orders o cross join lateral (select ${outcome} as outcome) x`;
  const base = sql`from ${orders} where ${filter}`;

  const [all] = await queryRows<Aggregate>(db, sql`select ${aggregates} ${base}`);
  const counts = await queryRows<{ kind: 'category' | 'state'; key: string; n: number }>(
    db,
    sql`select 'category' as kind, o.category as key, count(*)::int as n ${base} group by o.category
        union all select 'state', o.state, count(*)::int ${base} group by o.state`,
  );
  const perDepartment = await queryRows<Aggregate & { code: string; name: string }>(
    db,
    sql`select d.code, d.name, ${aggregates} from ${orders} join departments d on d.id = o.assignee_department_id
        where ${filter} group by d.code, d.name order by d.code`,
  );
  const tally = (kind: 'category' | 'state', keys: readonly string[]) =>
    Object.fromEntries(keys.map((k) => [k, counts.find((c) => c.kind === kind && c.key === k)?.n ?? 0]));
  const totals = all ?? { total: 0, resolved: 0, met: 0, breached: 0, open: 0, mtta: null, mttr: null };
  return {
    from,
    to,
    scope: query.scope ?? null,
    total: totals.total,
    by_category: tally('category', workOrderCategories),
    by_state: tally('state', workOrderStates),
    mean_time_to_acknowledge_seconds: seconds(totals.mtta),
    mean_time_to_resolve_seconds: seconds(totals.mttr),
    sla: { met: totals.met, breached: totals.breached, open: totals.open, compliance_percent: compliance(totals) },
    by_department: perDepartment.map((d) => ({
      department: { code: d.code, name: d.name },
      total: d.total,
      resolved: d.resolved,
      breached: d.breached,
      compliance_percent: compliance(d),
      mean_time_to_resolve_seconds: seconds(d.mttr),
    })),
  };
}
