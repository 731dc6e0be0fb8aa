import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { regionLevels } from '../db/schema/enums.ts';
import { type AppEnv, errorResponses } from '../http/router.ts';
import { assertCan } from '../identity/access.ts';
import { getRegion, listRegions } from './service.ts';

const RegionSchema = z
  .object({ code: z.string(), name: z.string(), level: z.enum(regionLevels), parent_code: z.string().nullable() })
  .openapi('Region');

const toRegion = (r: { code: string; name: string; level: (typeof regionLevels)[number]; parentCode: string | null }) => ({
  code: r.code,
  name: r.name,
  level: r.level,
  parent_code: r.parentCode,
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/regions',
  operationId: 'listRegions',
  tags: ['regions'],
  summary: 'Administrative divisions (行政区划), filtered by parent or level',
  request: { query: z.object({ parent: z.string().optional(), level: z.enum(regionLevels).optional() }) },
  responses: {
    200: { description: 'Regions', content: { 'application/json': { schema: z.object({ items: z.array(RegionSchema) }) } } },
    ...errorResponses,
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/regions/{code}',
  operationId: 'getRegion',
  tags: ['regions'],
  summary: 'One division',
  request: { params: z.object({ code: z.string() }) },
  responses: {
    200: { description: 'The region', content: { 'application/json': { schema: RegionSchema } } },
    ...errorResponses,
  },
});

export function registerRegionRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(listRoute, async (c) => {
    const { parent, level } = c.req.valid('query');
    assertCan(c.get('actor').access, 'read', 'regions');
    const items = await listRegions(c.get('db'), { parentCode: parent, level });
    return c.json({ items: items.map(toRegion) }, 200);
  });
  app.openapi(getRoute, async (c) => {
    assertCan(c.get('actor').access, 'read', 'regions');
    return c.json(toRegion(await getRegion(c.get('db'), c.req.valid('param').code)), 200);
  });
}
