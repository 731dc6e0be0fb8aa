import { and, asc, count, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { startsWithLiteral } from '../../db/prefix.ts';
import { departments } from '../../db/schema/index.ts';
import type { Actor } from '../../identity/actor.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { assertVisible, departmentsUnder, limitFor } from '../authorize.ts';
import { type AnyRecordKind, type ImportKind, type KindFilter, type KindRow, kindFor, type RecordItem } from '../kinds/index.ts';
import { typed } from '../kinds/shared.ts';
import { loadStoredRows } from '../views.ts';

/** What a list endpoint answers: one page and the size of the whole filtered list. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The kind's noun in messages: "service item". */
export const nounOf = (kind: AnyRecordKind) => kind.label.en;

function stampsOf(db: Db, kind: AnyRecordKind, where: SQL | undefined, page?: KindFilter) {
  const t = kind.table;
  const query = db
    .select({
      id: typed<number>(t.id),
      code: typed<string>(t.code),
      createdAt: typed<Date>(t.createdAt),
      updatedAt: typed<Date>(t.updatedAt),
      ...kind.extras?.columns,
    })
    .from(t)
    .where(where)
    .orderBy(asc(t.code))
    .$dynamic();
  return page ? query.limit(page.limit).offset(page.offset) : query;
}
type StampRow = Awaited<ReturnType<typeof stampsOf>>[number];

async function itemsOf(db: Db, kind: AnyRecordKind, stamps: StampRow[]): Promise<KindRow[]> {
  const stored = await loadStoredRows(
    db,
    kind,
    stamps.map((s) => s.code),
  );
  return stamps.map((s) => {
    const row = stored.get(s.code);
    if (!row) throw new AppError('internal', `${nounOf(kind)} ${s.code} vanished while being read`);
    return {
      ...row.view,
      id: s.id,
      created_at: s.createdAt.toISOString(),
      updated_at: s.updatedAt.toISOString(),
      ...kind.extras?.item(s),
    };
  });
}

/** One record by code; 404 naming the code when there is none. */
export async function getRecord<K extends ImportKind>(db: Db, kind: K, code: string): Promise<RecordItem<K>>;
export async function getRecord(db: Db, kind: AnyRecordKind, code: string): Promise<KindRow>;
export async function getRecord(db: Db, kindRef: ImportKind | AnyRecordKind, code: string): Promise<KindRow> {
  const kind = kindFor(kindRef);
  const [item] = await itemsOf(db, kind, await stampsOf(db, kind, eq(kind.table.code, code)));
  if (!item) throw notFound(nounOf(kind), code);
  return item;
}

/** One record as a caller may see it: outside their department subtree it does not exist. */
export async function readRecord<K extends ImportKind>(db: Db, kind: K, code: string, actor: Actor): Promise<RecordItem<K>>;
export async function readRecord(db: Db, kind: AnyRecordKind, code: string, actor: Actor): Promise<KindRow>;
export async function readRecord(db: Db, kindRef: ImportKind | AnyRecordKind, code: string, actor: Actor): Promise<KindRow> {
  const kind = kindFor(kindRef);
  await assertVisible(db, kind, code, actor, 'read');
  return getRecord(db, kind, code);
}

/** The id of a record by code; 404 when there is none. */
export async function recordId(db: Db, kind: AnyRecordKind, code: string): Promise<number> {
  const t = kind.table;
  const [row] = await db
    .select({ id: typed<number>(t.id) })
    .from(t)
    .where(eq(t.code, code));
  if (!row) throw notFound(nounOf(kind), code);
  return row.id;
}

/** Rows of a kind inside a department subtree (department-owned kinds, or departments themselves). */
function confinedTo(db: Db, kind: AnyRecordKind, path: string): SQL {
  if (kind.table === departments) return startsWithLiteral(departments.path, path);
  // Network nodes are not department-owned; the permission table never confines them.
  if (!kind.ownerColumn) throw new AppError('forbidden', `${kind.segment} cannot be confined to a department`);
  return inArray(kind.ownerColumn, departmentsUnder(db, path));
}

/** A filtered page of records, ordered by code. */
export async function listRecords<K extends ImportKind>(db: Db, kind: K, filter: KindFilter, actor: Actor): Promise<Page<RecordItem<K>>>;
export async function listRecords(db: Db, kind: AnyRecordKind, filter: KindFilter, actor: Actor): Promise<Page<KindRow>>;
export async function listRecords(db: Db, kindRef: ImportKind | AnyRecordKind, filter: KindFilter, actor: Actor): Promise<Page<KindRow>> {
  const kind = kindFor(kindRef);
  const limit = limitFor(actor, 'read', kind);
  const where = and(...(await kind.filters(db, filter)), limit === null ? undefined : confinedTo(db, kind, limit));
  const [counted] = await db.select({ n: count() }).from(kind.table).where(where);
  const stamps = await stampsOf(db, kind, where, filter);
  return { items: await itemsOf(db, kind, stamps), total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
}
