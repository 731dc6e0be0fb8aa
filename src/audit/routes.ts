import type { OpenAPIHono } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import { csvOrJson, json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { listOf } from '../http/schemas.ts';
import { exportRecord } from '../kernel/spreadsheet-cells.ts';
import { listAuditEntries, verifyAuditTrail } from './query.ts';
import { AuditEntry, AuditQuery, AuditVerdict } from './schemas.ts';

const route = routesTagged('audit');

const listRoute = route.get('/api/v1/audit', 'listAuditEntries', csvOrJson('Entries in order', listOf(AuditEntry)), {
  summary: 'The audit trail (auditor); the whole filtered trail as CSV with Accept: text/csv',
  query: AuditQuery,
});

const verifyRoute = route.get('/api/v1/audit/verify', 'verifyAuditChain', json('The verdict', AuditVerdict), {
  summary: 'Walk the hash chain and name the first broken link',
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
