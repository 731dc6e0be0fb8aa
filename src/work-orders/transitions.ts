import { and, eq } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import type { WorkOrderEventType, WorkOrderState } from '../db/schema/enums.ts';
import { workOrderEvents, workOrders } from '../db/schema/index.ts';
import { type Access, departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError } from '../kernel/errors.ts';
import { resolveAssignee } from './references.ts';
import type { TransitionWorkOrder } from './schemas.ts';
import { slaStateAt } from './sla.ts';
import { instantOf, liveSlaState, type WorkOrderRow } from './views.ts';
import { addClockTime, clockSecondsBetween, type WorkCalendar } from './working-time.ts';

/** A resolved order may be reopened by its reporter this long after it was resolved. */
export const reopenWindowDays = 7;

/** The legal moves: from each state, the states it may go to. closed and cancelled are final. */
export const allowedMoves: Record<WorkOrderState, readonly WorkOrderState[]> = {
  new: ['accepted', 'transferred', 'suspended', 'cancelled'],
  transferred: ['accepted', 'transferred', 'suspended', 'cancelled'],
  accepted: ['transferred', 'suspended', 'resolved', 'cancelled'],
  suspended: ['accepted', 'cancelled'],
  resolved: ['closed', 'accepted'],
  closed: [],
  cancelled: [],
};

/** The timeline entry a move writes: accepting again after a suspension is a resume, after a resolution a reopen. */
export function eventTypeOf(from: WorkOrderState, to: WorkOrderState): WorkOrderEventType {
  if (to === 'accepted' && from === 'suspended') return 'resumed';
  if (to === 'accepted' && from === 'resolved') return 'reopened';
  return to as WorkOrderEventType;
}

const isOps = (access: Access) => access.root || access.roles.has('ops');
const within = (path: string | null, limit: string | null) => path !== null && limit !== null && path.startsWith(limit);

/** The people working the order: ops, the assigned ops user, users of the assigned department (and above it). */
export function onAssigneeSide(access: Access, row: WorkOrderRow): boolean {
  if (isOps(access)) return true;
  if (access.root) return true;
  if (row.assignee_user_id !== null && row.assignee_user_id === access.userId) return true;
  return within(row.assignee_department_path, access.department?.path ?? null);
}

/** The people who asked for it: ops, the reporter, users of the reporting department. */
export function onReporterSide(access: Access, row: WorkOrderRow): boolean {
  if (isOps(access)) return true;
  if (access.root) return true;
  if (row.reporter_id !== null && row.reporter_id === access.userId) return true;
  return within(row.reporter_department_path, access.department?.path ?? null);
}

function assertMayMove(access: Access, row: WorkOrderRow, to: WorkOrderState): void {
  const from = row.state;
  const reporterMove = (to === 'accepted' && from === 'resolved') || to === 'closed' || to === 'cancelled';
  const may = reporterMove ? onReporterSide(access, row) : onAssigneeSide(access, row);
  if (!may) {
    const who = reporterMove ? 'the reporter (or ops)' : 'the assignee (or ops)';
    throw new AppError('forbidden', `only ${who} may move work order ${row.code} from ${from} to ${to}`);
  }
}

/**
 * Moves an order along the state machine inside the caller's transaction. The change is a
 * conditional UPDATE on the state and version read, so of two people accepting at once one
 * wins and the other gets 409.
 */
