import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { classifications } from '../db/schema/enums.ts';
import { DocumentSchema, documentIds } from '../documents/schemas.ts';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { booleanQuery, PageQuery, pageOf, RowIdParam } from '../http/schemas.ts';
import { department, q, region } from '../registry/fields.ts';
import type { AnyRecordKind } from '../registry/kinds/index.ts';
import { isoDate } from '../registry/schemas.ts';
import { certifyBatch, maxBatch } from './batch.ts';
import { scheduleCampaign } from './campaign.ts';
import { registerDecommissionRoutes } from './decommission-routes.ts';
import { listReviewQueue } from './queue.ts';
import { certifiedKinds, certify, listCertifications, listReReviews, recordReReviewResult, scheduleReReview } from './service.ts';

/** The certified kinds by the names certifications keep them under, as the descriptors give them. */
const certifiedKindNames = certifiedKinds().map((kind) => kind.tracked) as [string, ...string[]];

const Certification = z
  .object({
    id: z.number().int(),
    kind: z.enum(certifiedKindNames),
    code: z.string(),
    classification: z.enum(classifications),
    previous_classification: z.enum(classifications),
    evidence: z.string(),
    certified_by: z.string(),
    certified_at: z.string(),
    status: z.enum(['active', 'reverted']),
    reverted_reason: z.string().nullable(),
    documents: z.array(DocumentSchema).openapi({ description: '认定依据: the documents attached' }),
  })
  .openapi('Certification');

const ReReview = z
  .object({
    id: z.number().int(),
    certification_id: z.number().int(),
    due_at: z.string(),
    result: z.enum(['passed', 'failed']).nullable(),
    reason: z.string().nullable(),
    reviewed_at: z.string().nullable(),
    documents: z.array(DocumentSchema).openapi({ description: 'The documents the result was recorded with' }),
  })
  .openapi('ReReview');

const CertifyBody = z.object({
  classification: z.enum(classifications),
  evidence: z.string().trim().min(1, 'is required: cite the document or decision').max(2000),
  certified_at: isoDate.optional(),
  documents: documentIds,
});

const route = routesTagged('review');

const certifyRoute = (kind: AnyRecordKind) =>
  route.post(`/api/v1/${kind.segment}/{code}/certifications`, `certify${kind.names.one}`, {
    summary: '认定: certify the classification, with evidence (reviewer)',
    params: z.object({ code: z.string() }),
    body: CertifyBody,
    responses: { 201: json('The certification', Certification) },
  });

const listCertificationsRoute = route.get('/api/v1/certifications', 'listCertifications', {
  summary: 'Certifications, oldest first, paged',
  query: PageQuery.extend({ status: z.enum(['active', 'reverted']).optional() }),
  responses: { 200: json('A page of certifications', pageOf(Certification)) },
});

const scheduleRoute = route.post('/api/v1/certifications/{id}/re-reviews', 'scheduleReReview', {
  summary: '回头看: schedule a re-review, due by a date',
  params: RowIdParam,
  body: z.object({ due_at: isoDate }),
  responses: { 201: json('The re-review', ReReview) },
});

const resultRoute = route.post('/api/v1/re-reviews/{id}/result', 'recordReReviewResult', {
  summary: 'Record a re-review; a failure reverts the certification',
  params: RowIdParam,
  body: z.object({ result: z.enum(['passed', 'failed']), reason: z.string().trim().max(2000).optional(), documents: documentIds }),
  responses: { 200: json('The re-review', ReReview) },
});

const listReReviewsRoute = route.get('/api/v1/re-reviews', 'listReReviews', {
  summary: 'The re-review queue, soonest due first, paged',
  query: PageQuery.extend({ open: booleanQuery.optional(), due_before: isoDate.optional() }),
  responses: { 200: json('A page of re-reviews', pageOf(ReReview)) },
});

const certifiedSegments = certifiedKinds().map((k) => k.segment) as [string, ...string[]];

