import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { json, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { IdParam, listOf } from '../http/schemas.ts';
import { assertCan } from '../identity/access.ts';
import { authenticateAgent } from '../ingest/agents.ts';
import { AppError } from '../kernel/errors.ts';
import { AlertmanagerPayload, receiveAlertmanager } from './alertmanager.ts';
import type { AlertNotifier } from './lifecycle.ts';
import { AlertCounts, AlertDetail, AlertItem, AlertListQuery } from './schemas.ts';
import { acknowledgeAlert, getAlert, listAlerts, openAlertCounts } from './service.ts';

const route = routesTagged('alerts');

const listAlertsRoute = route.get('/api/v1/alerts', 'listAlerts', json('A page of alerts', listOf(AlertItem)), {
  summary: 'Alerts, firing first then by severity; a department user sees only those about its own systems and tenants',
  query: AlertListQuery,
});

const countAlertsRoute = route.get('/api/v1/alerts/counts', 'countAlerts', json('Counts', AlertCounts), {
  summary: 'Open alerts by state; firing_critical leaves out silenced and inhibited ones (the console badge)',
});

const getAlertRoute = route.get('/api/v1/alerts/{id}', 'getAlert', json('The alert', AlertDetail), {
  summary: 'One alert with its timeline (events)',
  params: IdParam,
});

const acknowledgeRoute = route.post('/api/v1/alerts/{id}/acknowledge', 'acknowledgeAlert', json('The acknowledged alert', AlertDetail), {
  summary: 'Take a firing alert: firing → acknowledged (who, when, note)',
  params: IdParam,
  body: z.object({ note: z.string().trim().min(1, 'say what you are doing about it').max(2000) }),
  responses: { 409: problem('Already acknowledged (by whom), or resolved') },
});

const alertmanagerRoute = route.post('/api/v1/alerts/alertmanager', 'receiveAlertmanagerAlerts', {
  summary: "Alertmanager's webhook (payload version 4): Prometheus alerts join yunwang's list",
  security: [{ agentToken: [] }],
  body: AlertmanagerPayload,
  responses: {
    200: json('Applied', z.object({ firing: z.number().int(), resolved: z.number().int(), ignored: z.number().int() })),
    401: problem('No token, or not a token of an alertmanager agent'),
  },
});

const bearer = /^Bearer\s+(\S+)\s*$/i;

export interface AlertRouteOptions {
  reopenMinutes: number;
  notifier?: AlertNotifier;
}

/** The alerts API: alerts, acknowledgement and Alertmanager's webhook. */
export function registerAlertRoutes(app: OpenAPIHono<AppEnv>, options: AlertRouteOptions) {
  app.openapi(listAlertsRoute, async (c) => c.json(await listAlerts(c.get('db'), c.get('actor').access, c.req.valid('query')), 200));
  app.openapi(countAlertsRoute, async (c) => c.json(await openAlertCounts(c.get('db'), c.get('actor').access), 200));
  app.openapi(getAlertRoute, async (c) => c.json(await getAlert(c.get('db'), c.get('actor').access, c.req.valid('param').id), 200));
  app.openapi(acknowledgeRoute, async (c) => {
    assertCan(c.get('actor').access, 'write', 'alerts');
    return c.json(await acknowledgeAlert(c.get('db'), c.req.valid('param').id, c.req.valid('json').note, c.get('actor')), 200);
  });
  // The token is checked before the body is read: nobody else gets as far as parsing it.
  const alertmanagerOf = new WeakMap<object, string>();
  app.use(alertmanagerRoute.path, async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const token = bearer.exec(c.req.header('authorization') ?? '')?.[1];
    const agent = token ? await authenticateAgent(c.get('db'), token) : null;
    if (agent?.kind !== 'alertmanager') {
      c.header('WWW-Authenticate', 'Bearer realm="yunwang-alertmanager"');
      throw new AppError('unauthorized', 'an alertmanager token is required: yunwang token create --agent <name> --kind alertmanager');
    }
    alertmanagerOf.set(c, agent.name);
    await next();
  });
  app.openapi(alertmanagerRoute, async (c) => {
    const agent = alertmanagerOf.get(c);
    if (!agent) throw new AppError('unauthorized', 'an alertmanager token is required');
    const result = await receiveAlertmanager(c.get('db'), c.req.valid('json'), { agent, ...options });
    return c.json(result, 200);
  });
}
