import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { decommissionStatuses } from '../db/schema/index.ts';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { PageQuery, pageOf, RowIdParam } from '../http/schemas.ts';
import { defaultIdleDays } from '../registry/idle.ts';
import { isoDate } from '../registry/schemas.ts';
import { decideDecommission, listDecommissionRequests, readIdleCounts, requestDecommission } from './decommission.ts';

const idleDays = z.coerce
  .number()
  .int()
  .min(1)
  .max(3650)
  .optional()
  .openapi({ description: `Days without a workload sighting or exchange traffic; default ${defaultIdleDays}` });

const DecommissionRequest = z
  .object({
    id: z.number().int(),
    system_code: z.string(),
    system_name: z.string(),
    department_code: z.string(),
    reason: z.string(),
    evidence: z.object({ idle_days: z.number().int(), last_seen_at: z.string().nullable(), last_exchange_on: z.string().nullable() }),
    requested_by: z.string(),
    requested_at: z.string(),
    status: z.enum(decommissionStatuses),
    decided_by: z.string().nullable(),
    decided_at: z.string().nullable(),
    decision_note: z.string().nullable(),
    retired_on: z.string().nullable(),
  })
  .openapi('DecommissionRequest');

const IdleSystemCounts = z
  .object({
    scope: z.string(),
    scope_name: z.string(),
    days: z.number().int(),
    total: z.number().int(),
    departments: z.array(
      z.object({ department_code: z.string(), department_name: z.string(), region_code: z.string(), candidates: z.number().int() }),
    ),
  })
  .openapi('IdleSystemCounts');

const route = routesTagged('idle-systems');

const countRoute = route.get('/api/v1/idle-systems', 'countIdleSystems', {
  summary: '僵尸系统: idle-system candidates counted by department, for a scope (the list: GET /api/v1/systems?idle=true)',
  query: z.object({
    scope: z.string().min(1).openapi({ description: 'A division code (`450000`) or `dept:<department code>`' }),
    days: idleDays,
  }),
  responses: { 200: json('Candidates by department, most first', IdleSystemCounts) },
});

const requestRoute = route.post('/api/v1/systems/{code}/decommission-requests', 'requestSystemDecommission', {
  summary: "Ask to decommission (下线) an idle system of one's department; a reviewer confirms",
  params: z.object({ code: z.string() }),
  body: z.object({ reason: z.string().trim().min(1, 'is required').max(2000), idle_days: idleDays }),
  responses: { 201: json('The open request, with the evidence of idleness', DecommissionRequest) },
});

const listRoute = route.get('/api/v1/decommission-requests', 'listDecommissionRequests', {
  summary: 'Decommission requests of idle systems, newest first',
  query: PageQuery.extend({ status: z.enum(decommissionStatuses).optional() }),
  responses: { 200: json('A page of requests', pageOf(DecommissionRequest)) },
});

const decideRoute = route.post('/api/v1/decommission-requests/{id}/decision', 'decideSystemDecommission', {
  summary: "A reviewer's decision: confirmed retires the system (已下线) by the normal transition; rejected leaves it",
  params: RowIdParam,
  body: z.object({
    result: z.enum(['confirmed', 'rejected']),
    note: z.string().trim().min(1, 'is required: say why').max(2000),
    effective_at: isoDate.optional().openapi({ description: 'Business date the system is retired as of; default today' }),
  }),
  responses: { 200: json('The decided request', DecommissionRequest) },
});

export function registerDecommissionRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(countRoute, async (c) => {
    const { scope, days = defaultIdleDays } = c.req.valid('query');
    return c.json(await readIdleCounts(c.get('db'), scope, days, c.get('actor')), 200);
  });
  app.openapi(requestRoute, async (c) =>
    c.json(await requestDecommission(c.get('db'), c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 201),
  );
  app.openapi(listRoute, async (c) => c.json(await listDecommissionRequests(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  app.openapi(decideRoute, async (c) =>
    c.json(await decideDecommission(c.get('db'), c.req.valid('param').id, c.req.valid('json'), c.get('actor')), 200),
  );
}
