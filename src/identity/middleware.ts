import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { recordAudit } from '../audit/service.ts';
import type { Database } from '../db/client.ts';
import { problemResponse } from '../http/middleware.ts';
import type { AppEnv } from '../http/router.ts';
import { AppError } from '../kernel/errors.ts';
import { can } from './access.ts';
import type { Actor } from './actor.ts';
import { restrictedOperations, routePolicy } from './policy.ts';
import { type PrincipalCache, principalCache } from './principal-cache.ts';
import { readSession } from './sessions.ts';
import { readToken } from './tokens.ts';

export const sessionCookie = 'yunwang_session';
const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const anonymousActor = (c: Context<AppEnv>): Actor => ({
  name: 'anonymous',
  access: { root: false, userId: 0, roles: new Set(), department: null, readOnly: true },
  requestId: c.get('requestId'),
  sourceIp: c.get('sourceIp'),
});

/** Resolves the caller from the session cookie or a `Bearer yw_…` token; anonymous otherwise. */
export function authenticate(database: Database, principals: PrincipalCache = principalCache()): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const cookie = getCookie(c, sessionCookie);
    const now = new Date();
    const principal = bearer
      ? await principals.get(database.db, `token:${bearer}`, now, () => readToken(database.db, bearer, now))
      : cookie
        ? await principals.get(database.db, `session:${cookie}`, now, () => readSession(database.db, cookie, now))
        : null;
    c.set('principal', principal);
    c.set(
      'actor',
      principal
        ? { name: principal.user.name, access: principal.access, requestId: c.get('requestId'), sourceIp: c.get('sourceIp') }
        : anonymousActor(c),
    );
    await next();
  };
}

/**
 * Deny by default: every API operation needs a rule in routePolicy, a caller who satisfies
 * it, and — for cookie-authenticated writes — the session's CSRF token. Refused writes
 * are audited, whether refused here or by the service.
 */
export function authorize(
  database: Database,
  operationOf: (method: string, path: string) => string | undefined,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const operationId = operationOf(c.req.method, c.req.path);
    // Not an API operation: the router answers 404 (or 405) itself.
    if (!operationId) return next();
    const rule = routePolicy[operationId];
    const principal = c.get('principal');
    const refuse = async (error: AppError) => {
      if (unsafe.has(c.req.method) && principal) {
        await recordAudit(database.db, c.get('actor'), [
          { action: operationId, entityKind: 'request', entityCode: c.req.path, result: 'denied', after: { reason: error.message } },
        ]);
      }
      return problemResponse(c, error);
    };
    if (!rule) return refuse(new AppError('forbidden', `operation ${operationId} has no authorization rule; it is refused`));
    if ('public' in rule || 'agent' in rule) return next();
    if (!principal) return problemResponse(c, new AppError('unauthorized', 'sign in, or send an API token (Authorization: Bearer yw_…)'));
    if (principal.restriction && !restrictedOperations.has(operationId)) {
      const what = principal.restriction === 'password_change' ? 'change your initial password' : 'enrol a second factor (TOTP)';
      return refuse(
        new AppError('forbidden', `${what} first (POST /api/v1/auth/${principal.restriction === 'password_change' ? 'password' : 'totp'})`),
      );
    }
    if (principal.via === 'session' && unsafe.has(c.req.method)) {
      const sent = c.req.header('x-csrf-token');
      if (!sent || sent !== principal.csrfToken) {
        return refuse(new AppError('forbidden', 'missing or wrong X-CSRF-Token header (cross-site request refused)'));
      }
    }
    // A read-scope token uses safe methods only, on its user's own account too: it may not
    // mint a write token, revoke tokens or touch the password or second factor.
    if (!principal.access.root && principal.access.readOnly && unsafe.has(c.req.method)) {
      return refuse(new AppError('forbidden', 'a read-only API token cannot make changes'));
    }
    if ('area' in rule && !can(principal.access, rule.action, rule.area)) {
      return refuse(new AppError('forbidden', `your roles may not ${rule.action} ${rule.area}`));
    }
    await next();
    // The services check again (the department subtree, the kind of an import, fields a role
    // may not set): a write they refuse is audited like one refused here.
    if (unsafe.has(c.req.method) && c.res.status === 403) {
      const problem = (await c.res
        .clone()
        .json()
        .catch(() => ({}))) as { detail?: string };
      await recordAudit(database.db, c.get('actor'), [
        { action: operationId, entityKind: 'request', entityCode: c.req.path, result: 'denied', after: { reason: problem.detail ?? '' } },
      ]);
    }
  };
}

interface Operation {
  method: string;
  pattern: RegExp;
  operationId: string;
  staticSegments: number;
}

/**
 * Finds the operation a request is for, from the OpenAPI document itself — so the
 * authorization table and the documented API cannot drift apart.
 */
export function operationMatcher(paths: () => Record<string, Record<string, { operationId?: string }>>) {
  let operations: Operation[] | undefined;
  const build = () =>
    Object.entries(paths())
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          method: method.toUpperCase(),
          pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
          operationId: op.operationId ?? `${method} ${path}`,
          staticSegments: path.split('/').filter((s) => s && !s.startsWith('{')).length,
        })),
      )
      // A literal segment outranks a parameter: /users/me before /users/{name}.
      .sort((a, b) => b.staticSegments - a.staticSegments);
  return (method: string, path: string): string | undefined => {
    operations ??= build();
    const wanted = method === 'HEAD' ? 'GET' : method;
    return operations.find((o) => o.method === wanted && o.pattern.test(path))?.operationId;
  };
}
