import type { OpenAPIHono } from '@hono/zod-openapi';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { WorkOrderStats, WorkOrderStatsQuery } from './schemas.ts';
import { workOrderStats } from './stats.ts';

const statsRoute = routesTagged('work-orders')({
  method: 'get',
  path: '/api/v1/work-orders/stats',
  operationId: 'getWorkOrderStats',
  summary:
    'Work order statistics for the orders created in [from, to): counts, mean times to acknowledge and resolve, SLA compliance, by department',
  request: { query: WorkOrderStatsQuery },
  responses: { 200: json('Statistics', WorkOrderStats) },
});

/** Register BEFORE the order routes: `/work-orders/stats` must not be taken for the order `/work-orders/{code}`. */
export function registerWorkOrderStatsRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(statsRoute, async (c) => c.json(await workOrderStats(c.get('db'), c.get('actor').access, c.req.valid('query')), 200));
}
