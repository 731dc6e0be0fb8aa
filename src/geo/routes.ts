import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/router.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import type { IndicatorReport } from '../indicators/service.ts';
import { divisionShapes } from './service.ts';

/**
 * Map shapes for Grafana's geomap and the console, served by the app itself (no internet
 * on the government intranet). Public like the landing page: the shapes and the division-level
 * aggregate figures only, never an item; CORS open so a Grafana on another origin may fetch them.
 */
export function registerGeoRoutes(app: OpenAPIHono<AppEnv>, cache: IndicatorCache<IndicatorReport>) {
  for (const layer of ['cities', 'counties'] as const) {
    app.get(`/geo/guangxi-${layer}.json`, async (c) => {
      const body = await divisionShapes(
        c.get('db'),
        layer,
        {
          indicator: c.req.query('indicator'),
          at: c.req.query('at'),
          city: c.req.query('city'),
        },
        cache,
      );
      c.header('Access-Control-Allow-Origin', '*');
      c.header('Cache-Control', 'public, max-age=60');
      return c.json(body);
    });
  }
}
