import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { classifications } from '../db/schema/enums.ts';
import { type AppEnv, booleanQuery, errorResponses, ProblemSchema } from '../http/router.ts';
import type { AnyRecordKind } from '../registry/kinds/index.ts';
import { isoDate } from '../registry/schemas.ts';
import { certifiedKinds, certify, listCertifications, listReReviews, recordReReviewResult, scheduleReReview } from './service.ts';

const Certification = z
  .object({
    id: z.number().int(),
    kind: z.enum(['system', 'private_network']),
    code: z.string(),
    classification: z.enum(classifications),
    previous_classification: z.enum(classifications),
    evidence: z.string(),
    certified_by: z.string(),
    certified_at: z.string(),
    status: z.enum(['active', 'reverted']),
    reverted_reason: z.string().nullable(),
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
  })
  .openapi('ReReview');

const CertifyBody = z.object({
  classification: z.enum(classifications),
  evidence: z.string().trim().min(1, 'is required: cite the document or decision').max(2000),
  certified_at: isoDate.optional(),
});

const json = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const conflict = {
  409: { description: 'Already recorded, or not active', content: { 'application/problem+json': { schema: ProblemSchema } } },
};

const certifyRoute = (kind: AnyRecordKind) =>
  createRoute({
    method: 'post',
    path: `/api/v1/${kind.segment}/{code}/certifications`,
    operationId: `certify${kind.names.one}`,
    tags: ['review'],
    summary: '认定: certify the classification, with evidence (reviewer)',
    request: { params: z.object({ code: z.string() }), body: { required: true, content: { 'application/json': { schema: CertifyBody } } } },
    responses: { 201: json('The certification', Certification), ...errorResponses },
  });

const listCertificationsRoute = createRoute({
  method: 'get',
  path: '/api/v1/certifications',
  operationId: 'listCertifications',
  tags: ['review'],
  summary: 'Certifications',
  request: { query: z.object({ status: z.enum(['active', 'reverted']).optional() }) },
  responses: { 200: json('Certifications', z.object({ items: z.array(Certification) })), ...errorResponses },
});

const scheduleRoute = createRoute({
  method: 'post',
  path: '/api/v1/certifications/{id}/re-reviews',
  operationId: 'scheduleReReview',
  tags: ['review'],
  summary: '回头看: schedule a re-review, due by a date',
  request: {
    params: z.object({ id: z.coerce.number().int().min(1) }),
    body: { required: true, content: { 'application/json': { schema: z.object({ due_at: isoDate }) } } },
  },
  responses: { 201: json('The re-review', ReReview), ...conflict, ...errorResponses },
});

const resultRoute = createRoute({
  method: 'post',
  path: '/api/v1/re-reviews/{id}/result',
  operationId: 'recordReReviewResult',
  tags: ['review'],
  summary: 'Record a re-review; a failure reverts the certification',
  request: {
    params: z.object({ id: z.coerce.number().int().min(1) }),
    body: {
      required: true,
      content: {
        'application/json': { schema: z.object({ result: z.enum(['passed', 'failed']), reason: z.string().trim().max(2000).optional() }) },
      },
    },
  },
  responses: { 200: json('The re-review', ReReview), ...conflict, ...errorResponses },
});

const listReReviewsRoute = createRoute({
  method: 'get',
  path: '/api/v1/re-reviews',
  operationId: 'listReReviews',
  tags: ['review'],
  summary: 'The re-review queue, soonest due first',
  request: { query: z.object({ open: booleanQuery.optional(), due_before: isoDate.optional() }) },
  responses: { 200: json('Re-reviews', z.object({ items: z.array(ReReview) })), ...errorResponses },
});

export function registerReviewRoutes(app: OpenAPIHono<AppEnv>) {
  for (const kind of certifiedKinds()) {
    app.openapi(certifyRoute(kind), async (c) =>
      c.json(await certify(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 201),
    );
  }
  app.openapi(listCertificationsRoute, async (c) =>
    c.json({ items: await listCertifications(c.get('db'), c.req.valid('query'), c.get('actor')) }, 200),
  );
  app.openapi(scheduleRoute, async (c) =>
    c.json(await scheduleReReview(c.get('db'), c.req.valid('param').id, c.req.valid('json').due_at, c.get('actor')), 201),
  );
  app.openapi(resultRoute, async (c) =>
    c.json(await recordReReviewResult(c.get('db'), c.req.valid('param').id, c.req.valid('json'), c.get('actor')), 200),
  );
  app.openapi(listReReviewsRoute, async (c) =>
    c.json({ items: await listReReviews(c.get('db'), c.req.valid('query'), c.get('actor')) }, 200),
  );
}
