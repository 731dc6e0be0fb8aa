import type { OpenAPIHono } from '@hono/zod-openapi';
import type { LeadershipSettings } from '../config.ts';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import type { IndicatorReport } from '../indicators/service.ts';
import { ScreenSchema } from './schemas.ts';
import { readScreen } from './service.ts';

const route = routesTagged('screen');

const getScreen = route.get('/api/v1/screen', 'getScreen', {
  summary:
    'Everything the wall screen (大屏) shows: the three 100% figures with trends, the cities, the red/black list, alerts, nodes down',
  responses: { 200: json('The screen', ScreenSchema) },
});

export function registerScreenRoutes(
  app: OpenAPIHono<AppEnv>,
  options: { cache: IndicatorCache<IndicatorReport>; leadership: LeadershipSettings },
) {
  app.openapi(getScreen, async (c) => {
    c.header('Cache-Control', 'private, no-store');
    return c.json(await readScreen(c.get('db'), c.get('actor'), options), 200);
  });
}
