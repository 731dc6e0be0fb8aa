import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { Actor } from '../../identity/actor.ts';
import { AppError, type FieldError, notFound } from '../../kernel/errors.ts';
import { assertVisible, assertWritable, authorizeRows, refuseRows } from '../authorize.ts';
import { type AnyRecordKind, type ImportKind, type InputByKind, type KindRow, kindFor, type RecordItem } from '../kinds/index.ts';
import { typed } from '../kinds/shared.ts';
import { upsertRecords } from '../upsert.ts';
import { loadStoredRows } from '../views.ts';
import { getRecord, nounOf } from './read.ts';

async function upsertOne(db: Db, kind: AnyRecordKind, row: KindRow, actor: Actor): Promise<void> {
  try {
    await upsertRecords(db, kind, [row], actor);
  } catch (error) {
    // A single API row has no batch position: keep the field names, drop `index`.
    if (error instanceof AppError && error.code === 'import_rejected') {
      const errors = error.errors.map(({ field, message }) => ({ field, message }));
      const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ') || error.message;
      throw new AppError('validation_failed', `invalid ${nounOf(kind)}: ${detail}`, errors);
    }
    throw error;
  }
}

/** Creates a record through the one write path; 409 when its code is taken. */
export async function createRecord<K extends ImportKind>(db: Db, kind: K, input: InputByKind[K], actor: Actor): Promise<RecordItem<K>>;
export async function createRecord(db: Db, kind: AnyRecordKind, input: KindRow, actor: Actor): Promise<KindRow>;
export async function createRecord(database: Db, kindRef: ImportKind | AnyRecordKind, input: KindRow, actor: Actor): Promise<KindRow> {
  const kind = kindFor(kindRef);
  return database.transaction(async (db) => {
    // Serialises concurrent creates of one code, so the later one sees the earlier and gets 409.
    await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`${kind.segment}:${input.code}`}))`);
    const t = kind.table;
    const [existing] = await db
      .select({ id: typed<number>(t.id) })
      .from(t)
      .where(eq(t.code, input.code));
    if (existing) throw await takenCode(db, kind, input.code, actor);
    refuseRows(await authorizeRows(db, kind, [input], actor), true);
    await upsertOne(db, kind, input, actor);
    return getRecord(db, kind, input.code);
  });
}

/**
 * The 409 for a code in use. Codes are unique across departments, so a department user must
 * choose another either way; only a record the caller may see is named and said to exist.
 */
async function takenCode(db: Db, kind: AnyRecordKind, code: string, actor: Actor): Promise<AppError> {
  const visible = await assertVisible(db, kind, code, actor, 'read').then(
    () => true,
    () => false,
  );
  if (visible) return new AppError('conflict', `${nounOf(kind)} ${code} already exists`);
  return new AppError('conflict', `this ${nounOf(kind)} code cannot be used; choose another code`, [
    { field: 'code', message: 'is not available' },
  ]);
}

const sameValue = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

/**
 * Merges a partial body onto the stored view and writes it through the one write path.
 * Tracked state moves only by transitions (they carry a date and a note), and `code` is
 * the record's identity, so changing either is refused.
 */
export async function patchRecord<K extends ImportKind>(
  db: Db,
  kind: K,
  code: string,
  patch: Partial<InputByKind[K]>,
  actor: Actor,
): Promise<RecordItem<K>>;
export async function patchRecord(db: Db, kind: AnyRecordKind, code: string, patch: object, actor: Actor): Promise<KindRow>;
export async function patchRecord(
  database: Db,
  kindRef: ImportKind | AnyRecordKind,
  code: string,
  patch: object,
  actor: Actor,
): Promise<KindRow> {
  const kind = kindFor(kindRef);
  await assertWritable(database, kind, code, actor, `${nounOf(kind).replace(' ', '_')}.update`);
  return database.transaction(async (db) => {
    await assertVisible(db, kind, code, actor, 'write');
    const t = kind.table;
    const [locked] = await db
      .select({ id: typed<number>(t.id) })
      .from(t)
      .where(eq(t.code, code))
      .for('update');
    if (!locked) throw notFound(nounOf(kind), code);
    const stored = (await loadStoredRows(db, kind, [code])).get(code);
    if (!stored) throw notFound(nounOf(kind), code);

    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const view: Record<string, unknown> = { ...stored.view };
    const errors: FieldError[] = [];
    if ('code' in given && given.code !== code) errors.push({ field: 'code', message: 'cannot be changed' });
    for (const field of kind.lifecycle.fields) {
      if (field in given && !sameValue(given[field], view[field])) {
        errors.push({ field, message: `is a tracked state; change it with POST /api/v1/${kind.segment}/${code}/transitions` });
      }
    }
    if (errors.length > 0) {
      throw new AppError(
        'validation_failed',
        `cannot change ${errors.map((e) => e.field).join(', ')} of ${nounOf(kind)} ${code} by PATCH`,
        errors,
      );
    }
    const merged: KindRow = { ...stored.view, ...given, code };
    refuseRows(await authorizeRows(db, kind, [merged], actor), true);
    await upsertOne(db, kind, merged, actor);
    return getRecord(db, kind, code);
  });
}
