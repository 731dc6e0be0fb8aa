import { and, asc, count, eq, inArray, isNull, lte, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import type { Classification } from '../db/schema/enums.ts';
import { certifications, reReviews, users } from '../db/schema/index.ts';
import { type DocumentView, documentsOf } from '../documents/links.ts';
import { attachDocuments } from '../documents/service.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { type AnyRecordKind, type ImportKind, kindFor } from '../registry/kinds/index.ts';
import { typed } from '../registry/kinds/shared.ts';
import { reclassify } from '../registry/reclassify.ts';
import type { Page } from '../registry/records/read.ts';
import { assertNotOwnDepartment, certifiedKindOf, certifiedKinds, lockEntity } from './certified-records.ts';

export { certifiedKinds } from './certified-records.ts';

/** The certifications table's `kind` lists the built-in certified kinds; the descriptors name them. */
const certificationKind = (kind: AnyRecordKind) => kind.tracked as CertificationView['kind'];

export interface CertificationView {
  id: number;
  kind: (typeof certifications.$inferSelect)['kind'];
  code: string;
  classification: Classification;
  previous_classification: Classification;
  evidence: string;
  certified_by: string;
  certified_at: string;
  status: 'active' | 'reverted';
  reverted_reason: string | null;
  /** 认定依据: the documents attached to it. */
  documents: DocumentView[];
}

/** 认定: a reviewer certifies a classification with evidence; an earlier certification gives way. */
export async function certify(
  database: Db,
  kindRef: ImportKind | AnyRecordKind,
  code: string,
  request: { classification: Classification; evidence: string; certified_at?: string; documents?: string[] },
  actor: Actor,
): Promise<CertificationView> {
  const kind = kindFor(kindRef);
  assertCan(actor.access, 'write', 'certifications');
  if (actor.access.root) throw new AppError('forbidden', 'a certification needs a named reviewer, not the local operator');
  const reviewerId = actor.access.userId;
  const today = businessDate();
  const at = request.certified_at ?? today;
  if (at > today)
    throw new AppError('validation_failed', `certified_at ${at} is in the future`, [
      { field: 'certified_at', message: 'is in the future' },
    ]);
  return database.transaction(async (db) => {
    const entity = await lockEntity(db, kind, code);
    await assertNotOwnDepartment(db, actor, entity.departmentId, code);
    await db
      .update(certifications)
      .set({ status: 'reverted', revertedReason: 'superseded by a later certification', updatedAt: new Date() })
      .where(
        and(eq(certifications.kind, certificationKind(kind)), eq(certifications.entityId, entity.id), eq(certifications.status, 'active')),
      );
    if (entity.classification !== request.classification) {
      await reclassify(db, kind, entity.id, request.classification, at, `认定: ${request.evidence}`, actor);
    }
    const [row] = await db
      .insert(certifications)
      .values({
        kind: certificationKind(kind),
        entityId: entity.id,
        classification: request.classification,
        previousClassification: entity.classification,
        evidence: request.evidence,
        certifiedBy: reviewerId,
        certifiedAt: at,
      })
      .returning({ id: certifications.id });
    if (!row) throw new AppError('internal', 'the certification was not written');
    await attachDocuments(db, request.documents, { kind: 'certification', id: row.id, departmentId: entity.departmentId }, actor);
    const view = await getCertification(db, row.id);
    await recordAudit(db, actor, [
      {
        action: `${kind.tracked}.certify`,
        entityKind: kind.tracked,
        entityCode: code,
        before: { classification: entity.classification },
        after: view,
      },
    ]);
    return view;
  });
}

async function getCertification(db: Db, id: number): Promise<CertificationView> {
  const [found] = await listCertificationRows(db, eq(certifications.id, id));
  if (!found) throw notFound('certification', String(id));
  return found;
}

async function listCertificationRows(
  db: Db,
  where: SQL | undefined,
  page?: { limit: number; offset: number },
): Promise<CertificationView[]> {
  const query = db
    .select({ c: certifications, reviewer: users.name })
    .from(certifications)
    .innerJoin(users, eq(users.id, certifications.certifiedBy))
    .where(where)
    .orderBy(asc(certifications.id))
    .$dynamic();
  const rows = await (page ? query.limit(page.limit).offset(page.offset) : query);
  const codes = new Map<string, string>();
  for (const kind of certifiedKinds()) {
    const ids = rows.filter((r) => r.c.kind === kind.tracked).map((r) => r.c.entityId);
    if (ids.length === 0) continue;
    const t = kind.table;
    const entities = await db
      .select({ id: typed<number>(t.id), code: typed<string>(t.code) })
      .from(t)
      .where(inArray(t.id, ids));
    for (const e of entities) codes.set(`${kind.tracked}:${e.id}`, e.code);
  }
  const attached = await documentsOf(
    db,
    'certification',
    rows.map((r) => r.c.id),
  );
  return rows.map(({ c, reviewer }) => ({
    id: c.id,
    kind: c.kind,
    code: codes.get(`${c.kind}:${c.entityId}`) ?? '',
    classification: c.classification,
    previous_classification: c.previousClassification,
    evidence: c.evidence,
    certified_by: reviewer,
    certified_at: c.certifiedAt,
    status: c.status,
    reverted_reason: c.revertedReason,
    documents: attached.get(c.id) ?? [],
  }));
}

/** Certifications, oldest first, a page at a time. */
export async function listCertifications(
  db: Db,
  filter: { status?: 'active' | 'reverted'; limit: number; offset: number },
  actor: Actor,
): Promise<Page<CertificationView>> {
  assertCan(actor.access, 'read', 'certifications');
  const where = filter.status ? eq(certifications.status, filter.status) : undefined;
  const [counted] = await db.select({ n: count() }).from(certifications).where(where);
  const items = await listCertificationRows(db, where, { limit: filter.limit, offset: filter.offset });
  return { items, total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

export interface ReReviewView {
  id: number;
  certification_id: number;
  due_at: string;
  result: 'passed' | 'failed' | null;
  reason: string | null;
  reviewed_at: string | null;
  /** The documents the result was recorded with. */
  documents: DocumentView[];
}

export const reReviewView = (r: typeof reReviews.$inferSelect, documents: DocumentView[] = []): ReReviewView => ({
  id: r.id,
  certification_id: r.certificationId,
  due_at: r.dueAt,
  result: r.result,
  reason: r.reason,
  reviewed_at: r.reviewedAt?.toISOString() ?? null,
  documents,
});

/** 回头看: schedules a re-review of an active certification, due by a date. */
export async function scheduleReReview(database: Db, certificationId: number, dueAt: string, actor: Actor): Promise<ReReviewView> {
  assertCan(actor.access, 'write', 'certifications');
  return database.transaction(async (db) => {
    const certification = await getCertification(db, certificationId);
    if (certification.status !== 'active')
      throw new AppError('conflict', `certification ${certificationId} is ${certification.status}; only an active one is re-reviewed`);
    const [row] = await db.insert(reReviews).values({ certificationId, dueAt }).returning();
    if (!row) throw new AppError('internal', 'the re-review was not written');
    await recordAudit(db, actor, [
      { action: 're_review.schedule', entityKind: certification.kind, entityCode: certification.code, after: reReviewView(row) },
    ]);
    return reReviewView(row);
  });
}

/** A failed re-review reverts the certification: the classification returns to what it was before. */
export async function recordReReviewResult(
  database: Db,
  reReviewId: number,
  outcome: { result: 'passed' | 'failed'; reason?: string; documents?: string[] },
  actor: Actor,
): Promise<ReReviewView> {
  assertCan(actor.access, 'write', 'certifications');
  if (actor.access.root) throw new AppError('forbidden', 'a re-review needs a named reviewer, not the local operator');
  if (outcome.result === 'failed' && !outcome.reason?.trim()) {
    throw new AppError('validation_failed', 'a failed re-review needs a reason', [
      { field: 'reason', message: 'is required when the result is failed' },
    ]);
  }
  const reviewerId = actor.access.userId;
  return database.transaction(async (db) => {
    const [review] = await db.select().from(reReviews).where(eq(reReviews.id, reReviewId)).for('update');
    if (!review) throw notFound('re-review', String(reReviewId));
    if (review.result) throw new AppError('conflict', `re-review ${reReviewId} was already recorded as ${review.result}`);
    const certification = await getCertification(db, review.certificationId);
    const certifiedKind = certifiedKindOf(certification.kind);
    const entity = await lockEntity(db, certifiedKind, certification.code);
    await assertNotOwnDepartment(db, actor, entity.departmentId, certification.code);
    const [updated] = await db
      .update(reReviews)
      .set({
        result: outcome.result,
        reason: outcome.reason ?? null,
        reviewedBy: reviewerId,
        reviewedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(eq(reReviews.id, reReviewId))
      .returning();
    if (!updated) throw notFound('re-review', String(reReviewId));
    if (outcome.result === 'failed' && certification.status === 'active') {
      await db
        .update(certifications)
        .set({ status: 'reverted', revertedReason: outcome.reason ?? null, updatedAt: new Date() })
        .where(eq(certifications.id, certification.id));
      if (entity.classification !== certification.previous_classification) {
        await reclassify(
          db,
          certifiedKind,
          entity.id,
          certification.previous_classification,
          businessDate(),
          `回头看未通过: ${outcome.reason}`,
          actor,
        );
      }
    }
    await attachDocuments(db, outcome.documents, { kind: 're_review', id: updated.id, departmentId: entity.departmentId }, actor);
    const documents = (await documentsOf(db, 're_review', [updated.id])).get(updated.id) ?? [];
    await recordAudit(db, actor, [
      {
        action: `re_review.${outcome.result}`,
        entityKind: certification.kind,
        entityCode: certification.code,
        before: reReviewView(review),
        after: reReviewView(updated, documents),
      },
    ]);
    return reReviewView(updated, documents);
  });
}

/** The certifications with these ids (those a page of re-reviews is about). */
export async function certificationsByIds(db: Db, ids: number[], actor: Actor): Promise<CertificationView[]> {
  assertCan(actor.access, 'read', 'certifications');
  if (ids.length === 0) return [];
  return listCertificationRows(db, inArray(certifications.id, [...new Set(ids)]));
}

/** The re-review queue, soonest due first, a page at a time. */
export async function listReReviews(
  db: Db,
  filter: { open?: boolean; due_before?: string; limit: number; offset: number },
  actor: Actor,
): Promise<Page<ReReviewView>> {
  assertCan(actor.access, 'read', 'certifications');
  const where = and(
    filter.open ? isNull(reReviews.result) : undefined,
    filter.due_before ? lte(reReviews.dueAt, filter.due_before) : undefined,
  );
  const [counted] = await db.select({ n: count() }).from(reReviews).where(where);
  const rows = await db
    .select()
    .from(reReviews)
    .where(where)
    .orderBy(asc(reReviews.dueAt), asc(reReviews.id))
    .limit(filter.limit)
    .offset(filter.offset);
  const attached = await documentsOf(
    db,
    're_review',
    rows.map((r) => r.id),
  );
  return {
    items: rows.map((r) => reReviewView(r, attached.get(r.id))),
    total: counted?.n ?? 0,
    limit: filter.limit,
    offset: filter.offset,
  };
}
