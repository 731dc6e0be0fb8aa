import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { insertRows } from '../db/bulk.ts';
import type { Db } from '../db/client.ts';
import type { TrackedKind } from '../db/schema/enums.ts';
import { timeline, transitions } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { refreshRollups } from '../indicators/rollups/maintain.ts';
import { chunk } from '../kernel/chunk.ts';
import { AppError } from '../kernel/errors.ts';
import { kindOfTracked } from './kinds/index.ts';
import type { TrackedAttribute } from './kinds/types.ts';
import { refreshPendingSince } from './pending-since.ts';
import { bumpRegistryVersion } from './version.ts';

/** `state`, `classification`, or the name of one of the kind's tracked attributes. */
export type TrackedField = string;

/** The lifecycle of the kind a history entry names: its initial state, whether it is classified, its tracked attributes. */
function lifecycleOf(tracked: string) {
  const kind = kindOfTracked(tracked);
  if (!kind) throw new AppError('internal', `no record kind keeps its history as "${tracked}"`);
  return { ...kind.lifecycle, attributes: kind.trackedAttributes ?? [] };
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
  /** The tracked attributes in force; null for a kind without any. */
  attributes: Record<string, string> | null;
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
  const tracksAttributes = lifecycle.attributes.length > 0;
  let current: Omit<Interval, 'validFrom' | 'validTo'> = {
    classification: lifecycle.classified ? 'pending' : null,
    state: lifecycle.initial,
    attributes: tracksAttributes ? initialAttributes(lifecycle.attributes) : null,
  };
  const apply = (values: typeof current, t: ActiveTransition): typeof current => {
    if (t.field === 'state') return { ...values, state: t.toValue };
    if (t.field === 'classification') return { ...values, classification: t.toValue };
    const attributes = { ...values.attributes };
    // An attribute cleared (a DR site given up) is recorded as the empty value.
    if (t.toValue === '') delete attributes[t.field];
    else attributes[t.field] = t.toValue;
    return { ...values, attributes };
  };
  const intervals: Interval[] = [];
  let from: string | null = null;
  let i = 0;
  // Transitions "since always" shape the first interval rather than opening a new one.
  while (i < sorted.length && sorted[i]?.effectiveAt === null) current = apply(current, sorted[i++] as ActiveTransition);
  while (i < sorted.length) {
    const date = sorted[i]?.effectiveAt as string;
    let next = current;
    while (i < sorted.length && sorted[i]?.effectiveAt === date) next = apply(next, sorted[i++] as ActiveTransition);
    if (sameValues(next, current)) continue;
    intervals.push({ validFrom: from, validTo: date, ...current });
    from = date;
    current = next;
  }
  intervals.push({ validFrom: from, validTo: null, ...current });
  return intervals;
}

/** The attributes an entity has before any transition: those with an initial value. */
function initialAttributes(attributes: readonly TrackedAttribute[]): Record<string, string> {
  return Object.fromEntries(attributes.flatMap((a) => (a.initial === undefined ? [] : [[a.field, a.initial]])));
}

const sameValues = (a: Omit<Interval, 'validFrom' | 'validTo'>, b: Omit<Interval, 'validFrom' | 'validTo'>) =>
  a.state === b.state &&
  a.classification === b.classification &&
  JSON.stringify(Object.entries(a.attributes ?? {}).sort()) === JSON.stringify(Object.entries(b.attributes ?? {}).sort());

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
  await refreshPendingSince(db, kindOfTracked(kind), entityIds);
  // The indicators' rollups follow the timeline in the same transaction (and read the entity
  // rows as they are now: an item's department, a service item's system type).
  await refreshRollups(db, kind, entityIds);
}

/** The latest active transition of one field: the entity's current value and since when. */
export function latestOf(active: ActiveTransition[] | undefined, field: TrackedField): ActiveTransition | undefined {
  return (active ?? [])
    .filter((t) => t.field === field)
    .sort(compareTransitions)
    .at(-1);
}

/** Business dates are the province's calendar days (UTC+8), whatever the server's zone. */