/** The review queue's filters, shared by the queue and the batch that certifies what it selects. */
const queueFilter = {
  kind: z.enum(certifiedSegments).optional(),
  department,
  region,
  q,
  older_than_days: z.coerce
    .number()
    .int()
    .min(0)
    .max(36500)
    .optional()
    .openapi({ description: 'Only those waiting at least this many days' }),
};

const ReviewQueueItem = z
  .object({
    kind: z.string().openapi({ description: `The kind’s URL segment: ${certifiedSegments.join(', ')}` }),
    code: z.string(),
    name: z.string(),
    department_code: z.string(),
    region_code: z.string().openapi({ description: "The owning department's region" }),
    waiting_since: z
      .string()
      .openapi({ description: 'Business date it began to await 认定: registered, or sent back by a failed re-review' }),
  })
  .openapi('ReviewQueueItem');

const queueRoute = route.get('/api/v1/review-queue', 'listReviewQueue', {
  summary: '待认定: the records of every certified kind awaiting certification, oldest first, filtered and paged',
  query: PageQuery.extend(queueFilter),
  responses: { 200: json('A page of records awaiting 认定', pageOf(ReviewQueueItem)) },
});

const batchRoute = route.post('/api/v1/certifications/batch', 'certifyBatch', {
  summary: '批量认定: certify many records with one classification and one basis — all or nothing (reviewer)',
  body: CertifyBody.extend({
    items: z
      .array(z.object({ kind: z.enum(certifiedSegments), code: z.string().trim().min(1).max(64) }))
      .min(1)
      .max(maxBatch)
      .optional()
      .openapi({ description: `The records (at most ${maxBatch}); or give filter` }),
    filter: z
      .object(queueFilter)
      .optional()
      .openapi({ description: `The review queue's filter: every record it selects (at most ${maxBatch})` }),
  }),
  responses: { 200: json('The certifications made', z.object({ certified: z.number().int(), items: z.array(Certification) })) },
});

const campaignRoute = route.post('/api/v1/re-reviews/batch', 'scheduleReReviewCampaign', {
  summary: '回头看 campaign: re-reviews for every active certification a filter selects, or a seeded sample of each department’s',
  body: z.object({
    filter: z
      .object({ kind: queueFilter.kind, department, region })
      .default({})
      .openapi({ description: 'Which certifications: by kind, department and region (each with what lies under it)' }),
    sample_percent: z
      .number()
      .gt(0, 'must be above 0')
      .max(100, 'must be at most 100')
      .optional()
      .openapi({ description: "A share of each department's selected certifications, rounded up; absent: all" }),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional()
      .openapi({ description: 'The same seed draws the same sample from the same certifications; drawn at random when absent' }),
    due_at: isoDate,
  }),
  responses: {
    200: json(
      'The re-reviews scheduled, and the seed',
      z.object({ scheduled: z.number().int(), seed: z.number().int(), items: z.array(ReReview) }),
    ),
  },
});

export function registerReviewRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(campaignRoute, async (c) => c.json(await scheduleCampaign(c.get('db'), c.req.valid('json'), c.get('actor')), 200));
  app.openapi(batchRoute, async (c) => c.json(await certifyBatch(c.get('db'), c.req.valid('json'), c.get('actor')), 200));
  app.openapi(queueRoute, async (c) => c.json(await listReviewQueue(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  for (const kind of certifiedKinds()) {
    app.openapi(certifyRoute(kind), async (c) =>
      c.json(await certify(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 201),
    );
  }
  app.openapi(listCertificationsRoute, async (c) =>
    c.json(await listCertifications(c.get('db'), c.req.valid('query'), c.get('actor')), 200),
  );
  app.openapi(scheduleRoute, async (c) =>
    c.json(await scheduleReReview(c.get('db'), c.req.valid('param').id, c.req.valid('json').due_at, c.get('actor')), 201),
  );
  app.openapi(resultRoute, async (c) =>
    c.json(await recordReReviewResult(c.get('db'), c.req.valid('param').id, c.req.valid('json'), c.get('actor')), 200),
  );
  app.openapi(listReReviewsRoute, async (c) => c.json(await listReReviews(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  registerDecommissionRoutes(app);
}
