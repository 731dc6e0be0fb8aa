import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { cloudKinds, cloudRoles, cloudStates } from '../db/schema/enums.ts';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { CodeParam, IdParam, PageQuery, pageOf } from '../http/schemas.ts';
import { cloudBuildOut, createCloud, listClouds, readCloud, updateCloud } from './clouds.ts';
import { Extranet, ExtranetInput, readExtranet, updateExtranet } from './extranet.ts';
import { cloud, department, isoDate, q, region, stamps, timestamp } from './fields.ts';
import { patchOf } from './route-parts.ts';
import { CloudInput, TenantInput } from './schemas.ts';
import { createTenant, listTenants, readTenant, updateTenant } from './tenants.ts';

const Cloud = CloudInput.extend({
  ...stamps,
  state: z
    .enum(cloudStates)
    .openapi({ description: 'Build-out state on the date asked (`at`, default today): 规划, 建设中, 建成启用, 已退役' }),
}).openapi('Cloud');

/** The business date whose build-out state the clouds show. */
const at = isoDate.optional().openapi({ description: 'Business date YYYY-MM-DD whose build-out state each cloud shows; default today' });
const Tenant = TenantInput.extend({ ...stamps, last_report_at: timestamp.nullable() }).openapi('Tenant');

/** The path parameter that names one record of a collection: its code, or its numeric id. */
const keyParams = { code: CodeParam, id: IdParam };

/** What tells one registry collection's four operations from another's. */
interface RegistryCrud<Key extends keyof typeof keyParams, Query extends z.ZodObject, Input extends z.ZodObject, Item extends z.ZodType> {
  /** `cloud`: tagged `clouds`, at /api/v1/clouds, operations `listClouds`, `getCloud`, … */
  noun: string;
  key: Key;
  /** The list's summary; the others default to `One cloud`, `Register a cloud`, `Change some fields of a cloud`. */
  summaries: { list: string; get?: string; create?: string; update?: string };
  schemas: { query: Query; input: Input; item: Item };
}

/**
 * List, get, create and update of one registry collection, in that order (the order of
 * /openapi.json). The PATCH body is the input with every field optional, named `{Noun}Patch`.
 */
function registryCrudRoutes<
  Key extends keyof typeof keyParams,
  Query extends z.ZodObject,
  Input extends z.ZodObject,
  Item extends z.ZodType,
>({ noun, key, summaries, schemas }: RegistryCrud<Key, Query, Input, Item>) {
  const one = noun.charAt(0).toUpperCase() + noun.slice(1);
  const route = routesTagged(`${noun}s`);
  const collection = `/api/v1/${noun}s`;
  const record = `${collection}/{${key}}`;
  return {
    list: route.get(collection, `list${one}s`, {
      summary: summaries.list,
      query: schemas.query,
      responses: { 200: json(`A page of ${noun}s`, pageOf(schemas.item)) },
    }),
    get: route.get(record, `get${one}`, {
      summary: summaries.get ?? `One ${noun}`,
      params: keyParams[key],
      responses: { 200: json(`The ${noun}`, schemas.item) },
    }),
    create: route.post(collection, `create${one}`, {
      summary: summaries.create ?? `Register a ${noun}`,
      body: schemas.input,
      responses: { 201: json(`The new ${noun}`, schemas.item) },
    }),
    update: route.patch(record, `update${one}`, {
      summary: summaries.update ?? `Change some fields of a ${noun}`,
      params: keyParams[key],
      body: patchOf(schemas.input).openapi(`${one}Patch`),
      responses: { 200: json(`The ${noun} as changed`, schemas.item) },
    }),
  };
}

const clouds = registryCrudRoutes({
  noun: 'cloud',
  key: 'code',
  summaries: { list: 'List government clouds (政务云), filtered and paged' },
  schemas: {
    query: PageQuery.extend({
      q,
      region,
      kind: z.enum(cloudKinds).optional(),
      role: z.enum(cloudRoles).optional(),
      at,
      state: z.enum(cloudStates).optional().openapi({ description: 'Only the clouds in this build-out state on `at`' }),
    }),
    input: CloudInput,
    item: Cloud,
  },
});

