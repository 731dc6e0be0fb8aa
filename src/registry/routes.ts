import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/router.ts';
import { registerCloudRoutes } from './cloud-routes.ts';
import { registerKindRoutes } from './kind-routes.ts';
import { recordKinds } from './kinds/index.ts';

/** The registry API: every record kind's operations, derived from its descriptor, then clouds and tenants. */
export function registerRegistryRoutes(app: OpenAPIHono<AppEnv>, options: { backdateDays: number }) {
  for (const kind of recordKinds()) registerKindRoutes(app, kind, options);
  registerCloudRoutes(app);
}
