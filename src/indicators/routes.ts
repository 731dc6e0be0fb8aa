import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import { recordAudit } from '../audit/service.ts';
import { csvOrJson, json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { booleanQuery, paging } from '../http/schemas.ts';
import { exportRecord } from '../kernel/spreadsheet-cells.ts';
import { IndicatorCache } from './cache.ts';
import { indicatorKeys } from './definitions.ts';
import { IndicatorReport, ScopeQuery } from './schemas.ts';
import { readIndicatorItems, readIndicators } from './service.ts';

const route = routesTagged('indicators');

const getIndicators = route.get('/api/v1/indicators', 'getIndicators', json('The indicator set', IndicatorReport), {
  summary: 'The official indicators for a scope as of a date',
  query: ScopeQuery,
});

const listItems = route.get('/api/v1/indicators/{key}/items', 'listIndicatorItems', {
  summary: 'The exact items behind a figure (CSV with Accept: text/csv)',
  params: z.object({ key: z.enum(indicatorKeys) }),
  query: ScopeQuery.extend({ missing: booleanQuery.optional().openapi({ description: 'Only the items not yet done' }), ...paging }),
  responses: {
    200: csvOrJson(
      'A page of items',
      z.object({
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
    ),
  },
});
const writtenReports = new WeakMap<object, string>();

/** A report's JSON text, written once per report object (the cache hands out the same one). */
function reportJson(report: object): string {
  let text = writtenReports.get(report);
  if (text === undefined) {
    text = JSON.stringify(report);
    writtenReports.set(report, text);
  }
  return text;
}

export function registerIndicatorRoutes(app: OpenAPIHono<AppEnv>, cache = new IndicatorCache<IndicatorReport>()) {
  app.openapi(getIndicators, async (c) => {
    const q = c.req.valid('query');
    const report = await readIndicators(c.get('db'), q, c.get('actor'), cache);
    // A cached report is the same object until the registry changes: its JSON is written once.
    // The body is the IndicatorReport the route declares, already serialised (hence the cast).
    return c.body(reportJson(report), 200, { 'content-type': 'application/json' }) as never;
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
