import { sql } from 'drizzle-orm';
import { check, customType, index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { enumChecks, instant, requiredId } from './columns.ts';
import { departments } from './departments.ts';
import { users } from './identity.ts';

/** Raw bytes: a document's content when it is kept in the database. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/** Where a document's bytes are: in its row, or an object in the configured S3-compatible bucket. */
export const documentStorages = ['database', 's3'] as const;

/** What a document may be attached to. */
export const documentSubjects = ['certification', 're_review', 'work_order'] as const;
export type DocumentSubject = (typeof documentSubjects)[number];

/**
 * 认定依据 and other evidence: an uploaded file, its type as its bytes show it, its SHA-256,
 * and who uploaded it. The id is random, so one document's address tells nothing of another's.
 */
export const documents = pgTable(
  'documents',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    mediaType: text().notNull(),
    bytes: integer().notNull(),
    sha256: text().notNull(),
    storage: text({ enum: documentStorages }).notNull(),
    /** The bytes, when `storage` is database. */
    content: bytea(),
    /** The object's key in the bucket, when `storage` is s3. */
    objectKey: text(),
    uploadedBy: requiredId(() => users.id),
    /** The uploader's department, when a department user uploaded it. */
    departmentId: integer().references(() => departments.id),
    uploadedAt: instant().notNull().defaultNow(),
  },
  (t) => [
    ...enumChecks(t.storage),
    check('documents_bytes_check', sql`${t.bytes} >= 0`),
    check(
      'documents_storage_content_check',
      sql`(${t.storage} = 'database' and ${t.content} is not null) or (${t.storage} = 's3' and ${t.objectKey} is not null)`,
    ),
    index('documents_uploaded_by_idx').on(t.uploadedBy),
  ],
);

/**
 * A document attached to a certification, a re-review's result or a work order, with the
 * department that owned the record then: that department may read the document.
 */
export const documentLinks = pgTable(
  'document_links',
  {
    documentId: uuid()
      .notNull()
      .references(() => documents.id),
    subject: text({ enum: documentSubjects }).notNull(),
    subjectId: integer().notNull(),
    departmentId: integer().references(() => departments.id),
    linkedAt: instant().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.documentId, t.subject, t.subjectId] }),
    ...enumChecks(t.subject),
    index('document_links_subject_idx').on(t.subject, t.subjectId),
  ],
);
