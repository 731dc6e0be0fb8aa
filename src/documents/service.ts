import { createHash } from 'node:crypto';
import { eq, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import { queryRows } from '../db/raw.ts';
import { type DocumentSubject, documentLinks, documents } from '../db/schema/index.ts';
import { type Access, assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError } from '../kernel/errors.ts';
import { visibility as workOrderVisibility } from '../work-orders/queries.ts';
import { type DocumentView, viewColumns } from './links.ts';
import { sniffMediaType } from './sniff.ts';
import type { DocumentStore } from './store.ts';

/** Uploads one user may hold unattached at once: evidence is uploaded to be attached, not stored. */
export const maxUnattachedPerUser = 100;

/** A file name as given, without any path, control characters or more than 200 characters. */
export function cleanName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (base || 'document').slice(0, 200);
}

/**
 * Stores an uploaded file as evidence: its type is what its bytes are (refused unless allowed),
 * its size within the limit, its SHA-256 kept to prove later that what is read is what was
 * given. The upload is audited with the document; a file that fails leaves nothing behind.
 */
export async function uploadDocument(
  database: Db,
  store: DocumentStore,
  file: { name: string; bytes: Uint8Array },
  limitBytes: number,
  actor: Actor,
): Promise<DocumentView> {
  assertCan(actor.access, 'write', 'documents');
  const { access } = actor;
  if (access.root) throw new AppError('forbidden', 'a document needs a named uploader, not the local operator');
  const name = cleanName(file.name);
  if (file.bytes.byteLength > limitBytes) {
    throw new AppError('payload_too_large', `${name} is ${file.bytes.byteLength} bytes; a document may be at most ${limitBytes} bytes`, [
      { field: 'file', message: `is larger than ${limitBytes} bytes` },
    ]);
  }
  if (file.bytes.byteLength === 0) {
    throw new AppError('validation_failed', `${name} is empty`, [{ field: 'file', message: 'is empty' }]);
  }
  const [held] = await queryRows<{ n: number }>(
    database,
    sql`select count(*)::int as n from documents d where d.uploaded_by = ${access.userId}
          and not exists (select 1 from document_links l where l.document_id = d.id)`,
  );
  if ((held?.n ?? 0) >= maxUnattachedPerUser) {
    throw new AppError(
      'too_many_requests',
      `you hold ${held?.n} uploaded documents attached to nothing; attach them, or wait until the unattached ones are deleted`,
      [],
      { retryAfterSeconds: 3600 },
    );
  }
  const mediaType = await sniffMediaType(file.bytes, name);
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  const id = crypto.randomUUID();
  const objectKey = `documents/${id}`;
  await store.put(objectKey, file.bytes, mediaType);
  try {
    return await database.transaction(async (db) => {
      const [row] = await db
        .insert(documents)
        .values({
          id,
          name,
          mediaType,
          bytes: file.bytes.byteLength,
          sha256,
          storage: store.kind,
          content: store.kind === 'database' ? file.bytes : null,
          objectKey: store.kind === 's3' ? objectKey : null,
          uploadedBy: access.userId,
          departmentId: access.department?.id ?? null,
        })
        .returning(viewColumns);
      if (!row) throw new AppError('internal', 'the document was not written');
      await recordAudit(db, actor, [{ action: 'document.upload', entityKind: 'document', entityCode: id, after: row }]);
      return row;
    });
  } catch (error) {
    await store.remove(objectKey).catch(() => {});
    throw error;
  }
}

/**
 * Who may read a document: reviewers and auditors any; its uploader; a department user one
 * attached to a record its department owned; whoever may see a work order it is attached to.
 */
