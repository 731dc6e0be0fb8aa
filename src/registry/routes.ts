import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  classifications,
  cloudKinds,
  cloudRoles,
  commissionStates,
  extranetStates,
  integrationStates,
  nodeLiveStates,
  nodeTiers,
  privateNetworkStates,
  systemStates,
  systemTypes,
} from '../db/schema/enums.ts';
import { type AppEnv, errorResponses, PageQuery, ProblemSchema } from '../http/router.ts';
import {
  CloudInput,
  DepartmentInput,
  isoDate,
  NetworkNodeInput,
  PrivateNetworkInput,
  ServiceItemInput,
  SystemInput,
  TenantInput,
} from './schemas.ts';
import {
  createCloud,
  createRecord,
  createTenant,
  listClouds,
  listRecords,
  listTenants,
  patchRecord,
  readCloud,
  readRecord,
  readTenant,
  updateCloud,
  updateTenant,
} from './service.ts';
import { listTransitions, transitionRecord } from './transitions.ts';

// ---------------------------------------------------------------------------------------------
// Schemas

const timestamp = z.string().openapi({ format: 'date-time' });
const stamps = { id: z.number().int(), created_at: timestamp, updated_at: timestamp };

type PatchShape<S extends z.ZodRawShape> = {
  [F in keyof S]: z.ZodOptional<S[F] extends z.ZodDefault<infer Inner> ? Inner : S[F]>;
};

/**
 * A PATCH body: every field of the input, optional, without its default — zod would fill
 * a missing field with the default and the patch would overwrite the stored value. Strict,
 * so a misspelt field is an error rather than a silent no-op.
 */
function patchOf<S extends z.ZodRawShape>(input: z.ZodObject<S>) {
  const shape = Object.fromEntries(
    Object.entries(input.shape).map(([field, schema]) => [field, z.optional(schema instanceof z.ZodDefault ? schema.unwrap() : schema)]),
  );
  // Built by iterating the shape, so TS cannot see that it is PatchShape<S>.
  return z.strictObject(shape) as unknown as z.ZodObject<PatchShape<S>, z.core.$strict>;
}

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

const Department = DepartmentInput.extend(stamps).openapi('Department');
const System = SystemInput.extend({ ...stamps, verified_at: timestamp.nullable() }).openapi('System');
const PrivateNetwork = PrivateNetworkInput.extend(stamps).openapi('PrivateNetwork');
const ServiceItem = ServiceItemInput.extend(stamps).openapi('ServiceItem');
const NetworkNode = NetworkNodeInput.extend({
  ...stamps,
  live_state: z.enum(nodeLiveStates).openapi({ description: 'From the network agents; `unknown` when silent for 3× their interval' }),
  latency_ms: z.number().nullable(),
  loss: z.number().nullable(),
  last_sample_at: timestamp.nullable(),
}).openapi('NetworkNode');
const Cloud = CloudInput.extend(stamps).openapi('Cloud');
const Tenant = TenantInput.extend({ ...stamps, last_report_at: timestamp.nullable() }).openapi('Tenant');

const q = z.string().max(200).optional().openapi({ description: 'Name or code contains this text (case-insensitive)' });
const department = z.string().optional().openapi({ description: 'Department code; its sub-departments are included' });
const region = z.string().optional().openapi({ description: 'Region code; the whole subtree is included', example: '450100' });
const cloud = z.string().optional().openapi({ description: 'Cloud code' });
const classification = z.enum(classifications).optional();

const CodeParam = z.object({
  code: z
    .string()
    .min(1)
    .openapi({ param: { name: 'code', in: 'path' }, example: 'GX-SYS-0001' }),
});
const IdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

const transitionBody = <T extends readonly [string, ...string[]]>(states: T) =>
  z.object({
    to: z.enum(states),
    effective_at: isoDate.optional().openapi({ description: 'Business date YYYY-MM-DD the move took effect; default today' }),
    note: z.string().max(2000).optional(),
  });

const TransitionHistory = z
  .object({
    items: z.array(
      z.object({
        id: z.number().int(),
        field: z.enum(['state', 'classification']),
        from: z.string().nullable(),
        to: z.string(),
        effective_at: z.string().nullable().openapi({ description: 'null: in force since always' }),
        recorded_at: timestamp,
        actor: z.string(),
        note: z.string().nullable(),
        superseded_at: timestamp.nullable().openapi({ description: 'Set when a later declaration contradicted it' }),
      }),
    ),
    timeline: z.array(
      z.object({
        valid_from: z.string().nullable(),
        valid_to: z.string().nullable(),
        state: z.string(),
        classification: z.string().nullable(),
      }),
    ),
  })
  .openapi('TransitionHistory');

