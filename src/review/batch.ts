import type { Db } from '../db/client.ts';
import type { Classification } from '../db/schema/enums.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError } from '../kernel/errors.ts';
import { kindOf } from '../registry/kinds/index.ts';
import { listReviewQueue, type ReviewQueueFilter } from './queue.ts';
import { type CertificationView, certify } from './service.ts';

/** The most records one batch certifies. */
export const maxBatch = 1000;

export interface BatchCertification {
  /** The records, by kind (URL segment) and code; or `filter`, the review queue's. */
  items?: { kind: string; code: string }[];
  filter?: Omit<ReviewQueueFilter, 'limit' | 'offset'>;
  classification: Classification;
  evidence: string;
  certified_at?: string;
  /** One set of documents, attached to every certification of the batch. */
  documents?: string[];
}

/** The records a batch names, or those of the review queue its filter selects (at most maxBatch). */
async function selected(db: Db, request: BatchCertification, actor: Actor): Promise<{ kind: string; code: string }[]> {
  if (request.items && request.filter) {
    throw new AppError('validation_failed', 'give either items or filter, not both', [{ field: 'filter', message: 'is given with items' }]);
  }
  if (request.items) return request.items;
  if (!request.filter)
    throw new AppError('validation_failed', 'give items or a filter', [{ field: 'items', message: 'is required without filter' }]);
  const page = await listReviewQueue(db, { ...request.filter, limit: maxBatch, offset: 0 }, actor);
  if (page.total > maxBatch) {
    throw new AppError('validation_failed', `the filter selects ${page.total} records; a batch certifies at most ${maxBatch}`, [
      { field: 'filter', message: `selects ${page.total} records (at most ${maxBatch})` },
    ]);
  }
  return page.items.map(({ kind, code }) => ({ kind, code }));
}

/**
 * 批量认定: one classification, one basis, many records — all or nothing, each certified as
 * one certification would be (its own audit entry, its own history), so the figures follow at
 * once. A record that cannot be certified rejects the batch, named by its place in it.
 */
export async function certifyBatch(
  database: Db,
  request: BatchCertification,
  actor: Actor,
): Promise<{ certified: number; items: CertificationView[] }> {
  assertCan(actor.access, 'write', 'certifications');
  const records = await selected(database, request, actor);
  if (records.length === 0) return { certified: 0, items: [] };
  const seen = new Set<string>();
  records.forEach(({ kind, code }, index) => {
    const key = `${kind}/${code}`;
    if (seen.has(key))
      throw new AppError('validation_failed', `${key} is given twice`, [{ index, field: 'code', message: 'is given twice' }]);
    seen.add(key);
  });
  return database.transaction(async (db) => {
    const items: CertificationView[] = [];
    for (const [index, { kind, code }] of records.entries()) {
      try {
        items.push(await certify(db, kindOf(kind), code, request, actor));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        throw new AppError(error.code, `item ${index} (${kind} ${code}): ${error.message}; nothing was certified`, [
          { index, field: 'code', message: error.message },
        ]);
      }
    }
    return { certified: items.length, items };
  });
}
