import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { insertRows } from '../db/bulk.ts';
import type { Db } from '../db/client.ts';
import type { TrackedKind } from '../db/schema/enums.ts';
import { timeline, transitions } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError } from '../kernel/errors.ts';
import { kindOfTracked } from './kinds/index.ts';
import { bumpRegistryVersion } from './version.ts';

export type TrackedField = 'state' | 'classification';

/** The lifecycle of the kind a history entry names: its initial state and whether it is classified. */
function lifecycleOf(tracked: string) {
  const kind = kindOfTracked(tracked);
  if (!kind) throw new AppError('internal', `no record kind keeps its history as "${tracked}"`);
  return kind.lifecycle;
}

/**
 * The history tables' `kind` column is typed with the built-in kinds; a kind registered
 * beside them (by a test) is stored the same way, as text.
 */
const stored = (kind: string) => kind as TrackedKind;

export interface ActiveTransition {
  id: number;
  field: TrackedField;
  toValue: string;
  /** null: in force since always (before any recorded date). */
  effectiveAt: string | null;
}

export interface Interval {
  validFrom: string | null;
  validTo: string | null;
  classification: string | null;
  state: string;
}

/** Orders transitions by business date ("since always" first), then by recording order. */
export function compareTransitions(a: ActiveTransition, b: ActiveTransition): number {
  if (a.effectiveAt !== b.effectiveAt) {
    if (a.effectiveAt === null) return -1;
    if (b.effectiveAt === null) return 1;
    return a.effectiveAt < b.effectiveAt ? -1 : 1;
  }
  return a.id - b.id;
}

/** Rebuilds an entity's business-time intervals from its active transitions. */
export function buildIntervals(kind: string, active: ActiveTransition[]): Interval[] {
  const sorted = [...active].sort(compareTransitions);
  const lifecycle = lifecycleOf(kind);
  let classification: string | null = lifecycle.classified ? 'pending' : null;
  let state = lifecycle.initial;
  const intervals: Interval[] = [];
  let from: string | null = null;
  let i = 0;
  // Transitions "since always" shape the first interval rather than opening a new one.
  while (i < sorted.length && sorted[i]?.effectiveAt === null) {
    const t = sorted[i++] as ActiveTransition;
    if (t.field === 'state') state = t.toValue;
    else classification = t.toValue;
  }
  while (i < sorted.length) {
    const date = sorted[i]?.effectiveAt as string;
    let nextState = state;
    let nextClassification = classification;
    while (i < sorted.length && sorted[i]?.effectiveAt === date) {
      const t = sorted[i++] as ActiveTransition;
      if (t.field === 'state') nextState = t.toValue;
      else nextClassification = t.toValue;
    }
    if (nextState === state && nextClassification === classification) continue;
    intervals.push({ validFrom: from, validTo: date, classification, state });
    from = date;
    state = nextState;
    classification = nextClassification;
  }
  intervals.push({ validFrom: from, validTo: null, classification, state });
  return intervals;
}

export interface Reconciliation {
  supersede: number[];
  add: { value: string; effectiveAt: string | null } | null;
}

/**
 * What to record when a file (or a create call) declares "the value is `value` since
 * `since`" for one field. Transitions on or after `since` contradict the declaration and
 * are superseded; a declaration that matches the latest transition changes nothing, so
 * importing the same file twice is a no-op.
 */
export function reconcileDeclared(
  activeForField: ActiveTransition[],
  initial: string,
  value: string,
  since: string | null,
  today: string,
): Reconciliation {
  const sorted = [...activeForField].sort(compareTransitions);
  const latest = sorted.at(-1);
  const currentValue = latest?.toValue ?? initial;
  if (currentValue === value && (latest ? latest.effectiveAt === since : since === null)) {
    return { supersede: [], add: null };
  }
  // Rows carry no date for an initial value ("not integrated"), so an undated declaration
  // of the value that already holds says nothing new.
  if (currentValue === value && value === initial && since === null) return { supersede: [], add: null };
  // Going back to the initial value without a date is a change recorded today, not a
  // rewrite of the past.
  const effective = since === null && value === initial && latest ? today : since;
  const kept = sorted.filter((t) => effective !== null && (t.effectiveAt === null || t.effectiveAt < effective));
  // If the value already held just before, the declaration moves its start to `since`.
  while (kept.length > 0 && kept.at(-1)?.toValue === value) kept.pop();
  const keptIds = new Set(kept.map((t) => t.id));
  const supersede = sorted.filter((t) => !keptIds.has(t.id)).map((t) => t.id);
  const before = kept.at(-1)?.toValue ?? initial;
  return { supersede, add: before === value ? null : { value, effectiveAt: effective } };
}

