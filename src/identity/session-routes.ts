import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { json, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { AppError } from '../kernel/errors.ts';
import { addressKey, takeLoginAttempt } from './lockout.ts';
import { sessionCookie } from './middleware.ts';
import { takeNotices } from './password-resets.ts';
import { Notice, Session } from './schemas.ts';
import { hashSecret, login, logout } from './sessions.ts';
import { confirmTotpEnrollment, startTotpEnrollment } from './totp-enrolment.ts';
import { changePassword, userView } from './users.ts';

const route = routesTagged('identity');
const tooManyAttempts = problem('Too many sign-in attempts from this address; retry after `Retry-After` seconds');

const routes = {
  login: route.post('/api/v1/auth/login', 'login', {
    summary: 'Sign in; sets the session cookie (HttpOnly, SameSite=Strict)',
    body: z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(256), totp: z.string().max(12).optional() }),
    responses: {
      200: json(
        'Signed in, with what happened to the account since (a password reset), once',
        Session.extend({ notices: z.array(Notice) }),
      ),
      429: tooManyAttempts,
    },
  }),
  logout: route.post('/api/v1/auth/logout', 'logout', {
    summary: 'Sign out',
    responses: { 204: { description: 'Signed out' } },
  }),
  me: route.get('/api/v1/auth/me', 'getMe', {
    summary: 'The signed-in user',
    responses: { 200: json('You', Session.extend({ csrf_token: z.string().nullable() })) },
  }),
  password: route.post('/api/v1/auth/password', 'changeOwnPassword', {
    summary: 'Change your password (required after an initial or reset password)',
    body: z.object({ current_password: z.string().min(1).max(256), new_password: z.string().min(1).max(256) }),
    responses: { 204: { description: 'Changed' }, 429: tooManyAttempts },
  }),
  totpStart: route.post('/api/v1/auth/totp', 'startTotpEnrollment', {
    summary: 'Start enrolling an authenticator app: returns the secret once',
    responses: { 200: json('The secret and its otpauth:// URI', z.object({ secret: z.string(), uri: z.string() })) },
  }),
  totpConfirm: route.post('/api/v1/auth/totp/confirm', 'confirmTotpEnrollment', {
    summary: 'Confirm the authenticator app with its current code',
    body: z.object({ code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code') }),
    responses: { 204: { description: 'Second factor on' } },
  }),
};

/** The signed-in caller, or 401. */
export function principalOf(c: Context<AppEnv>) {
  const principal = c.get('principal');
  if (!principal) throw new AppError('unauthorized', 'sign in first');
  return principal;
}

/** Signing in and out, and the signed-in user's own password and second factor. */
export function registerSessionRoutes(app: OpenAPIHono<AppEnv>, options: { loginRatePerMinute: number }) {
  // Per address, in the database: every replica counts the same attempts. Password changes
  // spend the same budget, so a stolen session cannot guess the current password faster.
  const limitAttempts = async (c: Context<AppEnv>) => {
    const retryAfter = await takeLoginAttempt(c.get('db'), addressKey(c.get('sourceIp')), options.loginRatePerMinute);
    if (retryAfter !== null) {
      throw new AppError('too_many_requests', `too many sign-in attempts from this address; wait ${retryAfter} s`, [], {
        retryAfterSeconds: retryAfter,
      });
    }
  };

  app.openapi(routes.login, async (c) => {
    await limitAttempts(c);
    const request = c.req.valid('json');
    const db = c.get('db');
    const { sessionId, principal } = await login(db, request, { sourceIp: c.get('sourceIp'), requestId: c.get('requestId') });
    const secure = new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
    setCookie(c, sessionCookie, sessionId, { httpOnly: true, sameSite: 'Strict', secure, path: '/' });
    return c.json(
      {
        user: await userView(db, principal.user),
        csrf_token: principal.csrfToken ?? '',
        restriction: principal.restriction,
        notices: await takeNotices(db, principal.user.id),
      },
      200,
    );
  });

  app.openapi(routes.logout, async (c) => {
    const cookie = getCookie(c, sessionCookie);
    if (cookie) await logout(c.get('db'), cookie, c.get('actor'));
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.body(null, 204);
  });

  app.openapi(routes.me, async (c) => {
    const principal = principalOf(c);
    return c.json(
      { user: await userView(c.get('db'), principal.user), csrf_token: principal.csrfToken ?? null, restriction: principal.restriction },
      200,
    );
  });

  app.openapi(routes.password, async (c) => {
    await limitAttempts(c);
    const { current_password, new_password } = c.req.valid('json');
    const cookie = getCookie(c, sessionCookie);
    const keepSessionHash = cookie ? hashSecret(cookie) : undefined;
    await changePassword(
      c.get('db'),
      principalOf(c).user.name,
      { current: current_password, next: new_password, keepSessionHash },
      c.get('actor'),
    );
    return c.body(null, 204);
  });

  app.openapi(routes.totpStart, async (c) => c.json(await startTotpEnrollment(c.get('db'), principalOf(c).user.name, c.get('actor')), 200));
  app.openapi(routes.totpConfirm, async (c) => {
    await confirmTotpEnrollment(c.get('db'), principalOf(c).user.name, c.req.valid('json').code, c.get('actor'));
    return c.body(null, 204);
  });
}