const tenants = registryCrudRoutes({
  noun: 'tenant',
  key: 'id',
  summaries: {
    list: 'List cloud tenants (云租户), filtered and paged',
    create: "Register a department's tenancy on a cloud (unique by cloud and external id)",
    update: 'Change some fields of a tenant; its cloud cannot change',
  },
  schemas: {
    query: PageQuery.extend({
      q: z.string().max(200).optional().openapi({ description: 'External id contains this text (case-insensitive)' }),
      cloud,
      department,
      region: region.openapi({ description: "Region code of the tenant's department; the whole subtree is included" }),
    }),
    input: TenantInput,
    item: Tenant,
  },
});

const buildOut = routesTagged('clouds').get('/api/v1/cloud-build-out', 'getCloudBuildOut', {
  summary: 'How many clouds of each kind and role are planned, being built, in service or retired on a date (the 1+N+14 build-out)',
  query: z.object({ at }),
  responses: {
    200: json(
      'Counts by kind and role',
      z
        .object({
          at: isoDate,
          items: z.array(
            z.object({
              kind: z.enum(cloudKinds),
              role: z.enum(cloudRoles),
              planned: z.number().int(),
              building: z.number().int(),
              in_service: z.number().int(),
              retired: z.number().int(),
              total: z.number().int(),
            }),
          ),
        })
        .openapi('CloudBuildOut'),
    ),
  },
});

const extranetRoute = routesTagged('network-nodes');
const extranetRoutes = {
  get: extranetRoute.get('/api/v1/extranet', 'getExtranet', {
    summary: "The e-government extranet's (电子政务外网) 等保 protection: level, filing number, last assessment",
    responses: { 200: json('The extranet', Extranet) },
  }),
  put: extranetRoute.put('/api/v1/extranet', 'updateExtranet', {
    summary: "Record the extranet's 等保 protection (ops)",
    body: ExtranetInput,
    responses: { 200: json('The extranet as recorded', Extranet) },
  }),
};

/** The clouds', the extranet's and the tenants' operations: not record kinds (no lifecycle, no spreadsheet). */
export function registerCloudRoutes(app: OpenAPIHono<AppEnv>) {
  const created = (path: string) => ({ Location: path });
  app.openapi(buildOut, async (c) => c.json(await cloudBuildOut(c.get('db'), c.get('actor'), c.req.valid('query').at), 200));
  app.openapi(clouds.list, async (c) => c.json(await listClouds(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  app.openapi(clouds.get, async (c) => c.json(await readCloud(c.get('db'), c.req.valid('param').code, c.get('actor')), 200));
  app.openapi(clouds.create, async (c) => {
    const item = await createCloud(c.get('db'), c.req.valid('json'), c.get('actor'));
    return c.json(item, 201, created(`/api/v1/clouds/${encodeURIComponent(item.code)}`));
  });
  app.openapi(clouds.update, async (c) =>
    c.json(await updateCloud(c.get('db'), c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 200),
  );

  app.openapi(extranetRoutes.get, async (c) => c.json(await readExtranet(c.get('db'), c.get('actor')), 200));
  app.openapi(extranetRoutes.put, async (c) => c.json(await updateExtranet(c.get('db'), c.req.valid('json'), c.get('actor')), 200));

  app.openapi(tenants.list, async (c) => c.json(await listTenants(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  app.openapi(tenants.get, async (c) => c.json(await readTenant(c.get('db'), c.req.valid('param').id, c.get('actor')), 200));
  app.openapi(tenants.create, async (c) => {
    const item = await createTenant(c.get('db'), c.req.valid('json'), c.get('actor'));
    return c.json(item, 201, created(`/api/v1/tenants/${item.id}`));
  });
  app.openapi(tenants.update, async (c) =>
    c.json(await updateTenant(c.get('db'), c.req.valid('param').id, c.req.valid('json'), c.get('actor')), 200),
  );
}
