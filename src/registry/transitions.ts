import { and, asc, eq } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import { configDefaults } from '../config.ts';
import type { Db } from '../db/client.ts';
import { privateNetworkStates, systemStates, type TrackedKind } from '../db/schema/enums.ts';
import { departments, networkNodes, privateNetworks, serviceItems, systems, timeline, transitions } from '../db/schema/index.ts';
import { AppError, notFound } from '../http/errors.ts';
import type { Actor } from '../identity/actor.ts';
import type { Role } from '../identity/roles.ts';
import { assertVisible, assertWritable } from './authorize.ts';
import { applyTransitions, latestOf, loadActiveTransitions, todayIso } from './history.ts';
import { type ImportKind, isoDate } from './schemas.ts';
import { getRecord, nouns, type RecordItem, recordId } from './service.ts';

/** The lifecycle moves each kind allows; anything else is an illegal transition. */
export const allowedMoves: Record<ImportKind, Record<string, readonly string[]>> = {
  systems: {
    not_migrated: ['migrating', 'migrated', 'retired'],
    migrating: ['migrated', 'not_migrated', 'retired'],
    migrated: ['migrating', 'retired'],
    retired: [],
  },
  'private-networks': {
    not_started: ['migrating', 'interconnected', 'retired'],
    migrating: ['interconnected', 'not_started', 'retired'],
    interconnected: ['retired'],
    retired: [],
  },
  'service-items': { not_integrated: ['integrated'], integrated: ['not_integrated'] },
  'network-nodes': { not_commissioned: ['commissioned'], commissioned: ['not_commissioned'] },
  departments: { not_connected: ['connected'], connected: ['not_connected'] },
};

export const trackedKindOf: Record<ImportKind, TrackedKind> = {
  systems: 'system',
  'private-networks': 'private_network',
  'service-items': 'service_item',
  'network-nodes': 'network_node',
  departments: 'department',
};

interface CurrentState {
  id: number;
  state: string;
  since: string | null;
}

/** Reads and writes the columns that mirror an entity's latest state transition. */
interface StateColumns {
  /** Locks the entity row (`for update`) and reads its current state. */
  lock(db: Db, code: string): Promise<CurrentState | undefined>;
  /** Writes the new state; answers the "since" date it stored. */
  write(db: Db, id: number, state: string, effectiveAt: string): Promise<string | null>;
}

function member<T extends string>(values: readonly T[], value: string): T {
  const found = values.find((v) => v === value);
  if (found === undefined) throw new AppError('internal', `"${value}" is not one of ${values.join(', ')}`);
  return found;
}

/** A yes/no fact as a two-valued state: its date is kept only while it is yes. */
const flag = (on: boolean, yes: string, no: string) => (on ? yes : no);

const stateColumns: Record<ImportKind, StateColumns> = {
  systems: {
    async lock(db, code) {
      const [row] = await db
        .select({ id: systems.id, state: systems.state, since: systems.stateAt })
        .from(systems)
        .where(eq(systems.code, code))
        .for('update');
      return row;
    },
    async write(db, id, state, effectiveAt) {
      await db
        .update(systems)
        .set({ state: member(systemStates, state), stateAt: effectiveAt, updatedAt: new Date() })
        .where(eq(systems.id, id));
      return effectiveAt;
    },
  },
  'private-networks': {
    async lock(db, code) {
      const [row] = await db
        .select({ id: privateNetworks.id, state: privateNetworks.state, since: privateNetworks.stateAt })
        .from(privateNetworks)
        .where(eq(privateNetworks.code, code))
        .for('update');
      return row;
    },
    async write(db, id, state, effectiveAt) {
      await db
        .update(privateNetworks)
        .set({ state: member(privateNetworkStates, state), stateAt: effectiveAt, updatedAt: new Date() })
        .where(eq(privateNetworks.id, id));
      return effectiveAt;
    },
  },
  'service-items': {
    async lock(db, code) {
      const [row] = await db
        .select({ id: serviceItems.id, on: serviceItems.integrated, since: serviceItems.integratedAt })
        .from(serviceItems)
        .where(eq(serviceItems.code, code))
        .for('update');
      return row && { id: row.id, state: flag(row.on, 'integrated', 'not_integrated'), since: row.since };
    },
    async write(db, id, state, effectiveAt) {
      const on = state === 'integrated';
      const since = on ? effectiveAt : null;
      await db.update(serviceItems).set({ integrated: on, integratedAt: since, updatedAt: new Date() }).where(eq(serviceItems.id, id));
      return since;
    },
  },
  'network-nodes': {
    async lock(db, code) {
      const [row] = await db
        .select({ id: networkNodes.id, on: networkNodes.commissioned, since: networkNodes.commissionedAt })
        .from(networkNodes)
        .where(eq(networkNodes.code, code))
        .for('update');
      return row && { id: row.id, state: flag(row.on, 'commissioned', 'not_commissioned'), since: row.since };
    },
    async write(db, id, state, effectiveAt) {
      const on = state === 'commissioned';
      const since = on ? effectiveAt : null;
      await db.update(networkNodes).set({ commissioned: on, commissionedAt: since, updatedAt: new Date() }).where(eq(networkNodes.id, id));
      return since;
    },
  },
  departments: {
    async lock(db, code) {
      const [row] = await db
        .select({ id: departments.id, on: departments.extranetConnected, since: departments.extranetConnectedAt })
        .from(departments)
        .where(eq(departments.code, code))
        .for('update');
      return row && { id: row.id, state: flag(row.on, 'connected', 'not_connected'), since: row.since };
    },
    async write(db, id, state, effectiveAt) {
      const on = state === 'connected';
      const since = on ? effectiveAt : null;
      await db
        .update(departments)
        .set({ extranetConnected: on, extranetConnectedAt: since, updatedAt: new Date() })
        .where(eq(departments.id, id));
      return since;
    },
  },
};

