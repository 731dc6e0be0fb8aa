import { and, eq, type SQL, sql } from 'drizzle-orm';
import { getAlert } from '../alerts/service.ts';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import { queryRows } from '../db/raw.ts';
import type { AlertSeverity, AlertSubjectKind, WorkOrderPriority, WorkOrderSubjectKind } from '../db/schema/enums.ts';
import { workOrderEvents, workOrders } from '../db/schema/index.ts';
import { AppError, isUniqueViolation, notFound } from '../http/errors.ts';
import { type Access, assertCan, departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { nextOrderCode } from './numbering.ts';
import { assertRegion, resolveAssignee, subjectName } from './references.ts';
import {
  type AlertWorkOrderInput,
  CreateWorkOrder,
  type TransitionWorkOrder,
  type UpdateWorkOrder,
  type WorkOrderDetail,
  type WorkOrderQuery,
  type WorkOrderView,
} from './schemas.ts';
import { loadWorkCalendar, slaTermsFor } from './service-levels.ts';
import { timelineOf } from './timeline.ts';
import { applyTransition } from './transitions.ts';
import { selectWorkOrders, type WorkOrderRow, workOrderViewOf } from './views.ts';

/** Alert severity → order priority; a Record so a new severity cannot go unmapped. */
export const priorityOfSeverity: Record<AlertSeverity, WorkOrderPriority> = { critical: 'P1', warning: 'P3', info: 'P4' };

/** The alert subjects an order can be about; the others (an agent, a scope, a Prometheus alert) leave it without a subject. */
const orderSubjectOfAlert: Partial<Record<AlertSubjectKind, WorkOrderSubjectKind>> = {
  node: 'node',
  system: 'system',
  tenant: 'tenant',
  private_network: 'private_network',
};

const departmentsUnder = (path: string) => sql`(select id from departments where ${startsWithLiteral(sql`path`, path)})`;

/** Who sees which orders: ops and leaders all; a department user those assigned to or reported by its department subtree. */
function visibility(access: Access): SQL {
  const path = departmentLimit(access, 'read', 'work-orders');
  if (path === null) return sql`true`;
  return sql`(w.assignee_department_id in ${departmentsUnder(path)} or w.reporter_department_id in ${departmentsUnder(path)})`;
}

/** The department a confined (department) user writes for; null for ops and root. */
function confinedDepartment(access: Access): number | null {
  if (departmentLimit(access, 'write', 'work-orders') === null || access.root) return null;
  return access.department?.id ?? null;
}

async function visibleRow(db: Db, access: Access, code: string, lock = false): Promise<WorkOrderRow> {
  const [row] = await selectWorkOrders(db, sql`w.code = ${code} and ${visibility(access)}`, lock ? sql`for update of w` : sql``);
  if (!row) throw notFound('work order', code);
  return row;
}

async function viewById(db: Db, id: number, now: Date): Promise<WorkOrderView> {
  const [row] = await selectWorkOrders(db, sql`w.id = ${id}`);
  if (!row) throw new Error(`work order ${id} vanished`);
  return workOrderViewOf(row, now, await loadWorkCalendar(db));
}

interface NewOrder {
  title: string;
  category: WorkOrderView['category'];
  priority: WorkOrderPriority;
  description: string;
  subject: { kind: WorkOrderSubjectKind; code: string; name: string } | null;
  regionCode: string | null;
  assignee?: { department?: string; user?: string };
  alertId: number | null;
}

async function insertOrder(database: Db, actor: Actor, order: NewOrder, now: Date): Promise<WorkOrderView> {
  assertCan(actor.access, 'write', 'work-orders');
  const reporterDepartmentId = confinedDepartment(actor.access);
  const id = await database.transaction(async (db) => {
    const assignee = await resolveAssignee(db, order.assignee, { mayPickUsers: reporterDepartmentId === null });
    const terms = await slaTermsFor(db, order.priority, now);
    const code = await nextOrderCode(db, now);
    const [created] = await db
      .insert(workOrders)
      .values({
        code,
        title: order.title,
        category: order.category,
        priority: order.priority,
        description: order.description,
        subjectKind: order.subject?.kind ?? null,
        subjectCode: order.subject?.code ?? null,
        subjectName: order.subject?.name ?? null,
        regionCode: order.regionCode,
        reporterId: actor.access.root ? null : actor.access.userId,
        reporterName: actor.name,
        reporterDepartmentId,
        assigneeDepartmentId: assignee.departmentId,
        assigneeUserId: assignee.userId,
        alertId: order.alertId,
        createdAt: now,
        updatedAt: now,
        slaClock: terms.clock,
        responseSeconds: terms.responseSeconds,
        resolutionSeconds: terms.resolutionSeconds,
        responseDueAt: terms.responseDueAt,
        resolutionDueAt: terms.resolutionDueAt,
      })
      .returning({ id: workOrders.id });
    if (!created) throw new Error('work order insert returned nothing');
    const details = { priority: order.priority, category: order.category, assignee: assignee.label, alert_id: order.alertId };
    await db
      .insert(workOrderEvents)
      .values({ workOrderId: created.id, at: now, type: 'created', actor: actor.name, toState: 'new', details });
    await recordAudit(db, actor, [
      { action: 'work_order.create', entityKind: 'work_order', entityCode: code, after: { title: order.title, state: 'new', ...details } },
    ]);
    return created.id;
  });
  return viewById(database, id, now);
}

/** Opens an order by hand. */
export async function createWorkOrder(db: Db, actor: Actor, input: CreateWorkOrder, now = new Date()): Promise<WorkOrderView> {
  const body = CreateWorkOrder.parse(input);
  assertCan(actor.access, 'write', 'work-orders');
  const subject = body.subject ? { ...body.subject, name: await subjectName(db, body.subject) } : null;
  if (body.region) await assertRegion(db, body.region);
  return insertOrder(
    db,
    actor,
    {
      title: body.title,
      category: body.category,
      priority: body.priority,
      description: body.description,
      subject,
      regionCode: body.region ?? null,
      assignee: body.assignee,
      alertId: null,
    },
    now,
  );
}

/**
 * Opens a fault order from an alert in one step: priority from severity, subject and region
 * copied, linked both ways. One order per alert.
 */
export async function createWorkOrderFromAlert(
  db: Db,
  actor: Actor,
  alertId: number,
  input: AlertWorkOrderInput = {},
  now = new Date(),
): Promise<WorkOrderView> {
  assertCan(actor.access, 'write', 'work-orders');
  const alert = await getAlert(db, actor.access, alertId);
  const [existing] = await selectWorkOrders(db, sql`w.alert_id = ${alertId}`);
  if (existing) {
    const [visible] = await selectWorkOrders(db, sql`w.id = ${existing.id} and ${visibility(actor.access)}`);
    throw new AppError(
      'conflict',
      visible ? `alert ${alertId} already has work order ${existing.code}` : `alert ${alertId} already has a work order`,
    );
  }
  const kind = orderSubjectOfAlert[alert.subject.kind];
  const inserted = insertOrder(
    db,
    actor,
    {
      title: input.title ?? alert.summary.slice(0, 200),
      category: 'fault',
      priority: priorityOfSeverity[alert.severity],
      description: input.description ?? `告警 Alert #${alert.id} (${alert.rule}, ${alert.severity}): ${alert.summary}`.slice(0, 20_000),
      subject: kind ? { kind, code: alert.subject.code, name: alert.subject.name } : null,
      regionCode: alert.region,
      assignee: input.assignee,
      alertId,
    },
    now,
  );
  // Two creations for one alert at once: the unique index on alert_id lets one in; the other is a 409 too.
  return inserted.catch((error: unknown) => {
    if (isUniqueViolation(error)) throw new AppError('conflict', `alert ${alertId} already has a work order`);
    throw error;
  });
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

/** One order with its timeline; an order the caller may not see does not exist for them. */
export async function getWorkOrder(db: Db, access: Access, code: string, now = new Date()): Promise<WorkOrderDetail> {
  const row = await visibleRow(db, access, code);
  const view = workOrderViewOf(row, now, await loadWorkCalendar(db));
  return { ...view, timeline: await timelineOf(db, row.id, row.alert_id) };
}

/** Edits the order's facts; naming an older version gets 409. A new priority recomputes the deadlines from creation. */
export async function updateWorkOrder(
  db: Db,
  actor: Actor,
  code: string,
  input: UpdateWorkOrder,
  now = new Date(),
): Promise<WorkOrderDetail> {
  assertCan(actor.access, 'write', 'work-orders');
  await db.transaction(async (tx) => {
    const row = await visibleRow(tx, actor.access, code);
    if (row.state === 'closed' || row.state === 'cancelled')
      throw new AppError('conflict', `work order ${code} is ${row.state}: it can no longer be edited`);
    if (input.version !== row.version)
      throw new AppError('conflict', `work order ${code} has changed: version ${row.version}, not ${input.version}; read it again`);
    const changes: Partial<typeof workOrders.$inferInsert> = { updatedAt: now, version: row.version + 1 };
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const note = (field: string, was: unknown, is: unknown) => {
      before[field] = was;
      after[field] = is;
    };
    if (input.title !== undefined && input.title !== row.title) {
      changes.title = input.title;
      note('title', row.title, input.title);
    }
    if (input.description !== undefined && input.description !== row.description) {
      changes.description = input.description;
      note('description', `${row.description.length} chars`, `${input.description.length} chars`);
    }
    if (input.category !== undefined && input.category !== row.category) {
      changes.category = input.category;
      note('category', row.category, input.category);
    }
    if (input.subject !== undefined) {
      const name = input.subject ? await subjectName(tx, input.subject) : null;
      Object.assign(changes, { subjectKind: input.subject?.kind ?? null, subjectCode: input.subject?.code ?? null, subjectName: name });
      note('subject', row.subject_code ? { kind: row.subject_kind, code: row.subject_code } : null, input.subject);
    }
    if (input.region !== undefined) {
      if (input.region) await assertRegion(tx, input.region);
      changes.regionCode = input.region;
      note('region', row.region_code, input.region);
    }
    if (input.priority !== undefined && input.priority !== row.priority) {
      const terms = await slaTermsFor(tx, input.priority, new Date(row.created_at));
      Object.assign(changes, {
        priority: input.priority,
        slaClock: terms.clock,
        responseSeconds: terms.responseSeconds,
        resolutionSeconds: terms.resolutionSeconds,
        responseDueAt: terms.responseDueAt,
        resolutionDueAt: terms.resolutionDueAt,
      });
      note('priority', row.priority, input.priority);
    }
    const updated = await tx
      .update(workOrders)
      .set(changes)
      .where(and(eq(workOrders.id, row.id), eq(workOrders.version, row.version)))
      .returning({ id: workOrders.id });
    if (updated.length === 0) throw new AppError('conflict', `work order ${code} was changed by someone else meanwhile; read it again`);
    await tx
      .insert(workOrderEvents)
      .values({ workOrderId: row.id, at: now, type: 'updated', actor: actor.name, details: { fields: Object.keys(after), before, after } });
    await recordAudit(tx, actor, [{ action: 'work_order.update', entityKind: 'work_order', entityCode: code, before, after }]);
  });
  return getWorkOrder(db, actor.access, code, now);
}

/** Moves the order along its state machine (see transitions.ts). */
export async function transitionWorkOrder(
  db: Db,
  actor: Actor,
  code: string,
  body: TransitionWorkOrder,
  now = new Date(),
): Promise<WorkOrderDetail> {
  assertCan(actor.access, 'write', 'work-orders');
  const id = await db.transaction(async (tx) => {
    const row = await visibleRow(tx, actor.access, code);
    await applyTransition(tx, actor, row, body, now, await loadWorkCalendar(tx));
    return row.id;
  });
  // A transfer may hand the order out of the caller's sight: it still sees the result of its own move.
  const [row] = await selectWorkOrders(db, sql`w.id = ${id}`);
  if (!row) throw notFound('work order', code);
  return { ...workOrderViewOf(row, now, await loadWorkCalendar(db)), timeline: await timelineOf(db, id, row.alert_id) };
}

/** Adds a comment to the order's timeline. */
export async function addWorkOrderComment(db: Db, actor: Actor, code: string, body: string, now = new Date()): Promise<WorkOrderDetail> {
  assertCan(actor.access, 'write', 'work-orders');
  const text = body.trim();
  if (!text || text.length > 10_000)
    throw new AppError('validation_failed', 'body: 1–10,000 characters', [{ field: 'body', message: 'must be 1–10,000 characters' }]);
  await db.transaction(async (tx) => {
    const row = await visibleRow(tx, actor.access, code);
    await tx.insert(workOrderEvents).values({ workOrderId: row.id, at: now, type: 'commented', actor: actor.name, note: text });
    await tx.update(workOrders).set({ updatedAt: now }).where(eq(workOrders.id, row.id));
    await recordAudit(tx, actor, [
      { action: 'work_order.comment', entityKind: 'work_order', entityCode: code, after: { comment: text.slice(0, 200) } },
    ]);
  });
  return getWorkOrder(db, actor.access, code, now);
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
