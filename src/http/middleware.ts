import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isTransientDatabaseError } from '../db/transient.ts';
import { AppError, type ErrorCode, fromDatabaseError, toProblem } from '../kernel/errors.ts';
import type { Logger } from '../kernel/log.ts';
import type { AppEnv } from './router.ts';

const requestIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

/** Keeps a sane caller-supplied X-Request-Id (so traces join up), else makes one. */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const given = c.req.header('x-request-id');
  const id = given && requestIdPattern.test(given) ? given : randomUUID();
  c.set('requestId', id);
  c.header('X-Request-Id', id);
  await next();
};

export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  const retryAfter = error.retryAfterSeconds;
  return c.body(JSON.stringify(toProblem(error, c.get('requestId'))), error.status, {
    'Content-Type': 'application/problem+json',
    // Agents back off by it: a 429 or 503 always says when to come back.
    ...(retryAfter === undefined ? {} : { 'Retry-After': String(Math.ceil(retryAfter)) }),
  });
}

/** The one error handler: everything leaves as problem+json, internals never leak. */
export function onError(logger: Logger) {
  return (err: Error, c: Context<AppEnv>): Response => {
    if (err instanceof AppError) return problemResponse(c, err);
    if (err instanceof HTTPException) {
      const status = err.status;
      const codes: Partial<Record<number, ErrorCode>> = {
        401: 'unauthorized',
        404: 'not_found',
        413: 'payload_too_large',
        415: 'unsupported_media_type',
        429: 'too_many_requests',
      };
      const code = codes[status] ?? 'bad_request';
      return problemResponse(c, new AppError(code, err.message || 'request refused'));
    }
    if (err instanceof SyntaxError) return problemResponse(c, new AppError('bad_request', `malformed JSON body: ${err.message}`));
    const refusedValue = fromDatabaseError(err);
    if (refusedValue) return problemResponse(c, refusedValue);
    if (isTransientDatabaseError(err)) {
      logger.warn({ request_id: c.get('requestId'), err }, 'database unavailable');
      return problemResponse(c, new AppError('unavailable', 'the database is unavailable; retry later'));
    }
    // The error serializer (kernel/log.ts) drops a failed query's parameters.
    logger.error({ request_id: c.get('requestId'), err }, 'request failed');
    return problemResponse(c, new AppError('internal', 'unexpected error; quote the request id when reporting it'));
  };
}

function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // app.request() in tests has no socket.
    return undefined;
  }
}

/**
 * The client's address for the audit trail and rate limits. Each of the `trustedProxies`
 * proxies in front appends the address it saw to X-Forwarded-For, so the client is the n-th
 * entry from the right; anything left of it is whatever the client chose to send. Without
 * trusted proxies, or with fewer entries than hops, the socket's address.
 */
export function clientAddress(c: Context, trustedProxies: number): string | undefined {
  const socket = socketAddress(c);
  if (trustedProxies <= 0) return socket;
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const client = hops[hops.length - trustedProxies];
  return client && isIP(client) ? client : socket;
}
