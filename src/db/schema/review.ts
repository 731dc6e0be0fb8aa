import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { calendarDate, entityColumns, enumChecks, instant, requiredId } from './columns.ts';
import { type CertifiedKind, classifications } from './enums.ts';
import { users } from './identity.ts';
import { systems } from './systems.ts';

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

/** An idle system's decommission request: open until a reviewer confirms (it is retired) or rejects it. */
export const decommissionStatuses = ['open', 'confirmed', 'rejected'] as const;

/**
 * 僵尸系统下线: a department asks to decommission one of its idle systems, with the evidence of
 * idleness as it stood; a reviewer confirms (the system moves to retired) or rejects it.
 */
export const decommissionRequests = pgTable(
  'decommission_requests',
  {
    ...entityColumns,
    systemId: requiredId(() => systems.id),
    reason: text().notNull(),
    /** What showed the system idle when it was asked: days, last sighting, last exchange. */
    evidence: jsonb().$type<{ idle_days: number; last_seen_at: string | null; last_exchange_on: string | null }>().notNull(),
    requestedBy: text().notNull(),
    status: text({ enum: decommissionStatuses }).notNull().default('open'),
    decidedBy: integer().references(() => users.id),
    decidedAt: instant(),
    decisionNote: text(),
    /** The business date the confirmed system was retired as of. */
    retiredOn: calendarDate(),
  },
  (t) => [
    ...enumChecks(t.status),
    index('decommission_requests_system_id_idx').on(t.systemId),
    // One open request per system.
    uniqueIndex('decommission_requests_open_key').on(t.systemId).where(sql`${t.status} = 'open'`),
  ],
);
