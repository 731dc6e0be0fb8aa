import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from '../kernel/log.ts';
import type { AppEnv } from './router.ts';

/**
 * The route PATTERN a request matched (`/api/v1/systems/:code`), never the raw path: a label
 * per URL would grow without bound, and a path or query string may carry what must not be
 * logged. Requests no route matched share one name.
 */
export function routePattern(c: Context): string {
  // The last matched route that is not a middleware (`app.use` registers as ALL) is the endpoint.
  const endpoint = matchedRoutes(c)
    .filter((r) => r.method !== 'ALL')
    .pop();
  return endpoint?.path ?? '(unmatched)';
}

/** Who made the request, as the audit trail names them: a user, `agent:<name>`, or nobody. */
function caller(c: Context<AppEnv>): Record<string, string> {
  const name = c.get('actor')?.name;
  if (!name || name === 'anonymous') return {};
  if (name.startsWith('agent:')) return { agent: name.slice('agent:'.length) };
  const via = c.get('principal')?.via;
  return via ? { user: name, via } : { user: name };
}

/**
 * One access-log line per request, at info: method, route pattern, status, duration, request
 * id and the caller. Nothing the client sent is copied: no path, query string, header or body,
 * so no token, cookie, password or TOTP code can reach the log by this way.
 */
export function accessLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      if (logger.isLevelEnabled('info')) {
        logger.info(
          {
            request_id: c.get('requestId'),
            method: c.req.method,
            route: routePattern(c),
            status: c.res.status,
            duration_ms: Math.round((performance.now() - started) * 10) / 10,
            ...caller(c),
          },
          'request',
        );
      }
    }
  };
}
