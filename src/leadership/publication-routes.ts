import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { LeadershipSettings } from '../config.ts';
import { supervisionReportStates } from '../db/schema/index.ts';
import { errorResponses, json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { RowIdParam } from '../http/schemas.ts';
import { AppError } from '../kernel/errors.ts';
import {
  draftSupervisionReport,
  listSupervisionReports,
  publishSupervisionReport,
  returnSupervisionReport,
  submitSupervisionReport,
  supervisionReportBytes,
} from './publication.ts';
import { monthString } from './schemas.ts';

const SupervisionReportSchema = z
  .object({
    id: z.number().int(),
    month: z.string(),
    version: z.number().int().openapi({ description: 'A correction of a published report is the next version' }),
    state: z.enum(supervisionReportStates),
    drafted_by: z.array(z.string()).openapi({ description: 'Everyone who drafted or regenerated it: none of them signs it off' }),
    drafted_at: z.string(),
    submitted_by: z.string().nullable(),
    submitted_at: z.string().nullable(),
    decided_by: z.string().nullable().openapi({ description: 'The leader who signed it off (签发) or returned it' }),
    decided_at: z.string().nullable(),
    return_comment: z.string().nullable(),
    number: z.string().nullable().openapi({ description: 'Once published: 督查通报〔2026〕11号' }),
    sha256: z.string().openapi({ description: 'SHA-256 of the stored XLSX (the document of record)' }),
    html_sha256: z.string(),
    supersedes: z.object({ id: z.number().int(), number: z.string().nullable() }).nullable(),
    black_list: z
      .array(z.object({ code: z.string(), name: z.string() }))
      .openapi({ description: 'The black-listed departments: each gets a rectification order (整改) on publication' }),
  })
  .openapi('SupervisionReportRecord');

const route = routesTagged('leadership');

const listRoute = route.get('/api/v1/supervision-reports', 'listSupervisionReports', {
  summary: '督查通报: the reports on their way and published, newest first (departments: published only)',
  query: z.object({ month: monthString.optional(), state: z.enum(supervisionReportStates).optional() }),
  responses: { 200: json('The reports', z.object({ items: z.array(SupervisionReportSchema) })) },
});

const draftRoute = route.post('/api/v1/supervision-reports', 'draftSupervisionReport', {
  summary: '起草: draft the month’s report from its frozen snapshot, or regenerate the draft on its way (reviewer)',
  body: z.object({ month: monthString }),
  responses: {
    201: json('A new draft (a correction when the month was published)', SupervisionReportSchema),
    200: json('The draft (or returned report) regenerated', SupervisionReportSchema),
  },
});

const stepRoute = (action: 'submit' | 'publish', operationId: string, summary: string) =>
  route.post(`/api/v1/supervision-reports/{id}/${action}`, operationId, {
    summary,
    params: RowIdParam,
    responses: { 200: json('The report', SupervisionReportSchema) },
  });

const submitRoute = stepRoute('submit', 'submitSupervisionReport', '送审: send the draft, as it is, to the leaders (reviewer)');
const publishRoute = stepRoute(
  'publish',
  'publishSupervisionReport',
  '签发: publish it — numbered, its bytes kept as submitted, immutable; a rectification order for each black-listed department (a leader who drafted none of it)',
);
const returnRoute = route.post('/api/v1/supervision-reports/{id}/return', 'returnSupervisionReport', {
  summary: '退回: send it back to the reviewers with a comment (a leader who drafted none of it)',
  params: RowIdParam,
  body: z.object({ comment: z.string().trim().min(1, 'is required: say what to change').max(2000) }),
  responses: { 200: json('The report', SupervisionReportSchema) },
});

const formats = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html; charset=utf-8',
} as const;

/**
 * The stored bytes, `/{id}.xlsx` and `/{id}.html`: described in the OpenAPI document (where the
 * authorization reads each operation's rule) and served by a plain route, since a path
 * parameter cannot end in a suffix in the router.
 */
function registerBytes(app: OpenAPIHono<AppEnv>, format: keyof typeof formats) {
  const operationId = format === 'xlsx' ? 'getSupervisionReportXlsx' : 'getSupervisionReportHtml';
  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'get',
      path: `/api/v1/supervision-reports/{id}.${format}`,
      operationId,
      tags: ['leadership'],
      summary: `The report’s stored ${format.toUpperCase()}, byte for byte as drafted or published (X-Content-SHA256)`,
      request: { params: RowIdParam },
      responses: {
        200: { description: `The ${format.toUpperCase()}`, content: { [formats[format]]: { schema: z.string() } } },
        ...errorResponses,
      },
    }),
  );
  app.get(`/api/v1/supervision-reports/:file{[0-9]{1,9}\\.${format}}`, async (c) => {
    const id = Number.parseInt(c.req.param('file'), 10);
    if (!(id >= 1)) throw new AppError('not_found', `supervision report ${c.req.param('file')} not found`);
    const file = await supervisionReportBytes(c.get('db'), id, format, c.get('actor'));
    const name = `supervision-${file.month}${file.number ? `-${id}` : `-draft-${id}`}.${format}`;
    return c.body(file.bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': formats[format],
      'Content-Disposition': `${format === 'html' ? 'inline' : 'attachment'}; filename="${name}"`,
      'X-Content-SHA256': file.sha256,
      'Cache-Control': 'private, no-store',
    });
  });
}

export function registerPublicationRoutes(app: OpenAPIHono<AppEnv>, settings: LeadershipSettings, rectificationDays: number) {
  app.openapi(listRoute, async (c) => c.json(await listSupervisionReports(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  app.openapi(draftRoute, async (c) => {
    const { created, report } = await draftSupervisionReport(c.get('db'), c.req.valid('json').month, settings, c.get('actor'));
    return created ? c.json(report, 201) : c.json(report, 200);
  });
  app.openapi(submitRoute, async (c) => c.json(await submitSupervisionReport(c.get('db'), c.req.valid('param').id, c.get('actor')), 200));
  app.openapi(publishRoute, async (c) =>
    c.json(await publishSupervisionReport(c.get('db'), c.req.valid('param').id, rectificationDays, c.get('actor')), 200),
  );
  app.openapi(returnRoute, async (c) =>
    c.json(await returnSupervisionReport(c.get('db'), c.req.valid('param').id, c.req.valid('json').comment, c.get('actor')), 200),
  );
  registerBytes(app, 'xlsx');
  registerBytes(app, 'html');
}
