import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { cloudKinds, cloudRoles } from '../db/schema/enums.ts';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { CodeParam, IdParam, PageQuery, pageOf } from '../http/schemas.ts';
import { createCloud, listClouds, readCloud, updateCloud } from './clouds.ts';
import { cloud, department, q, region, stamps, timestamp } from './fields.ts';
import { patchOf } from './route-parts.ts';
import { CloudInput, TenantInput } from './schemas.ts';
import { createTenant, listTenants, readTenant, updateTenant } from './tenants.ts';

const Cloud = CloudInput.extend(stamps).openapi('Cloud');
const Tenant = TenantInput.extend({ ...stamps, last_report_at: timestamp.nullable() }).openapi('Tenant');

const cloudRoute = routesTagged('clouds');
const tenantRoute = routesTagged('tenants');

const listCloudsRoute = cloudRoute.get('/api/v1/clouds', 'listClouds', {
  summary: 'List government clouds (政务云), filtered and paged',
  query: PageQuery.extend({ q, region, kind: z.enum(cloudKinds).optional(), role: z.enum(cloudRoles).optional() }),
  responses: { 200: json('A page of clouds', pageOf(Cloud)) },
});

const getCloudRoute = cloudRoute.get('/api/v1/clouds/{code}', 'getCloud', {
  summary: 'One cloud',
  params: CodeParam,
  responses: { 200: json('The cloud', Cloud) },
});

const createCloudRoute = cloudRoute.post('/api/v1/clouds', 'createCloud', {
  summary: 'Register a cloud',
  body: CloudInput,
  responses: { 201: json('The new cloud', Cloud) },
});

const updateCloudRoute = cloudRoute.patch('/api/v1/clouds/{code}', 'updateCloud', {
  summary: 'Change some fields of a cloud',
  params: CodeParam,
  body: patchOf(CloudInput).openapi('CloudPatch'),
  responses: { 200: json('The cloud as changed', Cloud) },
});

const listTenantsRoute = tenantRoute.get('/api/v1/tenants', 'listTenants', {
  summary: 'List cloud tenants (云租户), filtered and paged',
  query: PageQuery.extend({
    q: z.string().max(200).optional().openapi({ description: 'External id contains this text (case-insensitive)' }),
    cloud,
    department,
    region: region.openapi({ description: "Region code of the tenant's department; the whole subtree is included" }),
  }),
  responses: { 200: json('A page of tenants', pageOf(Tenant)) },
});

const getTenantRoute = tenantRoute.get('/api/v1/tenants/{id}', 'getTenant', {
  summary: 'One tenant',
  params: IdParam,
  responses: { 200: json('The tenant', Tenant) },
});

const createTenantRoute = tenantRoute.post('/api/v1/tenants', 'createTenant', {
  summary: "Register a department's tenancy on a cloud (unique by cloud and external id)",
  body: TenantInput,
  responses: { 201: json('The new tenant', Tenant) },
});

const updateTenantRoute = tenantRoute.patch('/api/v1/tenants/{id}', 'updateTenant', {
  summary: 'Change some fields of a tenant; its cloud cannot change',
  params: IdParam,
  body: patchOf(TenantInput).openapi('TenantPatch'),
  responses: { 200: json('The tenant as changed', Tenant) },
});

/** The clouds' and tenants' operations: not record kinds (no lifecycle, no spreadsheet). */
export function registerCloudRoutes(app: OpenAPIHono<AppEnv>) {
  const created = (path: string) => ({ Location: path });
  app.openapi(listCloudsRoute, async (c) => c.json(await listClouds(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  app.openapi(getCloudRoute, async (c) => c.json(await readCloud(c.get('db'), c.req.valid('param').code, c.get('actor')), 200));
  app.openapi(createCloudRoute, async (c) => {
    const item = await createCloud(c.get('db'), c.req.valid('json'), c.get('actor'));
    return c.json(item, 201, created(`/api/v1/clouds/${encodeURIComponent(item.code)}`));
  });
  app.openapi(updateCloudRoute, async (c) =>
    c.json(await updateCloud(c.get('db'), c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 200),
  );

  app.openapi(listTenantsRoute, async (c) => c.json(await listTenants(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  app.openapi(getTenantRoute, async (c) => c.json(await readTenant(c.get('db'), c.req.valid('param').id, c.get('actor')), 200));
  app.openapi(createTenantRoute, async (c) => {
    const item = await createTenant(c.get('db'), c.req.valid('json'), c.get('actor'));
    return c.json(item, 201, created(`/api/v1/tenants/${item.id}`));
  });
  app.openapi(updateTenantRoute, async (c) =>
    c.json(await updateTenant(c.get('db'), c.req.valid('param').id, c.req.valid('json'), c.get('actor')), 200),
  );
}
