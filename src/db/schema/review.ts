import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { calendarDate, entityColumns, enumChecks, instant, requiredId } from './columns.ts';
import { type CertifiedKind, classifications } from './enums.ts';
import { users } from './identity.ts';

/** A certification stands until a failed re-review reverts it. */
const certificationStatuses = ['active', 'reverted'] as const;

/** 认定: a reviewer's certification of a record's classification; `kind` says which kind of record. */
export const certifications = pgTable(
  'certifications',
  {
    ...entityColumns,
    kind: text().$type<CertifiedKind>().notNull(),
    entityId: integer().notNull(),
    classification: text({ enum: classifications }).notNull(),
    previousClassification: text({ enum: classifications }).notNull(),
    evidence: text().notNull(),
    certifiedBy: requiredId(() => users.id),
    certifiedAt: calendarDate().notNull(),
    status: text({ enum: certificationStatuses }).notNull().default('active'),
    revertedReason: text(),
  },
  (t) => [...enumChecks(t.classification, t.status), index('certifications_entity_idx').on(t.kind, t.entityId)],
);

/** 回头看: a re-review of a certification, due by a date; a failure reverts the certification. */
export const reReviews = pgTable(
  're_reviews',
  {
    ...entityColumns,
    certificationId: requiredId(() => certifications.id),
    dueAt: calendarDate().notNull(),
    result: text().$type<'passed' | 'failed'>(),
    reason: text(),
    reviewedBy: integer().references(() => users.id),
    reviewedAt: instant(),
  },
  (t) => [
    check('re_reviews_result_check', sql`${t.result} is null or ${t.result} in ('passed', 'failed')`),
    index('re_reviews_certification_id_idx').on(t.certificationId),
  ],
);
