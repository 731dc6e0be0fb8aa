import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import { type AppEnv, errorResponses } from '../http/router.ts';
import { exportRecord } from '../kernel/spreadsheet-cells.ts';
import { isoDate } from '../registry/schemas.ts';
import { listAuditEntries, verifyAuditTrail } from './query.ts';

const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string(),
    source_ip: z.string().nullable(),
    action: z.string(),
    entity_kind: z.string(),
    entity_code: z.string().nullable(),
    result: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    request_id: z.string().nullable(),
    hash: z.string().nullable(),
    hash_alg: z.string().nullable(),
  })
  .openapi('AuditEntry');

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/audit',
  operationId: 'listAuditEntries',
  tags: ['audit'],
  summary: 'The audit trail (auditor); the whole filtered trail as CSV with Accept: text/csv',
  request: {
    query: z.object({
      from: isoDate.optional(),
      to: isoDate.optional(),
      actor: z.string().optional(),
      action: z.string().optional(),
      entity_kind: z.string().optional(),
      entity_code: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    }),
  },
  responses: {
    200: {
      description: 'Entries in order',
      content: {
        'application/json': { schema: z.object({ items: z.array(AuditEntry), total: z.number().int() }) },
        'text/csv': { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

const verifyRoute = createRoute({
  method: 'get',
  path: '/api/v1/audit/verify',
  operationId: 'verifyAuditChain',
  tags: ['audit'],
  summary: 'Walk the hash chain and name the first broken link',
  responses: {
    200: {
      description: 'The verdict',
      content: {
        'application/json': {
          schema: z.object({
            ok: z.boolean(),
            checked: z.number().int(),
            unchained: z.number().int(),
            firstBroken: z.object({ id: z.number().int(), reason: z.string() }).optional(),
          }),
        },
      },
    },
    ...errorResponses,
  },
});

const csvColumns = [
  'id',
  'at',
  'actor',
  'source_ip',
  'action',
  'entity_kind',
  'entity_code',
  'result',
  'before',
  'after',
  'request_id',
  'hash_alg',
  'hash',
];

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(listRoute, async (c) => {
    const filter = c.req.valid('query');
    if ((c.req.header('accept') ?? '').includes('text/csv')) {
      const { items } = await listAuditEntries(c.get('db'), { ...filter, limit: undefined, offset: 0 }, c.get('actor'), 'export');
      const rows = items.map((i) =>
        exportRecord({
          ...i,
          before: i.before === null ? '' : JSON.stringify(i.before),
          after: i.after === null ? '' : JSON.stringify(i.after),
        }),
      );
      return c.body(`\uFEFF${stringify(rows, { header: true, columns: csvColumns })}`, 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="audit-${filter.from ?? 'start'}-${filter.to ?? 'now'}.csv"`,
      });
    }
    return c.json(await listAuditEntries(c.get('db'), filter, c.get('actor')), 200);
  });
  app.openapi(verifyRoute, async (c) => c.json(await verifyAuditTrail(c.get('db'), c.get('actor')), 200));
}
