import { and, asc, eq } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import { configDefaults } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { TrackedKind } from '../db/schema/enums.ts';
import { timeline, transitions } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import type { Role } from '../identity/roles.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { assertVisible, assertWritable } from './authorize.ts';
import { isoDate } from './fields.ts';
import { applyTransitions, latestOf, loadActiveTransitions } from './history.ts';
import { type AnyRecordKind, type ImportKind, type KindRow, kindFor, type RecordItem } from './kinds/index.ts';
import { getRecord, nounOf, recordId } from './records/read.ts';

export interface TransitionOptions {
  today?: string;
  backdateDays?: number;
}

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
  db: Db,
  kind: K,
  code: string,
  request: TransitionRequest,
  actor: Actor,
  options?: TransitionOptions,
): Promise<RecordItem<K>>;
export async function transitionRecord(
  db: Db,
  kind: AnyRecordKind,
  code: string,
  request: TransitionRequest,
  actor: Actor,
  options?: TransitionOptions,
): Promise<KindRow>;
export async function transitionRecord(
  database: Db,
  kindRef: ImportKind | AnyRecordKind,
  code: string,
  request: TransitionRequest,
  actor: Actor,
  options: TransitionOptions = {},
): Promise<KindRow> {
  const kind = kindFor(kindRef);
  const today = options.today ?? businessDate();
  const effectiveAt = request.effective_at ?? today;
  if (!isoDate.safeParse(effectiveAt).success) throw invalid('effective_at', 'must be a real calendar date written YYYY-MM-DD');
  if (effectiveAt > today) throw invalid('effective_at', `${effectiveAt} is in the future (today is ${today})`);
  const states = Object.keys(kind.lifecycle.moves);
  if (!states.includes(request.to)) throw invalid('to', `must be one of ${states.join(', ')}`);

  await assertWritable(database, kind, code, actor, `${kind.tracked}.transition`);
  // After the visibility check: another department's record is a 404 whatever the date.
  assertBackdateAllowed(effectiveAt, today, options.backdateDays ?? configDefaults.YUNWANG_BACKDATE_DAYS, actor);
  return database.transaction(async (db) => {
    await assertVisible(db, kind, code, actor, 'write');
    await moveState(db, kind, code, { to: request.to, effectiveAt, note: request.note }, actor);
    return getRecord(db, kind, code);
  });
}

/**
 * The move itself, inside the caller's transaction and after its authorization: checks it
 * against the lifecycle and the history (never before the last transition), records the
 * transition, rebuilds the timeline, updates the state columns and audits, the row locked.
 */
export async function moveState(
  db: Db,
  kind: AnyRecordKind,
  code: string,
  move: { to: string; effectiveAt: string; note?: string | null },
  actor: Actor,
): Promise<void> {
  const { to, effectiveAt } = move;
  const tracked = kind.tracked;
  const current = await kind.lockState(db, code);
  if (!current) throw notFound(nounOf(kind), code);
  const allowed = kind.lifecycle.moves[current.state] ?? [];
  if (!allowed.includes(to)) {
    const targets = allowed.length > 0 ? `allowed from ${current.state}: ${allowed.join(', ')}` : `${current.state} is final`;
    const why = to === current.state ? `it is already ${current.state}; ${targets}` : targets;
    throw new AppError('illegal_transition', `${nounOf(kind)} ${code} cannot move from ${current.state} to ${to}; ${why}`);
  }
  const latest = latestOf((await loadActiveTransitions(db, tracked, [current.id])).get(current.id), 'state');
  if (latest?.effectiveAt && effectiveAt < latest.effectiveAt) {
    throw new AppError(
      'conflict',
      `the last transition took effect on ${latest.effectiveAt}; a transition cannot take effect before it (effective_at ${effectiveAt})`,
    );
  }
  const note = move.note?.trim() || null;
  await applyTransitions(db, tracked, actor, {
    add: [{ entityId: current.id, field: 'state', fromValue: current.state, toValue: to, effectiveAt, note }],
    supersede: [],
    touched: [current.id],
  });
  const since = await kind.writeState(db, current.id, to, effectiveAt);
  await recordAudit(db, actor, [
    {
      action: `${tracked}.transition`,
      entityKind: tracked,
      entityCode: code,
      before: { state: current.state, state_at: current.since },
      after: { state: to, state_at: since },
    },
  ]);
}

export interface TransitionView {
  id: number;
  field: string;
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
  attributes: Record<string, string> | null;
}

/** Every transition ever recorded for an entity (superseded ones too), and its current timeline. */
export async function listTransitions(
  db: Db,
  kindRef: ImportKind | AnyRecordKind,
  code: string,
  actor: Actor,
): Promise<{ items: TransitionView[]; timeline: IntervalView[] }> {
  const kind = kindFor(kindRef);
  await assertVisible(db, kind, code, actor, 'read');
  const tracked = kind.tracked as TrackedKind;
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
      attributes: iv.attributes ?? null,
    })),
  };
}