export async function applyTransition(
  db: Db,
  actor: Actor,
  row: WorkOrderRow,
  input: TransitionWorkOrder,
  now: Date,
  calendar: WorkCalendar,
): Promise<void> {
  const from = row.state;
  const to = input.to;
  const note = (input.note ?? '').trim();
  if (!allowedMoves[from].includes(to))
    throw new AppError('conflict', `work order ${row.code} cannot go from ${from} to ${to}`, [
      { field: 'to', message: `not allowed from ${from}; allowed: ${allowedMoves[from].join(', ') || 'none (final)'}` },
    ]);
  if (input.version !== undefined && input.version !== row.version)
    throw new AppError('conflict', `work order ${row.code} has changed: version ${row.version}, not ${input.version}; read it again`);
  assertMayMove(actor.access, row, to);

  const changes: Partial<typeof workOrders.$inferInsert> = { state: to, updatedAt: now, version: row.version + 1 };
  const details: Record<string, unknown> = {};
  if (to === 'suspended') {
    if (!note)
      throw new AppError('validation_failed', 'say why the order is suspended', [{ field: 'note', message: 'a reason is required' }]);
    changes.pausedAt = now;
    changes.resolutionRemainingSeconds = Math.max(0, clockSecondsBetween(calendar, row.sla_clock, now, instantOf(row.resolution_due_at)));
  }
  if (from === 'suspended') {
    // The clock runs again: what was left of the resolution budget counts from now.
    const resolutionDueAt = addClockTime(calendar, row.sla_clock, now, row.resolution_remaining_seconds ?? 0);
    Object.assign(changes, { pausedAt: null, resolutionRemainingSeconds: null, resolutionDueAt });
    details.resolution_due_at = { before: instantOf(row.resolution_due_at).toISOString(), after: resolutionDueAt.toISOString() };
  }
  if (to === 'transferred') {
    if (!input.assignee?.department && !input.assignee?.user)
      throw new AppError('validation_failed', 'a transfer needs the new assignee', [
        { field: 'assignee', message: 'required to transfer' },
      ]);
    const mayPickUsers = departmentLimit(actor.access, 'write', 'work-orders') === null;
    const assignee = await resolveAssignee(db, input.assignee, { mayPickUsers });
    Object.assign(changes, { assigneeDepartmentId: assignee.departmentId, assigneeUserId: assignee.userId });
    details.assignee = {
      before: { department: row.assignee_department_code, user: row.assignee_user_name },
      after: assignee.label,
    };
  }
  if (to === 'accepted' && row.accepted_at === null) changes.acceptedAt = now;
  if (to === 'accepted' && from === 'resolved') {
    const resolvedAt = instantOf(row.resolved_at ?? now);
    if (now.getTime() - resolvedAt.getTime() > reopenWindowDays * 86_400_000)
      throw new AppError(
        'conflict',
        `work order ${row.code} was resolved at ${resolvedAt.toISOString()}: it may be reopened within ${reopenWindowDays} days only`,
      );
    changes.resolvedAt = null;
  }
  if (to === 'resolved') changes.resolvedAt = now;
  if (to === 'closed') changes.closedAt = now;
  if (to === 'cancelled') {
    changes.cancelledAt = now;
    Object.assign(changes, { pausedAt: null, resolutionRemainingSeconds: null });
  }
  const acceptedAt = changes.acceptedAt ?? (row.accepted_at ? instantOf(row.accepted_at) : null);
  changes.slaState =
    to === 'cancelled'
      ? liveSlaState(row, now, calendar)
      : slaStateAt(
          {
            state: to,
            slaClock: row.sla_clock,
            responseSeconds: row.response_seconds,
            resolutionSeconds: row.resolution_seconds,
            responseDueAt: instantOf(row.response_due_at),
            resolutionDueAt: (changes.resolutionDueAt as Date | undefined) ?? instantOf(row.resolution_due_at),
            acceptedAt,
            resolvedAt: to === 'resolved' ? now : to === 'closed' && row.resolved_at ? instantOf(row.resolved_at) : null,
            breachedAt: row.breached_at ? instantOf(row.breached_at) : null,
            slaState: row.sla_state,
          },
          now,
          calendar,
        );

  const updated = await db
    .update(workOrders)
    .set(changes)
    .where(and(eq(workOrders.id, row.id), eq(workOrders.state, from), eq(workOrders.version, row.version)))
    .returning({ id: workOrders.id });
  if (updated.length === 0)
    throw new AppError('conflict', `work order ${row.code} was changed by someone else meanwhile (${from} → ${to}); read it again`);

  const type = eventTypeOf(from, to);
  await db
    .insert(workOrderEvents)
    .values({ workOrderId: row.id, at: now, type, actor: actor.name, fromState: from, toState: to, note: note || null, details });
  await recordAudit(db, actor, [
    {
      action: `work_order.${type}`,
      entityKind: 'work_order',
      entityCode: row.code,
      before: { state: from, version: row.version },
      after: { state: to, version: row.version + 1, note: note || undefined, ...details },
    },
  ]);
}