export interface TransitionRequest {
  to: string;
  /** Business date YYYY-MM-DD; default today. */
  effective_at?: string;
  note?: string | null;
}

/** Rewriting history further back than the window is a reviewer's (or ops', or the command line's) call. */
const backdaters: readonly Role[] = ['reviewer', 'ops'];

function assertBackdateAllowed(effectiveAt: string, today: string, days: number, actor: Actor): void {
  const earliest = new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
  if (effectiveAt >= earliest) return;
  if (actor.access.root || backdaters.some((role) => !actor.access.root && actor.access.roles.has(role))) return;
  throw invalid(
    'effective_at',
    `${effectiveAt} is more than ${days} days back (the earliest you may date a change is ${earliest}); an older change needs a reviewer or ops`,
  );
}

const invalid = (field: string, message: string) => new AppError('validation_failed', `${field} ${message}`, [{ field, message }]);

/**
 * Moves one entity to a new state as of a business date: checks the move against its
 * lifecycle and its history, records the transition, rebuilds its timeline, updates the
 * state columns and audits — all in one transaction, with the entity row locked.
 */
export async function transitionRecord<K extends ImportKind>(
  database: Db,
  kind: K,
  code: string,
  request: TransitionRequest,
  actor: Actor,
  options: { today?: string; backdateDays?: number } = {},
): Promise<RecordItem<K>> {
  const today = options.today ?? todayIso();
  const effectiveAt = request.effective_at ?? today;
  if (!isoDate.safeParse(effectiveAt).success) throw invalid('effective_at', 'must be a real calendar date written YYYY-MM-DD');
  if (effectiveAt > today) throw invalid('effective_at', `${effectiveAt} is in the future (today is ${today})`);
  const moves = allowedMoves[kind];
  const states = Object.keys(moves);
  if (!states.includes(request.to)) throw invalid('to', `must be one of ${states.join(', ')}`);
  const tracked = trackedKindOf[kind];
  const columns = stateColumns[kind];

  await assertWritable(database, kind, code, actor, `${tracked}.transition`);
  // After the visibility check: another department's record is a 404 whatever the date.
  assertBackdateAllowed(effectiveAt, today, options.backdateDays ?? configDefaults.YUNWANG_BACKDATE_DAYS, actor);
  return database.transaction(async (db) => {
    await assertVisible(db, kind, code, actor, 'write');
    const current = await columns.lock(db, code);
    if (!current) throw notFound(nouns[kind], code);
    const allowed = moves[current.state] ?? [];
    if (!allowed.includes(request.to)) {
      const targets = allowed.length > 0 ? `allowed from ${current.state}: ${allowed.join(', ')}` : `${current.state} is final`;
      const why = request.to === current.state ? `it is already ${current.state}; ${targets}` : targets;
      throw new AppError('illegal_transition', `${nouns[kind]} ${code} cannot move from ${current.state} to ${request.to}; ${why}`);
    }
    const latest = latestOf((await loadActiveTransitions(db, tracked, [current.id])).get(current.id), 'state');
    if (latest?.effectiveAt && effectiveAt < latest.effectiveAt) {
      throw new AppError(
        'conflict',
        `the last transition took effect on ${latest.effectiveAt}; a transition cannot take effect before it (effective_at ${effectiveAt})`,
      );
    }

    const note = request.note?.trim() || null;
    await applyTransitions(db, tracked, actor, {
      add: [{ entityId: current.id, field: 'state', fromValue: current.state, toValue: request.to, effectiveAt, note }],
      supersede: [],
      touched: [current.id],
    });
    const since = await columns.write(db, current.id, request.to, effectiveAt);
    await recordAudit(db, actor, [
      {
        action: `${tracked}.transition`,
        entityKind: tracked,
        entityCode: code,
        before: { state: current.state, state_at: current.since },
        after: { state: request.to, state_at: since },
      },
    ]);
    return getRecord(db, kind, code);
  });
}

export interface TransitionView {
  id: number;
  field: 'state' | 'classification';
  from: string | null;
  to: string;
  effective_at: string | null;
  recorded_at: string;
  actor: string;
  note: string | null;
  superseded_at: string | null;
}

export interface IntervalView {
  valid_from: string | null;
  valid_to: string | null;
  state: string;
  classification: string | null;
}

/** Every transition ever recorded for an entity (superseded ones too), and its current timeline. */
export async function listTransitions(
  db: Db,
  kind: ImportKind,
  code: string,
  actor: Actor,
): Promise<{ items: TransitionView[]; timeline: IntervalView[] }> {
  await assertVisible(db, kind, code, actor, 'read');
  const tracked = trackedKindOf[kind];
  const id = await recordId(db, kind, code);
  const rows = await db
    .select()
    .from(transitions)
    .where(and(eq(transitions.kind, tracked), eq(transitions.entityId, id)))
    .orderBy(asc(transitions.id));
  const intervals = await db
    .select()
    .from(timeline)
    .where(and(eq(timeline.kind, tracked), eq(timeline.entityId, id)))
    .orderBy(asc(timeline.id));
  return {
    items: rows.map((t) => ({
      id: t.id,
      field: t.field,
      from: t.fromValue,
      to: t.toValue,
      effective_at: t.effectiveAt,
      recorded_at: t.recordedAt.toISOString(),
      actor: t.actor,
      note: t.note,
      superseded_at: t.supersededAt?.toISOString() ?? null,
    })),
    timeline: intervals.map((iv) => ({
      valid_from: iv.validFrom,
      valid_to: iv.validTo,
      state: iv.state,
      classification: iv.classification,
    })),
  };
}
