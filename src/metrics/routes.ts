import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Registry } from 'prom-client';
import { AppError } from '../http/errors.ts';
import { problemResponse } from '../http/middleware.ts';
import type { AppEnv } from '../http/router.ts';

/** GET /metrics: the Prometheus exposition of the one registry. */
export function registerMetricsRoute(app: OpenAPIHono<AppEnv>, registry: Registry, isReady: () => boolean) {
  app.get('/metrics', async (c) => {
    if (!isReady()) return problemResponse(c, new AppError('not_ready', 'database is being prepared'));
    return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
  });
}
