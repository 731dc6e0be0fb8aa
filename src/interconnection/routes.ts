import type { OpenAPIHono } from '@hono/zod-openapi';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { InterconnectionFigures, InterconnectionQuery, InterconnectionTrend, InterconnectionTrendQuery } from './schemas.ts';
import { readInterconnection, readInterconnectionTrend } from './service.ts';

const route = routesTagged('interconnection');

const figures = json('Connected units, services, systems served and the exchange volume', InterconnectionFigures);
const trend = json('One point per interval', InterconnectionTrend);

const getFigures = route.get('/api/v1/interconnection', 'getInterconnection', figures, {
  summary: 'The interconnection figures (互联互通) of a scope over a period',
  query: InterconnectionQuery,
});

const getTrend = route.get('/api/v1/interconnection/trend', 'getInterconnectionTrend', trend, {
  summary: 'The interconnection figures interval by interval, for a trend chart',
  query: InterconnectionTrendQuery,
});

export function registerInterconnectionRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(getFigures, async (c) => c.json(await readInterconnection(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  app.openapi(getTrend, async (c) => c.json(await readInterconnectionTrend(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
}
