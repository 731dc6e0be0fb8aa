import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import { decommissionRequests, type decommissionStatuses, departments, systems, users } from '../db/schema/index.ts';
import { assertCan, departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { resolveScope } from '../indicators/scope.ts';
import { assertScopeReadable } from '../indicators/service.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { assertWritable } from '../registry/authorize.ts';
import { isoDate } from '../registry/fields.ts';
import { countIdleByDepartment, defaultIdleDays, idleSystem, lastEvidence } from '../registry/idle.ts';
import { kindOf } from '../registry/kinds/index.ts';
import { moveState } from '../registry/transitions.ts';
import { assertNotOwnDepartment } from './certified-records.ts';

// 僵尸系统下线: a department asks to decommission an idle system of its own; a reviewer
// confirms it (the normal transition to retired, made by the reviewer) or rejects it.

type DecommissionStatus = (typeof decommissionStatuses)[number];

export interface DecommissionView {
  id: number;
  system_code: string;
  system_name: string;
  department_code: string;
  reason: string;
  evidence: { idle_days: number; last_seen_at: string | null; last_exchange_on: string | null };
  requested_by: string;
  requested_at: string;
  status: DecommissionStatus;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  retired_on: string | null;
}

const systemsKind = () => kindOf('systems');

const viewQuery = (db: Db) =>
  db
    .select({
      id: decommissionRequests.id,
      system_code: systems.code,
      system_name: systems.name,
      department_code: departments.code,
      reason: decommissionRequests.reason,
      evidence: decommissionRequests.evidence,
      requested_by: decommissionRequests.requestedBy,
      requestedAt: decommissionRequests.createdAt,
      status: decommissionRequests.status,
      decided_by: users.name,
      decidedAt: decommissionRequests.decidedAt,
      decision_note: decommissionRequests.decisionNote,
      retired_on: decommissionRequests.retiredOn,
    })
    .from(decommissionRequests)
    .innerJoin(systems, eq(systems.id, decommissionRequests.systemId))
    .innerJoin(departments, eq(departments.id, systems.departmentId))
    .leftJoin(users, eq(users.id, decommissionRequests.decidedBy))
    .$dynamic();

type ViewRow = Awaited<ReturnType<ReturnType<typeof viewQuery>['execute']>>[number];

const viewOf = ({ requestedAt, decidedAt, ...row }: ViewRow): DecommissionView => ({
  ...row,
  requested_at: requestedAt.toISOString(),
  decided_at: decidedAt?.toISOString() ?? null,
});

async function readRequest(db: Db, id: number): Promise<DecommissionView> {
  const [row] = await viewQuery(db).where(eq(decommissionRequests.id, id));
  if (!row) throw notFound('decommission request', String(id));
  return viewOf(row);
}

/** Whether the system is an idle candidate now, by the given days. */
async function isIdle(db: Db, systemId: number, days: number): Promise<boolean> {
  const [row] = await db
    .select({ id: systems.id })
    .from(systems)
    .where(and(eq(systems.id, systemId), idleSystem(days)));
  return row !== undefined;
}

const describeEvidence = (e: { lastSeenAt: Date | null; lastExchangeOn: string | null }) =>
  `last workload seen ${e.lastSeenAt?.toISOString() ?? 'never'}, last exchange ${e.lastExchangeOn ?? 'never'}`;

/** A department asks to decommission one of its systems that is an idle candidate now. */
export async function requestDecommission(
  database: Db,
  code: string,
  request: { reason: string; idle_days?: number },
  actor: Actor,
): Promise<DecommissionView> {
  const kind = systemsKind();
  assertCan(actor.access, 'write', 'systems');
  await assertWritable(database, kind, code, actor, 'system.decommission_request');
  const days = request.idle_days ?? defaultIdleDays;
  const id = await database.transaction(async (db) => {
    const [system] = await db.select({ id: systems.id }).from(systems).where(eq(systems.code, code)).for('update');
    if (!system) throw notFound('system', code);
    const evidence = (await lastEvidence(db, [system.id])).get(system.id) ?? { lastSeenAt: null, lastExchangeOn: null };
    if (!(await isIdle(db, system.id, days))) {
      throw new AppError(
        'conflict',
        `system ${code} is not an idle candidate by ${days} days (retired, registered recently, or in use: ${describeEvidence(evidence)})`,
      );
    }
    const [open] = await db
      .select({ id: decommissionRequests.id })
      .from(decommissionRequests)
      .where(and(eq(decommissionRequests.systemId, system.id), eq(decommissionRequests.status, 'open')));
    if (open) throw new AppError('conflict', `system ${code} already has an open decommission request (#${open.id})`);
    const [row] = await db
      .insert(decommissionRequests)
      .values({
        systemId: system.id,
        reason: request.reason.trim(),
        evidence: { idle_days: days, last_seen_at: evidence.lastSeenAt?.toISOString() ?? null, last_exchange_on: evidence.lastExchangeOn },
        requestedBy: actor.name,
      })
      .returning({ id: decommissionRequests.id });
    if (!row) throw new AppError('internal', 'the decommission request was not stored');
    await recordAudit(db, actor, [
      {
        action: 'system.decommission_request',
        entityKind: 'system',
        entityCode: code,
        before: null,
        after: { request: row.id, reason: request.reason, idle_days: days },
      },
    ]);
    return row.id;
  });
  return readRequest(database, id);
}

/**
 * A reviewer's decision. Confirmed, the system moves to retired (已下线) as of `effective_at`
 * (default today) by the normal transition, made by the reviewer; a system used again since
 * the request is not retired. A reviewer bound to a department does not decide for it.
 */
export async function decideDecommission(
  database: Db,
  id: number,
  decision: { result: 'confirmed' | 'rejected'; note: string; effective_at?: string },
  actor: Actor,
): Promise<DecommissionView> {
  assertCan(actor.access, 'write', 'certifications');
  if (actor.access.root) throw new AppError('forbidden', 'a decommission is confirmed by a named reviewer, not the local operator');
  const reviewerId = actor.access.userId;
  const today = businessDate();
  const effectiveAt = decision.effective_at ?? today;
  if (!isoDate.safeParse(effectiveAt).success || effectiveAt > today) {
    throw new AppError('validation_failed', `effective_at ${effectiveAt} must be a calendar date not after today (${today})`, [
      { field: 'effective_at', message: 'must be a calendar date YYYY-MM-DD, not in the future' },
    ]);
  }
  await database.transaction(async (db) => {
    const [request] = await db
      .select({
        status: decommissionRequests.status,
        systemId: decommissionRequests.systemId,
        evidence: decommissionRequests.evidence,
        reason: decommissionRequests.reason,
        requestedBy: decommissionRequests.requestedBy,
      })
      .from(decommissionRequests)
      .where(eq(decommissionRequests.id, id))
      .for('update');
    if (!request) throw notFound('decommission request', String(id));
    if (request.status !== 'open') throw new AppError('conflict', `decommission request #${id} is already ${request.status}`);
    const [system] = await db
      .select({ code: systems.code, departmentId: systems.departmentId })
      .from(systems)
      .where(eq(systems.id, request.systemId));
    if (!system) throw notFound('system', String(request.systemId));
    await assertNotOwnDepartment(db, actor, system.departmentId, system.code);
    if (decision.result === 'confirmed') {
      if (!(await isIdle(db, request.systemId, request.evidence.idle_days))) {
        const evidence = (await lastEvidence(db, [request.systemId])).get(request.systemId) ?? { lastSeenAt: null, lastExchangeOn: null };
        throw new AppError(
          'conflict',
          `system ${system.code} is no longer idle (${describeEvidence(evidence)}); reject the request instead`,
        );
      }
      const note = `僵尸系统下线 decommissioned as idle: ${request.reason} (request #${id} by ${request.requestedBy}; ${decision.note})`;
      await moveState(db, systemsKind(), system.code, { to: 'retired', effectiveAt, note }, actor);
    }
    await db
      .update(decommissionRequests)
      .set({
        status: decision.result,
        decidedBy: reviewerId,
        decidedAt: new Date(),
        decisionNote: decision.note.trim(),
        retiredOn: decision.result === 'confirmed' ? effectiveAt : null,
        updatedAt: new Date(),
      })
      .where(eq(decommissionRequests.id, id));
    await recordAudit(db, actor, [
      {
        action: `decommission.${decision.result === 'confirmed' ? 'confirm' : 'reject'}`,
        entityKind: 'system',
        entityCode: system.code,
        before: { request: id, status: 'open' },
        after: {
          request: id,
          status: decision.result,
          note: decision.note,
          retired_on: decision.result === 'confirmed' ? effectiveAt : null,
        },
      },
    ]);
  });
  return readRequest(database, id);
}

/** Decommission requests, newest first; a department user sees those of its own department subtree. */
export async function listDecommissionRequests(
  db: Db,
  filter: { status?: DecommissionStatus; limit: number; offset: number },
  actor: Actor,
): Promise<{ items: DecommissionView[]; total: number; limit: number; offset: number }> {
  const limit = departmentLimit(actor.access, 'read', 'systems');
  const conditions: (SQL | undefined)[] = [
    filter.status ? eq(decommissionRequests.status, filter.status) : undefined,
    limit === null ? undefined : startsWithLiteral(departments.path, limit),
  ];
  const where = and(...conditions);
  const [counted] = await db
    .select({ n: count() })
    .from(decommissionRequests)
    .innerJoin(systems, eq(systems.id, decommissionRequests.systemId))
    .innerJoin(departments, eq(departments.id, systems.departmentId))
    .where(where);
  const rows = await viewQuery(db).where(where).orderBy(desc(decommissionRequests.id)).limit(filter.limit).offset(filter.offset);
  return { items: rows.map(viewOf), total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

/** Idle candidates counted by department for a scope the caller may read (a department user: his own). */
export async function readIdleCounts(db: Db, key: string, days: number, actor: Actor) {
  await assertScopeReadable(db, key, actor);
  const scope = await resolveScope(db, key, false);
  const departments = await countIdleByDepartment(db, scope.departments, days);
  const total = departments.reduce((sum, d) => sum + d.candidates, 0);
  return { scope: key, scope_name: scope.name, days, total, departments };
}
