import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import { queryRows } from '../db/raw.ts';
import type { WorkOrderCategory } from '../db/schema/enums.ts';
import { documentsOf } from '../documents/links.ts';
import { type Access, departmentLimit } from '../identity/access.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import type { WorkOrderDetail, WorkOrderQuery, WorkOrderView } from './schemas.ts';
import { loadWorkCalendar } from './service-levels.ts';
import { openWorkOrderStates } from './sla-watch.ts';
import { timelineOf } from './timeline.ts';
import { selectWorkOrders, type WorkOrderRow, workOrderViewOf } from './views.ts';

/*
 * The work orders' reads, and who sees which: the list with its filters, one order with its
 * timeline, and the row lookups the writes in service.ts lock and check against.
 */

const departmentsUnder = (path: string) => sql`(select id from departments where ${startsWithLiteral(sql`path`, path)})`;

/** Who sees which orders: ops and leaders all; a department user those assigned to or reported by its department subtree. */
export function visibility(access: Access): SQL {
  const path = departmentLimit(access, 'read', 'work-orders');
  if (path === null) return sql`true`;
  return sql`(w.assignee_department_id in ${departmentsUnder(path)} or w.reporter_department_id in ${departmentsUnder(path)})`;
}

/** The order by code if the caller may see it (locked for a write with `lock`), else 404. */
export async function visibleRow(db: Db, access: Access, code: string, lock = false): Promise<WorkOrderRow> {
  const [row] = await selectWorkOrders(db, sql`w.code = ${code} and ${visibility(access)}`, lock ? sql`for update of w` : sql``);
  if (!row) throw notFound('work order', code);
  return row;
}

/** An order just written, by id, as the API shows it. */
export async function viewById(db: Db, id: number, now: Date): Promise<WorkOrderView> {
  const [row] = await selectWorkOrders(db, sql`w.id = ${id}`);
  if (!row) throw new Error(`work order ${id} vanished`);
  return workOrderViewOf(row, now, await loadWorkCalendar(db));
}

async function scopeFilter(db: Db, scope: string): Promise<SQL> {
  const invalid = (message: string) => new AppError('validation_failed', `scope: ${message}`, [{ field: 'scope', message }]);
  if (scope.startsWith('dept:')) {
    const code = scope.slice('dept:'.length);
    const [department] = await queryRows<{ path: string }>(db, sql`select path from departments where code = ${code}`);
    if (!department) throw invalid(`unknown department ${code}`);
    return sql`(w.assignee_department_id in ${departmentsUnder(department.path)} or w.reporter_department_id in ${departmentsUnder(department.path)})`;
  }
  const [region] = await queryRows<{ path: string }>(db, sql`select path from regions where code = ${scope}`);
  if (!region) throw invalid('unknown region (or dept:<code>)');
  return sql`w.region_code in (select code from regions where ${startsWithLiteral(sql`path`, region.path)})`;
}

async function assigneeFilter(db: Db, access: Access, assignee: string): Promise<SQL> {
  if (assignee === 'me') {
    if (access.root) return sql`false`;
    const mine = sql`w.assignee_user_id = ${access.userId}`;
    return access.department ? sql`(${mine} or w.assignee_department_id in ${departmentsUnder(access.department.path)})` : mine;
  }
  const [department] = await queryRows<{ id: number }>(db, sql`select id from departments where code = ${assignee}`);
  if (department) return sql`w.assignee_department_id = ${department.id}`;
  const [user] = await queryRows<{ id: number }>(db, sql`select id from users where name = ${assignee}`);
  if (user) return sql`w.assignee_user_id = ${user.id}`;
  throw new AppError('validation_failed', `assignee: no department or user ${assignee}`, [
    { field: 'assignee', message: 'a department code, a user name, or me' },
  ]);
}

/** Breached by the stored facts, or an open order past a deadline it still owes now. */
const breachedNow = (now: Date) =>
  sql`(w.breached_at is not null or w.sla_state = 'breached' or (w.state in ('new', 'accepted', 'transferred') and
      (w.resolution_due_at < ${now} or (w.accepted_at is null and w.response_due_at < ${now}))))`;

