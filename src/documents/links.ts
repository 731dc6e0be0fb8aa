import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type DocumentSubject, documentLinks, documents } from '../db/schema/index.ts';

/** The most documents one certification, re-review, order or comment carries. */
export const maxDocumentsPerSubject = 20;

/** A document as the API shows it: never its bytes. */
export interface DocumentView {
  id: string;
  name: string;
  media_type: string;
  bytes: number;
  sha256: string;
}

export const viewColumns = {
  id: documents.id,
  name: documents.name,
  media_type: documents.mediaType,
  bytes: documents.bytes,
  sha256: documents.sha256,
};

/** The documents attached to each of some subjects, by subject id. */
export async function documentsOf(db: Db, kind: DocumentSubject, ids: readonly number[]): Promise<Map<number, DocumentView[]>> {
  const found = new Map<number, DocumentView[]>();
  if (ids.length === 0) return found;
  const rows = await db
    .select({ subjectId: documentLinks.subjectId, ...viewColumns })
    .from(documentLinks)
    .innerJoin(documents, eq(documents.id, documentLinks.documentId))
    .where(and(eq(documentLinks.subject, kind), inArray(documentLinks.subjectId, [...new Set(ids)])))
    .orderBy(documentLinks.linkedAt, documents.name);
  for (const { subjectId, ...view } of rows) found.set(subjectId, [...(found.get(subjectId) ?? []), view]);
  return found;
}
