import { createHash, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { routePattern } from '../http/access-log.ts';
import { problemResponse } from '../http/middleware.ts';
import type { AppEnv } from '../http/router.ts';
import { AppError } from '../kernel/errors.ts';
import type { AppMetrics } from './registry.ts';

const bearer = /^Bearer\s+(\S+)\s*$/i;
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Without a token /metrics answers this machine only (`npm start` beside a local Prometheus):
 * the socket's peer, never X-Forwarded-For. A request with no socket is the app calling itself
 * (the warm-up scrape, tests). Behind a reverse proxy on the same host, set the token.
 */
function fromThisMachine(c: Context<AppEnv>): boolean {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    return true;
  }
  return address === undefined || address === '::1' || /^(::ffff:)?127\./.test(address);
}

/**
 * GET /metrics: the Prometheus exposition of the one registry. With `token` set
 * (YUNWANG_METRICS_TOKEN, as the Kubernetes manifests do) only a scraper sending
 * `Authorization: Bearer <token>` reads it; without, only this machine does.
 */
export function registerMetricsRoute(app: OpenAPIHono<AppEnv>, metrics: AppMetrics, isReady: () => boolean, token?: string) {
  const expected = token ? digest(token) : null;
  app.get('/metrics', async (c) => {
    if (expected) {
      const given = bearer.exec(c.req.header('authorization') ?? '')?.[1];
      // Compared as digests: equal length, constant time.
      if (!given || !timingSafeEqual(digest(given), expected)) {
        c.header('WWW-Authenticate', 'Bearer realm="yunwang-metrics"');
        return problemResponse(c, new AppError('unauthorized', 'this /metrics needs Authorization: Bearer <YUNWANG_METRICS_TOKEN>'));
      }
    } else if (!fromThisMachine(c)) {
      return problemResponse(c, new AppError('forbidden', '/metrics answers this machine only unless YUNWANG_METRICS_TOKEN is set'));
    }
    if (!isReady()) return problemResponse(c, new AppError('not_ready', 'database is being prepared'));
    return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  });
}

/**
 * Times every request under the route PATTERN it matched (`/api/v1/systems/:code`), never the
 * raw path: a label per URL would grow without bound. Requests no route matched share one label.
 */
export function requestTimer(metrics: AppMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.observeRequest(c.req.method, routePattern(c), c.res.status, (performance.now() - started) / 1000);
    }
  };
}
