import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { workOrderStats } from './stats.ts';

const route = routesTagged('work-orders');

const day = z
  .string()
  .max(10)
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

const Count = z.number().int();
const Seconds = z.number().int().nullable();
const Percent = z
  .number()
  .nullable()
  .openapi({ description: 'met / (met + breached) × 100, one decimal; null when none finished or breached' });

const WorkOrderStats = z
  .object({
    from: z.string(),
    to: z.string(),
    scope: z.string().nullable(),
    total: Count,
    by_category: z.record(z.string(), Count),
    by_state: z.record(z.string(), Count),
    mean_time_to_acknowledge_seconds: Seconds,
    mean_time_to_resolve_seconds: Seconds,
    sla: z.object({ met: Count, breached: Count, open: Count, compliance_percent: Percent }),
    by_department: z.array(
      z.object({
        department: z.object({ code: z.string(), name: z.string() }),
        total: Count,
        resolved: Count,
        breached: Count,
        compliance_percent: Percent,
        mean_time_to_resolve_seconds: Seconds,
      }),
    ),
  })
  .openapi('WorkOrderStats');

const statsRoute = route({
  method: 'get',
  path: '/api/v1/work-orders/stats',
  operationId: 'getWorkOrderStats',
  summary:
    'Work order statistics for the orders created in [from, to): counts, mean times to acknowledge and resolve, SLA compliance, by department',
  request: {
    query: z.object({
      from: day.optional().openapi({ description: 'First day (Asia/Shanghai), default the first of this month' }),
      to: day
        .optional()
        .openapi({ description: 'Day after the last (exclusive), default the first of the next month; at most 366 days after from' }),
      scope: z.string().max(64).optional().openapi({ description: 'Region code (with its descendants) or dept:<code>' }),
    }),
  },
  responses: { 200: json('Statistics', WorkOrderStats) },
});

/** Register BEFORE the order routes: `/work-orders/stats` must not be taken for the order `/work-orders/{code}`. */
export function registerWorkOrderStatsRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(statsRoute, async (c) => c.json(await workOrderStats(c.get('db'), c.get('actor').access, c.req.valid('query')), 200));
}
