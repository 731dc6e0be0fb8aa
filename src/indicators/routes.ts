import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import { recordAudit } from '../audit/service.ts';
import { type AppEnv, booleanQuery, errorResponses } from '../http/router.ts';
import { exportRecord } from '../kernel/spreadsheet-cells.ts';
import { IndicatorCache } from './cache.ts';
import { indicatorKeys } from './definitions.ts';
import { type IndicatorReport, readIndicatorItems, readIndicators } from './service.ts';

const ScopeQuery = z.object({
  scope: z.string().min(1).openapi({ description: 'A division code (`450000`) or `dept:<department code>`', example: '450000' }),
  at: z
    .string()
    .optional()
    .openapi({ description: 'Business date YYYY-MM-DD; the state at the end of that day. Default: today', example: '2020-07-31' }),
  self: booleanQuery.optional().openapi({ description: 'Only the region itself (本级), not everything under it' }),
});

const FigureSchema = z.object({
  numerator: z.number().int(),
  denominator: z.number().int(),
  ratio: z.number().nullable(),
  percent: z.number().nullable().openapi({ description: 'Rounded half-up to one decimal' }),
});

const IndicatorReportSchema = z
  .object({
    scope: z.string(),
    scope_name: z.string(),
    scope_kind: z.enum(['region', 'department']),
    self: z.boolean(),
    at: z.string(),
    indicators: z.array(
      FigureSchema.extend({
        key: z.enum(indicatorKeys),
        name: z.string(),
        name_en: z.string(),
        pending: z.number().int(),
        breakdown: z
          .object({ by_system_type: z.record(z.string(), FigureSchema), by_level: z.record(z.string(), FigureSchema) })
          .optional(),
      }),
    ),
  })
  .openapi('IndicatorReport');

const getIndicators = createRoute({
  method: 'get',
  path: '/api/v1/indicators',
  operationId: 'getIndicators',
  tags: ['indicators'],
  summary: 'The official indicators for a scope as of a date',
  request: { query: ScopeQuery },
  responses: {
    200: { description: 'The indicator set', content: { 'application/json': { schema: IndicatorReportSchema } } },
    ...errorResponses,
  },
});

const listItems = createRoute({
  method: 'get',
  path: '/api/v1/indicators/{key}/items',
  operationId: 'listIndicatorItems',
  tags: ['indicators'],
  summary: 'The exact items behind a figure (CSV with Accept: text/csv)',
  request: {
    params: z.object({ key: z.enum(indicatorKeys) }),
    query: ScopeQuery.extend({
      missing: booleanQuery.optional().openapi({ description: 'Only the items not yet done' }),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    }),
  },
  responses: {
    200: {
      description: 'A page of items',
      content: {
        'application/json': {
          schema: z.object({
            key: z.string(),
            scope: z.string(),
            at: z.string(),
            missing: z.boolean(),
            total: z.number().int(),
            limit: z.number().int().nullable(),
            offset: z.number().int(),
            columns: z.array(z.string()),
            items: z.array(z.record(z.string(), z.unknown())),
          }),
        },
        'text/csv': { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

export function registerIndicatorRoutes(app: OpenAPIHono<AppEnv>, cache = new IndicatorCache<IndicatorReport>()) {
  app.openapi(getIndicators, async (c) => {
    const q = c.req.valid('query');
    return c.json(await readIndicators(c.get('db'), q, c.get('actor'), cache), 200);
  });

  app.openapi(listItems, async (c) => {
    const { key } = c.req.valid('param');
    const q = c.req.valid('query');
    const wantsCsv = (c.req.header('accept') ?? '').includes('text/csv');
    // The CSV is the whole list: it is what reviewers download to chase the missing items.
    const page = await readIndicatorItems(c.get('db'), key, wantsCsv ? { ...q, limit: undefined, offset: 0 } : q, c.get('actor'));
    if (wantsCsv) {
      const csv = stringify(page.items.map(exportRecord), {
        header: true,
        columns: [...page.columns],
        cast: { boolean: (b) => String(b) },
      });
      // A download takes the list out of the system: who took which list is on the audit trail.
      await recordAudit(c.get('db'), c.get('actor'), [
        {
          action: 'indicators.export',
          entityKind: 'indicator',
          entityCode: key,
          after: { indicator: key, scope: page.scope, at: page.at, missing: page.missing, rows: page.items.length },
        },
      ]);
      return c.body(`\uFEFF${csv}`, 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${key}-${page.scope.replace(':', '-')}-${page.at}${page.missing ? '-missing' : ''}.csv"`,
      });
    }
    return c.json(page, 200);
  });
}