const conflict = {
  409: {
    description: 'The code is taken, or the move breaks the lifecycle or the history',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
} as const;

const json = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

// ---------------------------------------------------------------------------------------------
// Routes of the five importable kinds

interface KindNames {
  /** Singular and plural in PascalCase, for operation ids. */
  one: string;
  many: string;
  /** Plain words, for summaries. */
  noun: string;
}

function kindRoutes<
  Kind extends string,
  Item extends z.ZodType,
  Input extends z.ZodType,
  Patch extends z.ZodType,
  Query extends z.ZodObject,
  Transition extends z.ZodType,
>(kind: Kind, names: KindNames, s: { item: Item; input: Input; patch: Patch; query: Query; transition: Transition }) {
  const collection = `/api/v1/${kind}` as const;
  const one = `/api/v1/${kind}/{code}` as const;
  const history = `/api/v1/${kind}/{code}/transitions` as const;
  const tags = [kind];
  return {
    list: createRoute({
      method: 'get',
      path: collection,
      operationId: `list${names.many}`,
      tags,
      summary: `List ${names.noun}s, filtered and paged`,
      request: { query: s.query },
      responses: { 200: json(`A page of ${names.noun}s`, pageOf(s.item)), ...errorResponses },
    }),
    get: createRoute({
      method: 'get',
      path: one,
      operationId: `get${names.one}`,
      tags,
      summary: `One ${names.noun}`,
      request: { params: CodeParam },
      responses: { 200: json(`The ${names.noun}`, s.item), ...errorResponses },
    }),
    create: createRoute({
      method: 'post',
      path: collection,
      operationId: `create${names.one}`,
      tags,
      summary: `Register a ${names.noun} (same rules as the spreadsheet import)`,
      request: body(s.input),
      responses: { 201: json(`The new ${names.noun}`, s.item), ...conflict, ...errorResponses },
    }),
    patch: createRoute({
      method: 'patch',
      path: one,
      operationId: `update${names.one}`,
      tags,
      summary: `Change some fields of a ${names.noun}; its state moves only by transitions`,
      request: { params: CodeParam, ...body(s.patch) },
      responses: { 200: json(`The ${names.noun} as changed`, s.item), ...errorResponses },
    }),
    transition: createRoute({
      method: 'post',
      path: history,
      operationId: `transition${names.one}`,
      tags,
      summary: `Move a ${names.noun} to another state as of a business date`,
      request: { params: CodeParam, ...body(s.transition) },
      responses: { 200: json(`The ${names.noun} in its new state`, s.item), ...conflict, ...errorResponses },
    }),
    history: createRoute({
      method: 'get',
      path: history,
      operationId: `list${names.one}Transitions`,
      tags,
      summary: `Every recorded state change of a ${names.noun}, superseded ones included, and its timeline`,
      request: { params: CodeParam },
      responses: { 200: json('Transitions in recording order', TransitionHistory), ...errorResponses },
    }),
  };
}

const departmentRoutes = kindRoutes(
  'departments',
  { one: 'Department', many: 'Departments', noun: 'department' },
  {
    item: Department,
    input: DepartmentInput,
    patch: patchOf(DepartmentInput).openapi('DepartmentPatch'),
    query: PageQuery.extend({ q, department, region, state: z.enum(extranetStates).optional() }),
    transition: transitionBody(extranetStates),
  },
);

const systemRoutes = kindRoutes(
  'systems',
  { one: 'System', many: 'Systems', noun: 'system' },
  {
    item: System,
    input: SystemInput,
    patch: patchOf(SystemInput).openapi('SystemPatch'),
    query: PageQuery.extend({ q, department, region, state: z.enum(systemStates).optional(), classification, cloud }),
    transition: transitionBody(systemStates),
  },
);

const privateNetworkRoutes = kindRoutes(
  'private-networks',
  { one: 'PrivateNetwork', many: 'PrivateNetworks', noun: 'private network' },
  {
    item: PrivateNetwork,
    input: PrivateNetworkInput,
    patch: patchOf(PrivateNetworkInput).openapi('PrivateNetworkPatch'),
    query: PageQuery.extend({ q, department, region, state: z.enum(privateNetworkStates).optional(), classification }),
    transition: transitionBody(privateNetworkStates),
  },
);

const serviceItemRoutes = kindRoutes(
  'service-items',
  { one: 'ServiceItem', many: 'ServiceItems', noun: 'service item' },
  {
    item: ServiceItem,
    input: ServiceItemInput,
    patch: patchOf(ServiceItemInput).openapi('ServiceItemPatch'),
    query: PageQuery.extend({
      q,
      department,
      region,
      state: z.enum(integrationStates).optional(),
      system_type: z.enum(systemTypes).optional(),
    }),
    transition: transitionBody(integrationStates),
  },
);

const networkNodeRoutes = kindRoutes(
  'network-nodes',
  { one: 'NetworkNode', many: 'NetworkNodes', noun: 'network node' },
  {
    item: NetworkNode,
    input: NetworkNodeInput,
    patch: patchOf(NetworkNodeInput).openapi('NetworkNodePatch'),
    query: PageQuery.extend({ q, region, state: z.enum(commissionStates).optional(), tier: z.enum(nodeTiers).optional() }),
    transition: transitionBody(commissionStates),
  },
);

// ---------------------------------------------------------------------------------------------
// Clouds and tenants

const listCloudsRoute = createRoute({
  method: 'get',
  path: '/api/v1/clouds',
  operationId: 'listClouds',
  tags: ['clouds'],
  summary: 'List government clouds (政务云), filtered and paged',
  request: { query: PageQuery.extend({ q, region, kind: z.enum(cloudKinds).optional(), role: z.enum(cloudRoles).optional() }) },
  responses: { 200: json('A page of clouds', pageOf(Cloud)), ...errorResponses },
});

const getCloudRoute = createRoute({
  method: 'get',
  path: '/api/v1/clouds/{code}',
  operationId: 'getCloud',
  tags: ['clouds'],
  summary: 'One cloud',
  request: { params: CodeParam },
  responses: { 200: json('The cloud', Cloud), ...errorResponses },
});

const createCloudRoute = createRoute({
  method: 'post',
  path: '/api/v1/clouds',
  operationId: 'createCloud',
  tags: ['clouds'],
  summary: 'Register a cloud',
  request: body(CloudInput),
  responses: { 201: json('The new cloud', Cloud), ...conflict, ...errorResponses },
});

const updateCloudRoute = createRoute({
  method: 'patch',
  path: '/api/v1/clouds/{code}',
  operationId: 'updateCloud',
  tags: ['clouds'],
  summary: 'Change some fields of a cloud',
  request: { params: CodeParam, ...body(patchOf(CloudInput).openapi('CloudPatch')) },
  responses: { 200: json('The cloud as changed', Cloud), ...errorResponses },
});

const listTenantsRoute = createRoute({
  method: 'get',
  path: '/api/v1/tenants',
  operationId: 'listTenants',
  tags: ['tenants'],
  summary: 'List cloud tenants (云租户), filtered and paged',
  request: {
    query: PageQuery.extend({
      q: z.string().max(200).optional().openapi({ description: 'External id contains this text (case-insensitive)' }),
      cloud,
      department,
      region: region.openapi({ description: "Region code of the tenant's department; the whole subtree is included" }),
    }),
  },
  responses: { 200: json('A page of tenants', pageOf(Tenant)), ...errorResponses },
});

const getTenantRoute = createRoute({
  method: 'get',
  path: '/api/v1/tenants/{id}',
  operationId: 'getTenant',
  tags: ['tenants'],
  summary: 'One tenant',
  request: { params: IdParam },
  responses: { 200: json('The tenant', Tenant), ...errorResponses },
});

const createTenantRoute = createRoute({
  method: 'post',
  path: '/api/v1/tenants',
  operationId: 'createTenant',
  tags: ['tenants'],
  summary: "Register a department's tenancy on a cloud (unique by cloud and external id)",
  request: body(TenantInput),
  responses: { 201: json('The new tenant', Tenant), ...conflict, ...errorResponses },
});

const updateTenantRoute = createRoute({
  method: 'patch',
  path: '/api/v1/tenants/{id}',
  operationId: 'updateTenant',
  tags: ['tenants'],
  summary: 'Change some fields of a tenant; its cloud cannot change',
  request: { params: IdParam, ...body(patchOf(TenantInput).openapi('TenantPatch')) },
  responses: { 200: json('The tenant as changed', Tenant), ...conflict, ...errorResponses },
});

// ---------------------------------------------------------------------------------------------

/**
 * The registry API. Each kind is spelt out rather than looped over: the handlers' types
 * come from their own route's schemas, which a generic loop would erase.
 */
export function registerRegistryRoutes(app: OpenAPIHono<AppEnv>, options: { backdateDays: number }) {
  const created = (path: string) => ({ Location: path });

  {
    const r = departmentRoutes;
    const kind = 'departments';
    app.openapi(r.list, async (c) => c.json(await listRecords(c.get('db'), kind, c.req.valid('query'), c.get('actor')), 200));
    app.openapi(r.get, async (c) => c.json(await readRecord(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
    app.openapi(r.create, async (c) => {
      const item = await createRecord(c.get('db'), kind, c.req.valid('json'), c.get('actor'));
      return c.json(item, 201, created(`/api/v1/${kind}/${encodeURIComponent(item.code)}`));
    });
    app.openapi(r.patch, async (c) =>
      c.json(await patchRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 200),
    );
    app.openapi(r.transition, async (c) =>
      c.json(await transitionRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor'), options), 200),
    );
    app.openapi(r.history, async (c) => c.json(await listTransitions(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
  }
  {
    const r = systemRoutes;
    const kind = 'systems';
    app.openapi(r.list, async (c) => c.json(await listRecords(c.get('db'), kind, c.req.valid('query'), c.get('actor')), 200));
    app.openapi(r.get, async (c) => c.json(await readRecord(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
    app.openapi(r.create, async (c) => {
      const item = await createRecord(c.get('db'), kind, c.req.valid('json'), c.get('actor'));
      return c.json(item, 201, created(`/api/v1/${kind}/${encodeURIComponent(item.code)}`));
    });
    app.openapi(r.patch, async (c) =>
      c.json(await patchRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 200),
    );
    app.openapi(r.transition, async (c) =>
      c.json(await transitionRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor'), options), 200),
    );
    app.openapi(r.history, async (c) => c.json(await listTransitions(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
  }
  {
    const r = privateNetworkRoutes;
    const kind = 'private-networks';
    app.openapi(r.list, async (c) => c.json(await listRecords(c.get('db'), kind, c.req.valid('query'), c.get('actor')), 200));
    app.openapi(r.get, async (c) => c.json(await readRecord(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
    app.openapi(r.create, async (c) => {
      const item = await createRecord(c.get('db'), kind, c.req.valid('json'), c.get('actor'));
      return c.json(item, 201, created(`/api/v1/${kind}/${encodeURIComponent(item.code)}`));
    });
    app.openapi(r.patch, async (c) =>
      c.json(await patchRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 200),
    );
    app.openapi(r.transition, async (c) =>
      c.json(await transitionRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor'), options), 200),
    );
    app.openapi(r.history, async (c) => c.json(await listTransitions(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
  }
  {
    const r = serviceItemRoutes;
    const kind = 'service-items';
    app.openapi(r.list, async (c) => c.json(await listRecords(c.get('db'), kind, c.req.valid('query'), c.get('actor')), 200));
    app.openapi(r.get, async (c) => c.json(await readRecord(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
    app.openapi(r.create, async (c) => {
      const item = await createRecord(c.get('db'), kind, c.req.valid('json'), c.get('actor'));
      return c.json(item, 201, created(`/api/v1/${kind}/${encodeURIComponent(item.code)}`));
    });
    app.openapi(r.patch, async (c) =>
      c.json(await patchRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 200),
    );
    app.openapi(r.transition, async (c) =>
      c.json(await transitionRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor'), options), 200),
    );
    app.openapi(r.history, async (c) => c.json(await listTransitions(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
  }
  {
    const r = networkNodeRoutes;
    const kind = 'network-nodes';
    app.openapi(r.list, async (c) => c.json(await listRecords(c.get('db'), kind, c.req.valid('query'), c.get('actor')), 200));
    app.openapi(r.get, async (c) => c.json(await readRecord(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
    app.openapi(r.create, async (c) => {
      const item = await createRecord(c.get('db'), kind, c.req.valid('json'), c.get('actor'));
      return c.json(item, 201, created(`/api/v1/${kind}/${encodeURIComponent(item.code)}`));
    });
    app.openapi(r.patch, async (c) =>
      c.json(await patchRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 200),
    );
    app.openapi(r.transition, async (c) =>
      c.json(await transitionRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor'), options), 200),
    );
    app.openapi(r.history, async (c) => c.json(await listTransitions(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
  }

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