/** Orders the caller may see, newest first, filtered and paged. */
export async function listWorkOrders(
  db: Db,
  access: Access,
  query: WorkOrderQuery,
  now = new Date(),
): Promise<{ items: WorkOrderView[]; total: number }> {
  const where: SQL[] = [visibility(access)];
  if (query.state) where.push(sql`w.state = ${query.state}`);
  if (query.category) where.push(sql`w.category = ${query.category}`);
  if (query.priority) where.push(sql`w.priority = ${query.priority}`);
  if (query.assignee) where.push(await assigneeFilter(db, access, query.assignee));
  if (query.scope) where.push(await scopeFilter(db, query.scope));
  if (query.breached !== undefined) where.push(query.breached ? breachedNow(now) : sql`not ${breachedNow(now)}`);
  const condition = sql.join(where, sql` and `);
  const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from work_orders w where ${condition}`);
  const rows = await selectWorkOrders(
    db,
    condition,
    sql`order by w.created_at desc, w.id desc limit ${query.limit} offset ${query.offset}`,
  );
  const calendar = await loadWorkCalendar(db);
  return { items: rows.map((r) => workOrderViewOf(r, now, calendar)), total: count?.n ?? 0 };
}

/** What an open-orders count selects: the list's assignee and category filters, and breached or not. */
export interface OpenOrdersFilter {
  assignee?: string;
  category?: WorkOrderCategory;
  /** Every category but this one. */
  otherThan?: WorkOrderCategory;
  breached?: boolean;
}

/**
 * The open orders (clock running or paused) the caller may see that the filter selects: how
 * many, and the earliest resolution deadline among them — a to-do list's line.
 */
export async function openWorkOrderSummary(
  db: Db,
  access: Access,
  filter: OpenOrdersFilter,
  now = new Date(),
): Promise<{ count: number; earliest_due_at: string | null }> {
  const where: SQL[] = [visibility(access), sql`w.state in ${openWorkOrderStates}`];
  if (filter.category) where.push(sql`w.category = ${filter.category}`);
  if (filter.otherThan) where.push(sql`w.category <> ${filter.otherThan}`);
  if (filter.assignee) where.push(await assigneeFilter(db, access, filter.assignee));
  if (filter.breached !== undefined) where.push(filter.breached ? breachedNow(now) : sql`not ${breachedNow(now)}`);
  const [row] = await queryRows<{ n: number; due: Date | string | null }>(
    db,
    sql`select count(*)::int as n, min(w.resolution_due_at) as due from work_orders w where ${sql.join(where, sql` and `)}`,
  );
  const due = row?.due ? new Date(row.due).toISOString() : null;
  return { count: row?.n ?? 0, earliest_due_at: due };
}

/** One order with its timeline; an order the caller may not see does not exist for them. */
export async function getWorkOrder(db: Db, access: Access, code: string, now = new Date()): Promise<WorkOrderDetail> {
  return detailOf(db, await visibleRow(db, access, code), now);
}

/** An order's view with its timeline. */
export async function detailOf(db: Db, row: WorkOrderRow, now: Date): Promise<WorkOrderDetail> {
  const view = workOrderViewOf(row, now, await loadWorkCalendar(db));
  const documents = (await documentsOf(db, 'work_order', [row.id])).get(row.id) ?? [];
  return { ...view, timeline: await timelineOf(db, row.id, row.alert_id), documents };
}

/** The order code of each of these alerts that has one (the alert views show it). */
export async function workOrderCodesOfAlerts(db: Db, alertIds: readonly number[]): Promise<Map<number, string>> {
  if (alertIds.length === 0) return new Map();
  const rows = await queryRows<{ alert_id: number; code: string }>(
    db,
    sql`select alert_id, code from work_orders where alert_id = any(${sql.param([...alertIds])}::int[])`,
  );
  return new Map(rows.map((r) => [r.alert_id, r.code]));
}