export interface TransitionChange {
  entityId: number;
  field: TrackedField;
  fromValue: string | null;
  toValue: string;
  effectiveAt: string | null;
  note?: string | null;
}

const chunk = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** Active (not superseded) transitions of the given entities, grouped by entity id. */
export async function loadActiveTransitions(db: Db, kind: string, entityIds: number[]): Promise<Map<number, ActiveTransition[]>> {
  const byEntity = new Map<number, ActiveTransition[]>();
  for (const ids of chunk(entityIds, 5000)) {
    const rows = await db
      .select({
        id: transitions.id,
        entityId: transitions.entityId,
        field: transitions.field,
        toValue: transitions.toValue,
        effectiveAt: transitions.effectiveAt,
      })
      .from(transitions)
      .where(and(eq(transitions.kind, stored(kind)), inArray(transitions.entityId, ids), isNull(transitions.supersededAt)))
      .orderBy(asc(transitions.id));
    for (const { entityId, ...t } of rows) {
      const list = byEntity.get(entityId) ?? [];
      list.push(t);
      byEntity.set(entityId, list);
    }
  }
  return byEntity;
}

/**
 * Records transitions, supersedes contradicted ones, and rebuilds the timeline of every
 * entity touched. Call inside the transaction that changes the entities themselves.
 */
export async function applyTransitions(
  db: Db,
  kind: string,
  actor: Actor,
  changes: { add: TransitionChange[]; supersede: number[]; touched: number[] },
): Promise<void> {
  const now = new Date();
  // Every change an indicator can see passes through here (upserts call it for every
  // changed row, even without a state change), so this is where cached figures expire.
  await bumpRegistryVersion(db);
  for (const ids of chunk(changes.supersede, 5000)) {
    await db.update(transitions).set({ supersededAt: now }).where(inArray(transitions.id, ids));
  }
  await insertRows(
    db,
    transitions,
    changes.add.map((c) => ({
      kind: stored(kind),
      entityId: c.entityId,
      field: c.field,
      fromValue: c.fromValue,
      toValue: c.toValue,
      effectiveAt: c.effectiveAt,
      recordedAt: now,
      actor: actor.name,
      note: c.note ?? null,
      requestId: actor.requestId ?? null,
    })),
  );
  await rebuildTimeline(db, kind, changes.touched);
}

export async function rebuildTimeline(db: Db, kind: string, entityIds: number[]): Promise<void> {
  if (entityIds.length === 0) return;
  const active = await loadActiveTransitions(db, kind, entityIds);
  for (const ids of chunk(entityIds, 5000)) {
    await db.delete(timeline).where(and(eq(timeline.kind, stored(kind)), inArray(timeline.entityId, ids)));
  }
  // By chunks, so that a 40,000-row import does not hold the event loop while it builds them.
  for (const ids of chunk(entityIds, 1000)) {
    const rows = ids.flatMap((entityId) =>
      buildIntervals(kind, active.get(entityId) ?? []).map((iv) => ({ kind: stored(kind), entityId, ...iv })),
    );
    await insertRows(db, timeline, rows);
  }
}

/** The latest active transition of one field: the entity's current value and since when. */
export function latestOf(active: ActiveTransition[] | undefined, field: TrackedField): ActiveTransition | undefined {
  return (active ?? [])
    .filter((t) => t.field === field)
    .sort(compareTransitions)
    .at(-1);
}

/** Business dates are the province's calendar days (UTC+8), whatever the server's zone. */
