import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { entityColumns } from './columns.ts';
import { type Classification, classifications, sqlList } from './enums.ts';
import { users } from './identity.ts';

/** 认定: a reviewer's certification of a system's or private network's classification. */
export const certifications = pgTable(
  'certifications',
  {
    ...entityColumns,
    kind: text().$type<'system' | 'private_network'>().notNull(),
    entityId: integer().notNull(),
    classification: text().$type<Classification>().notNull(),
    previousClassification: text().$type<Classification>().notNull(),
    evidence: text().notNull(),
    certifiedBy: integer()
      .notNull()
      .references(() => users.id),
    certifiedAt: date({ mode: 'string' }).notNull(),
    status: text().$type<'active' | 'reverted'>().notNull().default('active'),
    revertedReason: text(),
  },
  (t) => [
    check('certifications_classification_check', sql`${t.classification} in (${sql.raw(sqlList(classifications))})`),
    check('certifications_status_check', sql`${t.status} in ('active', 'reverted')`),
    index('certifications_entity_idx').on(t.kind, t.entityId),
  ],
);

/** 回头看: a re-review of a certification, due by a date; a failure reverts the certification. */
export const reReviews = pgTable(
  're_reviews',
  {
    ...entityColumns,
    certificationId: integer()
      .notNull()
      .references(() => certifications.id),
    dueAt: date({ mode: 'string' }).notNull(),
    result: text().$type<'passed' | 'failed'>(),
    reason: text(),
    reviewedBy: integer().references(() => users.id),
    reviewedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('re_reviews_result_check', sql`${t.result} is null or ${t.result} in ('passed', 'failed')`),
    index('re_reviews_certification_id_idx').on(t.certificationId),
  ],
);
