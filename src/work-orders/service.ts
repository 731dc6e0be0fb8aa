import { and, eq, sql } from 'drizzle-orm';
import { getAlert } from '../alerts/service.ts';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import {
  type AlertSeverity,
  type AlertSubjectKind,
  type WorkOrderPriority,
  type WorkOrderSubjectKind,
  workOrderSubjectKinds,
} from '../db/schema/enums.ts';
import { workOrderEvents, workOrders } from '../db/schema/index.ts';
import { attachDocuments } from '../documents/service.ts';
import { type Access, assertCan, departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, isUniqueViolation, notFound } from '../kernel/errors.ts';
import { nextOrderCode } from './numbering.ts';
import { detailOf, getWorkOrder, viewById, visibility, visibleRow } from './queries.ts';
import { assertRegion, resolveAssignee, subjectName } from './references.ts';
import {
  type AlertWorkOrderInput,
  CreateWorkOrder,
  type TransitionWorkOrder,
  type UpdateWorkOrder,
  type WorkOrderDetail,
  type WorkOrderView,
} from './schemas.ts';
import { loadWorkCalendar, slaTermsFor } from './service-levels.ts';
import { applyTransition } from './transitions.ts';
import { selectWorkOrders, type WorkOrderRow } from './views.ts';

// The reads live in queries.ts; callers keep importing the area's service.
export { getWorkOrder, listWorkOrders, workOrderCodesOfAlerts } from './queries.ts';

/** Alert severity → order priority; a Record so a new severity cannot go unmapped. */
export const priorityOfSeverity: Record<AlertSeverity, WorkOrderPriority> = { critical: 'P1', warning: 'P3', info: 'P4' };

/** An alert's subject is the order's when an order can be about it; an agent, a scope or a Prometheus alert leave the order without one. */
const orderSubjectOfAlert = (kind: AlertSubjectKind): WorkOrderSubjectKind | undefined =>
  (workOrderSubjectKinds as readonly string[]).includes(kind) ? (kind as WorkOrderSubjectKind) : undefined;

/** The department a confined (department) user writes for; null for ops and root. */
function confinedDepartment(access: Access): number | null {
  if (departmentLimit(access, 'write', 'work-orders') === null || access.root) return null;
  return access.department?.id ?? null;
}

/**
 * A write to one order in one transaction: the caller must write work orders and see the
 * order, whose row `change` gets as it stands.
 */
async function changeVisibleOrder<T>(db: Db, actor: Actor, code: string, change: (tx: Db, row: WorkOrderRow) => Promise<T>): Promise<T> {
  assertCan(actor.access, 'write', 'work-orders');
  return db.transaction(async (tx) => change(tx, await visibleRow(tx, actor.access, code)));
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
  documents?: string[];
  /** A deadline of its own (a rectification's 整改期限), on the calendar clock, instead of its priority's. */
  resolveBy?: Date;
}

async function insertOrder(database: Db, actor: Actor, order: NewOrder, now: Date): Promise<WorkOrderView> {
  assertCan(actor.access, 'write', 'work-orders');
  const reporterDepartmentId = confinedDepartment(actor.access);
  const id = await database.transaction(async (db) => {
    const assignee = await resolveAssignee(db, order.assignee, { mayPickUsers: reporterDepartmentId === null });
    const policy = await slaTermsFor(db, order.priority, now);
    const terms = order.resolveBy
      ? {
          ...policy,
          clock: 'calendar' as const,
          resolutionSeconds: Math.max(1, Math.round((order.resolveBy.getTime() - now.getTime()) / 1000)),
          resolutionDueAt: order.resolveBy,
          responseDueAt: policy.responseDueAt < order.resolveBy ? policy.responseDueAt : order.resolveBy,
        }
      : policy;
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
    await attachDocuments(db, order.documents, { kind: 'work_order', id: created.id, departmentId: assignee.departmentId }, actor);
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

/**
 * 整改: opens a rectification order for a department, due by a date of its own (the supervision
 * report's publication opens one for each black-listed department).
 */
export async function openRectificationOrder(
  db: Db,
  actor: Actor,
  order: { title: string; description: string; department: string; resolveBy: Date },
  now = new Date(),
): Promise<WorkOrderView> {
  return insertOrder(
    db,
    actor,
    {
      title: order.title,
      category: 'rectification',
      priority: 'P3',
      description: order.description,
      subject: null,
      regionCode: null,
      assignee: { department: order.department },
      alertId: null,
      resolveBy: order.resolveBy,
    },
    now,
  );
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
      documents: body.documents,
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
  const kind = orderSubjectOfAlert(alert.subject.kind);
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

/** Edits the order's facts; naming an older version gets 409. A new priority recomputes the deadlines from creation. */
export async function updateWorkOrder(
  db: Db,
  actor: Actor,
  code: string,
  input: UpdateWorkOrder,
  now = new Date(),
): Promise<WorkOrderDetail> {
  await changeVisibleOrder(db, actor, code, async (tx, row) => {
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
  const id = await changeVisibleOrder(db, actor, code, async (tx, row) => {
    await applyTransition(tx, actor, row, body, now, await loadWorkCalendar(tx));
    return row.id;
  });
  // A transfer may hand the order out of the caller's sight: it still sees the result of its own move.
  const [row] = await selectWorkOrders(db, sql`w.id = ${id}`);
  if (!row) throw notFound('work order', code);
  return detailOf(db, row, now);
}

/** Adds a comment to the order's timeline. */
export async function addWorkOrderComment(
  db: Db,
  actor: Actor,
  code: string,
  body: string,
  now = new Date(),
  documents?: string[],
): Promise<WorkOrderDetail> {
  assertCan(actor.access, 'write', 'work-orders');
  const text = body.trim();
  if (!text || text.length > 10_000)
    throw new AppError('validation_failed', 'body: 1–10,000 characters', [{ field: 'body', message: 'must be 1–10,000 characters' }]);
  await changeVisibleOrder(db, actor, code, async (tx, row) => {
    await tx.insert(workOrderEvents).values({ workOrderId: row.id, at: now, type: 'commented', actor: actor.name, note: text });
    await attachDocuments(tx, documents, { kind: 'work_order', id: row.id, departmentId: row.assignee_department_id }, actor);
    await tx.update(workOrders).set({ updatedAt: now }).where(eq(workOrders.id, row.id));
    await recordAudit(tx, actor, [
      { action: 'work_order.comment', entityKind: 'work_order', entityCode: code, after: { comment: text.slice(0, 200) } },
    ]);
  });
  return getWorkOrder(db, actor.access, code, now);
}
