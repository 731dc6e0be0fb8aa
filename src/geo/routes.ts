import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { defineRoute, json } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { divisionShapes, type FeatureCollection, mapCache } from './service.ts';

const GeoQuery = z.object({
  indicator: z.string().optional().openapi({ description: "Bake this indicator's figures into each feature", example: 'cloud_migration' }),
  at: z
    .string()
    .optional()
    .openapi({ description: 'Business date YYYY-MM-DD, within the data (from the earliest registry date to today). Default: today' }),
});
const FeatureCollectionSchema = z
  .object({ type: z.literal('FeatureCollection'), features: z.array(z.record(z.string(), z.unknown())) })
  .openapi('FeatureCollection');

const shapeRoute = (layer: 'cities' | 'counties') =>
  defineRoute({
    method: 'get',
    path: `/geo/guangxi-${layer}.json`,
    operationId: layer === 'cities' ? 'getCityShapes' : 'getCountyShapes',
    tags: ['maps'],
    summary:
      layer === 'cities'
        ? 'The 14 cities as GeoJSON, with an indicator’s figures in each feature'
        : 'The counties (of one city) as GeoJSON, with an indicator’s figures in each feature',
    request: {
      query:
        layer === 'cities'
          ? GeoQuery
          : GeoQuery.extend({ city: z.string().optional().openapi({ description: 'Only this city’s counties', example: '450100' }) }),
    },
    responses: { 200: json('The shapes', FeatureCollectionSchema) },
  });

/**
 * Map shapes for the console's map and Grafana's geomap, served by the app itself (no internet
 * on the government intranet). Signed in only: each new date costs a figure per division, so
 * an anonymous caller could stall the server; the computed layers are cached per registry version.
 */
export function registerGeoRoutes(app: OpenAPIHono<AppEnv>) {
  const layers = mapCache();
  for (const layer of ['cities', 'counties'] as const) {
    app.openapi(shapeRoute(layer), async (c) => {
      const query = c.req.valid('query') as { indicator?: string; at?: string; city?: string };
      const body: FeatureCollection = await divisionShapes(c.get('db'), layer, query, layers);
      c.header('Cache-Control', 'private, max-age=60');
      return c.json(body, 200);
    });
  }
}