function readableBy(access: Access): SQL {
  if (access.root || access.roles.has('reviewer') || access.roles.has('auditor')) return sql`true`;
  const clauses: SQL[] = [sql`d.uploaded_by = ${access.userId}`];
  if (access.roles.has('department') && access.department) {
    clauses.push(sql`exists (select 1 from document_links l join departments dep on dep.id = l.department_id
      where l.document_id = d.id and l.subject <> 'work_order' and ${startsWithLiteral(sql`dep.path`, access.department.path)})`);
  }
  if (access.roles.has('ops') || access.roles.has('department')) {
    clauses.push(sql`exists (select 1 from document_links l join work_orders w on w.id = l.subject_id
      where l.document_id = d.id and l.subject = 'work_order' and ${workOrderVisibility(access)})`);
  }
  return sql`(${sql.join(clauses, sql` or `)})`;
}

/** The document's bytes and what they are, if the caller may read it; otherwise, as if absent, 404. */
export async function downloadDocument(
  database: Db,
  store: DocumentStore,
  id: string,
  actor: Actor,
): Promise<DocumentView & { content: Uint8Array }> {
  assertCan(actor.access, 'read', 'documents');
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id : null;
  const [found] = uuid
    ? await queryRows<{
        id: string;
        name: string;
        media_type: string;
        bytes: number;
        sha256: string;
        storage: string;
        object_key: string | null;
        readable: boolean;
      }>(
        database,
        sql`select d.id, d.name, d.media_type, d.bytes, d.sha256, d.storage, d.object_key, ${readableBy(actor.access)} as readable
            from documents d where d.id = ${uuid}`,
      )
    : [];
  if (!found?.readable) {
    // A refusal looks like absence, so an address tells nothing; the attempt is on the trail.
    await recordAudit(database, actor, [{ action: 'document.download', entityKind: 'document', entityCode: id, result: 'denied' }]);
    throw new AppError('not_found', `document ${id} not found`);
  }
  const content = found.storage === 'database' ? await contentOf(database, found.id) : await store.get(found.object_key as string);
  const sha256 = createHash('sha256').update(content).digest('hex');
  if (sha256 !== found.sha256) {
    throw new AppError('internal', `document ${id}: the stored bytes no longer match the SHA-256 recorded at upload`);
  }
  const view: DocumentView = { id: found.id, name: found.name, media_type: found.media_type, bytes: found.bytes, sha256 };
  await recordAudit(database, actor, [{ action: 'document.download', entityKind: 'document', entityCode: id, after: view }]);
  return { ...view, content };
}

async function contentOf(db: Db, id: string): Promise<Uint8Array> {
  const [row] = await db.select({ content: documents.content }).from(documents).where(eq(documents.id, id));
  if (!row?.content) throw new AppError('internal', `document ${id} has no content`);
  return new Uint8Array(row.content);
}

/**
 * Attaches documents to a subject in the caller's transaction, with the department that owns
 * the subject's record. Each must exist and be one the caller may read: an id alone grants
 * nothing, so nobody can attach another department's evidence to reach it.
 */
export async function attachDocuments(
  db: Db,
  ids: readonly string[] | undefined,
  subject: { kind: DocumentSubject; id: number; departmentId: number | null },
  actor: Actor,
): Promise<void> {
  if (!ids || ids.length === 0) return;
  const unique = [...new Set(ids)];
  const readable = await queryRows<{ id: string }>(
    db,
    sql`select d.id from documents d where d.id in (${sql.join(
      unique.map((id) => sql`${id}::uuid`),
      sql`, `,
    )}) and ${readableBy(actor.access)}`,
  );
  const known = new Set(readable.map((r) => r.id));
  const missing = unique.findIndex((id) => !known.has(id));
  if (missing >= 0) {
    throw new AppError('validation_failed', `document ${unique[missing]} not found`, [
      { field: 'documents', index: missing, message: 'no such document (upload it first with POST /api/v1/documents)' },
    ]);
  }
  await db
    .insert(documentLinks)
    .values(unique.map((documentId) => ({ documentId, subject: subject.kind, subjectId: subject.id, departmentId: subject.departmentId })))
    .onConflictDoNothing();
}
