import { getTableName, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { SelectResultFields } from 'drizzle-orm/query-builders/select.types';
import { type AuditEntry, recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { clouds, departments, regions, systems } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import { yieldEvery, yieldToEventLoop } from '../kernel/yielding.ts';
import {
  type ActiveTransition,
  applyTransitions,
  compareTransitions,
  loadActiveTransitions,
  reconcileDeclared,
  type TransitionChange,
} from './history.ts';
import { type AnyRecordKind, type ImportKind, type InputByKind, type KindRow, kindFor } from './kinds/index.ts';
import type { Planned, References } from './kinds/types.ts';
import { loadStoredRows, sameView } from './views.ts';

export interface UpsertResult {
  created: number;
  updated: number;
  unchanged: number;
}

export interface UpsertOptions {
  /** Validate and count, then roll everything back. */
  dryRun?: boolean;
  /** The business "today" (tests pin it); dates after it are refused. */
  today?: string;
}

/** Part by part, letting other requests in between (PGlite runs each query on this thread). */
const chunked = async <T>(items: T[], size: number, fn: (part: T[]) => Promise<void>) => {
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await yieldToEventLoop();
    await fn(items.slice(i, i + size));
  }
};

async function resolveReferences(
  db: Db,
  codes: { regions: string[]; departments: string[]; clouds: string[]; systems: string[] },
): Promise<References> {
  const refs: References = { regions: new Set(), departments: new Map(), clouds: new Map(), systems: new Map() };
  /** Reads some columns of the rows a table holds under some codes, 5,000 codes a query, and keeps each. */
  const lookUp = async <S extends Record<string, AnyPgColumn>>(
    codes: string[],
    table: PgTable & { code: AnyPgColumn },
    columns: S,
    keep: (row: SelectResultFields<S>) => void,
  ) =>
    chunked([...new Set(codes)], 5000, async (part) => {
      for (const row of await db.select(columns).from(table).where(inArray(table.code, part))) keep(row);
    });
  await lookUp(codes.regions, regions, { code: regions.code }, (r) => refs.regions.add(r.code));
  await lookUp(codes.departments, departments, { id: departments.id, code: departments.code, path: departments.path }, (d) =>
    refs.departments.set(d.code, { id: d.id, path: d.path }),
  );
  await lookUp(codes.clouds, clouds, { id: clouds.id, code: clouds.code }, (c) => refs.clouds.set(c.code, c.id));
  await lookUp(codes.systems, systems, { id: systems.id, code: systems.code, departmentId: systems.departmentId }, (s) =>
    refs.systems.set(s.code, { id: s.id, departmentId: s.departmentId }),
  );
  return refs;
}

function referencedCodes(kind: AnyRecordKind, rows: KindRow[]) {
  const field = (name: string) =>
    rows.map((r) => (r as Record<string, unknown>)[name]).filter((v): v is string => typeof v === 'string' && v !== '');
  return {
    regions: field('region_code'),
    // A department file refers to departments by its own codes too: an existing row's path matters.
    departments: kind.table === departments ? [...field('parent_code'), ...field('code')] : field('department_code'),
    clouds: [...field('cloud_code'), ...field('dr_cloud_code')],
    systems: [
      ...field('provider_system_code'),
      ...rows.flatMap((r) => {
        const list = (r as Record<string, unknown>).consumer_system_codes;
        return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
      }),
    ],
  };
}

/** Rows changed in one batch beyond which the planner's statistics are refreshed. */
export const bulkWriteThreshold = 1000;

/**
 * After a bulk write the planner's statistics are stale until autovacuum catches up, and
 * the indicator queries pick slow plans meanwhile. Call after the batch has committed.
 */
export async function refreshStatistics(db: Db, kindRef: ImportKind | AnyRecordKind, result: UpsertResult): Promise<void> {
  if (result.created + result.updated < bulkWriteThreshold) return;
  await db.execute(sql.raw(`analyze ${getTableName(kindFor(kindRef).table)}, transitions, timeline, audit_log`));
}

class DryRun extends Error {
  constructor(readonly result: UpsertResult) {
    super('dry run');
  }
}

/**
 * The one write path for every record kind, whether they come from the API, a spreadsheet or the demo data: upsert
 * by code, record every tracked change as a transition, rebuild the timeline, audit each
 * changed row — all in one transaction. Any bad row rejects the whole batch, with every
 * problem listed (`errors[].index` is the row's position in `rows`).
 */
export async function upsertRecords<K extends ImportKind>(
  db: Db,
  kind: K,
  rows: InputByKind[K][],
  actor: Actor,
  options?: UpsertOptions,
): Promise<UpsertResult>;
export async function upsertRecords(
  db: Db,
  kind: AnyRecordKind,
  rows: KindRow[],
  actor: Actor,
  options?: UpsertOptions,
): Promise<UpsertResult>;
export async function upsertRecords(
  database: Db,
  kindRef: ImportKind | AnyRecordKind,
  rows: KindRow[],
  actor: Actor,
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  const today = options.today ?? businessDate();
  const kind = kindFor(kindRef);
  try {
    return await database.transaction(async (db) => {
      const result = await upsertInTransaction(db, kind, rows, actor, today);
      if (options.dryRun) throw new DryRun(result);
      return result;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.result;
    throw error;
  }
}

async function upsertInTransaction(db: Db, kind: AnyRecordKind, rows: KindRow[], actor: Actor, today: string): Promise<UpsertResult> {
  const refs = await referencesOf(db, kind, rows);
  const errors = await checkRows(kind, rows, refs, new Set(rows.map((r) => r.code)), today);
  if (errors.length > 0) {
    throw new AppError(
      'import_rejected',
      `${new Set(errors.map((e) => e.index)).size} of ${rows.length} rows are invalid; nothing was written`,
      errors,
    );
  }
  const { result, audit } = await writeCheckedRows(db, kind, rows, refs, actor, today);
  await recordAudit(db, actor, audit);
  return result;
}

/** The registry records a batch of rows refers to (departments, clouds, regions, systems), read once. */
export async function referencesOf(db: Db, kind: AnyRecordKind, rows: KindRow[]): Promise<References> {
  return resolveReferences(db, referencedCodes(kind, rows));
}

/**
 * Every problem of a batch of rows against the registry (`errors[].index` is the row's place in
 * `rows`): a code twice in the batch, the kind's own checks, dates in the future. `fileCodes`
 * are the codes of the whole file (a department file names parents it creates itself).
 */
export async function checkRows(
  kind: AnyRecordKind,
  rows: KindRow[],
  refs: References,
  fileCodes: Set<string>,
  today: string,
): Promise<FieldError[]> {
  const spec = kind;
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  const pause = yieldEvery();
  for (const [index, row] of rows.entries()) {
    await pause();
    const first = seen.get(row.code);
    if (first !== undefined) errors.push({ index, field: 'code', message: `"${row.code}" appears twice in the batch` });
    seen.set(row.code, index);
    for (const e of spec.check(row, refs, fileCodes)) errors.push({ ...e, index });
    const since = spec.declaredState(row).since;
    if (since && since > today) errors.push({ index, field: kind.lifecycle.dateField, message: `${since} is in the future` });
    for (const { dateField } of kind.trackedAttributes ?? []) {
      const date = dateField ? row[dateField] : undefined;
      if (typeof date === 'string' && date > today) errors.push({ index, field: dateField as string, message: `${date} is in the future` });
    }
  }
  return errors;
}

/**
 * Writes rows that passed `checkRows`, inside the caller's transaction: the records, each
 * tracked change as a transition, the timeline; answers the counts and the audit entries of
 * the changed rows, for the caller to append in the same transaction.
 */
export async function writeCheckedRows(
  db: Db,
  kind: AnyRecordKind,
  rows: KindRow[],
  refs: References,
  actor: Actor,
  today: string,
): Promise<{ result: UpsertResult; audit: AuditEntry[] }> {
  const spec = kind;
  const pause = yieldEvery();
  const stored = await loadStoredRows(
    db,
    kind,
    rows.map((r) => r.code),
  );
  const changedRows: Planned[] = [];
  let unchanged = 0;
  for (const [index, input] of rows.entries()) {
    await pause();
    const existing = stored.get(input.code);
    if (existing && sameView(existing.view, input)) {
      unchanged++;
      continue;
    }
    changedRows.push({
      index,
      input,
      stored: existing,
      state: spec.declaredState(input),
      classification: spec.declaredClassification?.(input),
    });
  }
  if (changedRows.length === 0) return { result: { created: 0, updated: 0, unchanged }, audit: [] };

  // Reconcile each declared value with the recorded history before writing, so that the
  // stored "since" date is the one the history ends up with.
  const existingIds = changedRows.flatMap((p) => (p.stored ? [p.stored.id] : []));
  const active = await loadActiveTransitions(db, spec.tracked, existingIds);
  const plans = [];
  for (const p of changedRows) {
    await pause();
    const history = p.stored ? (active.get(p.stored.id) ?? []) : [];
    const onField = (field: 'state' | 'classification') => history.filter((t) => t.field === field);
    const state = reconcileDeclared(onField('state'), kind.lifecycle.initial, p.state.value, p.state.since, today);
    // A file carries no date for classification: only a changed value is recorded, dated
    // today (a new entity's classification holds since always).
    const currentClassification = onField('classification').sort(compareTransitions).at(-1)?.toValue ?? 'pending';
    const classification =
      p.classification === undefined || (p.stored && p.classification === currentClassification)
        ? undefined
        : reconcileDeclared(onField('classification'), 'pending', p.classification, p.stored ? today : null, today);
    const remaining = onField('state').filter((t) => !state.supersede.includes(t.id));
    const since = state.add ? state.add.effectiveAt : (remaining.sort(compareTransitions).at(-1)?.effectiveAt ?? null);
    const attributes = reconcileAttributes(kind, p, history, today);
    const attributeSince = Object.fromEntries(attributes.map((a) => [a.field, a.since]));
    plans.push({ planned: { ...p, state: { value: p.state.value, since }, attributeSince }, state, classification, attributes, history });
  }

  const ids = await spec.write(
    db,
    plans.map((p) => p.planned),
    refs,
    today,
  );
  const add: TransitionChange[] = [];
  const supersede: number[] = [];
  for (const { planned, state, classification, attributes, history } of plans) {
    await pause();
    const entityId = ids.get(planned.input.code);
    if (entityId === undefined) throw new AppError('internal', `${planned.input.code} was not written`);
    const current = (field: string, initial: string) =>
      history
        .filter((t: ActiveTransition) => t.field === field)
        .sort(compareTransitions)
        .at(-1)?.toValue ?? initial;
    if (state.add) {
      add.push({
        entityId,
        field: 'state',
        fromValue: current('state', kind.lifecycle.initial),
        toValue: state.add.value,
        effectiveAt: state.add.effectiveAt,
      });
    }
    supersede.push(...state.supersede);
    if (classification?.add) {
      add.push({
        entityId,
        field: 'classification',
        fromValue: current('classification', 'pending'),
        toValue: classification.add.value,
        effectiveAt: classification.add.effectiveAt,
      });
    }
    supersede.push(...(classification?.supersede ?? []));
    for (const attribute of attributes) {
      if (attribute.add)
        add.push({
          entityId,
          field: attribute.field,
          fromValue: attribute.from,
          toValue: attribute.add.value,
          effectiveAt: attribute.add.effectiveAt,
        });
      supersede.push(...attribute.supersede);
    }
  }
  await applyTransitions(db, spec.tracked, actor, { add, supersede, touched: [...ids.values()] });

  const label = spec.tracked;
  const audit = changedRows.map((p) => ({
    action: p.stored ? `${label}.update` : `${label}.create`,
    entityKind: label,
    entityCode: p.input.code,
    before: p.stored?.view ?? null,
    after: p.input,
  }));
  const created = changedRows.filter((p) => !p.stored).length;
  return { result: { created, updated: changedRows.length - created, unchanged }, audit };
}

/** A tracked attribute's value as the history keeps it: text, none being the empty text. */
const attributeText = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

/**
 * What to record for each tracked attribute of one row: like the state, a value declared with
 * its date reconciles with the history (the same file twice records nothing); an undated one is
 * recorded only when it changed, dated today (a new record's value holds since always).
 */
function reconcileAttributes(kind: AnyRecordKind, p: Planned, history: ActiveTransition[], today: string) {
  return (kind.trackedAttributes ?? []).flatMap(({ field, initial = '', dateField }) => {
    const onField = history.filter((t) => t.field === field).sort(compareTransitions);
    const current = onField.at(-1);
    const value = attributeText(p.input[field]);
    const declared = dateField ? p.input[dateField] : undefined;
    const dated = typeof declared === 'string' && declared !== '' ? declared : null;
    if (dated === null && p.stored && value === (current?.toValue ?? initial)) {
      return [{ field, from: null, add: null, supersede: [] as number[], since: current?.effectiveAt ?? null }];
    }
    const reconciled = reconcileDeclared(onField, initial, value, dated ?? (p.stored ? today : null), today);
    const remaining = onField.filter((t) => !reconciled.supersede.includes(t.id));
    return [
      {
        field,
        from: current?.toValue ?? (initial || null),
        ...reconciled,
        since: reconciled.add ? reconciled.add.effectiveAt : (remaining.at(-1)?.effectiveAt ?? null),
      },
    ];
  });
}
