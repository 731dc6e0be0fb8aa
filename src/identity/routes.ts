import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../http/errors.ts';
import { type AppEnv, errorResponses, ProblemSchema } from '../http/router.ts';
import { addressKey, takeLoginAttempt } from './lockout.ts';
import { sessionCookie } from './middleware.ts';
import { approvePasswordReset, listPendingPasswordResets, resetPassword, takeNotices } from './password-resets.ts';
import { roles } from './roles.ts';
import { hashSecret, login, logout } from './sessions.ts';
import { createToken, listTokens, revokeToken, tokenDefaultDays, tokenMaxDays } from './tokens.ts';
import {
  changePassword,
  confirmTotpEnrollment,
  createUser,
  type getSecurityPolicy,
  listUsers,
  readSecurityPolicy,
  readUser,
  resetTotp,
  setLocked,
  setRoles,
  startTotpEnrollment,
  updateSecurityPolicy,
  userView,
} from './users.ts';

const json = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const authErrors = {
  401: { description: 'Not signed in', content: { 'application/problem+json': { schema: ProblemSchema } } },
  403: { description: 'Not allowed', content: { 'application/problem+json': { schema: ProblemSchema } } },
  409: { description: 'Conflict', content: { 'application/problem+json': { schema: ProblemSchema } } },
  429: { description: 'Too many attempts', content: { 'application/problem+json': { schema: ProblemSchema } } },
} as const;

const UserSchema = z
  .object({
    name: z.string(),
    display_name: z.string(),
    roles: z.array(z.enum(roles)),
    department_code: z.string().nullable(),
    disabled: z.boolean(),
    locked_until: z.string().nullable(),
    must_change_password: z.boolean(),
    totp_enabled: z.boolean(),
    last_login_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('User');

const TokenSchema = z
  .object({
    id: z.number().int(),
    user: z.string(),
    name: z.string(),
    scope: z.enum(['read', 'write']),
    roles: z.array(z.enum(roles)),
    expires_at: z.string(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('ApiToken');

const PasswordResetSchema = z
  .object({
    id: z.number().int(),
    user: z.string(),
    requested_by: z.string(),
    status: z.enum(['pending', 'approved']),
    created_at: z.string(),
    approved_by: z.string().nullable(),
    approved_at: z.string().nullable(),
  })
  .openapi('PasswordReset');

const NoticeSchema = z.object({ message: z.string(), at: z.string() }).openapi('UserNotice');

const SessionSchema = z
  .object({
    user: UserSchema,
    csrf_token: z.string().openapi({ description: 'Send as X-CSRF-Token with every write made with the session cookie' }),
    restriction: z.enum(['password_change', 'totp_enrollment']).nullable(),
  })
  .openapi('Session');

const PolicySchema = z
  .object({
    min_password_length: z.number().int().min(8).max(128),
    lockout_attempts: z.number().int().min(1).max(100),
    lockout_minutes: z.number().int().min(1).max(1440),
    idle_timeout_minutes: z.number().int().min(1).max(480),
  })
  .openapi('SecurityPolicy');

const NameParam = z.object({ name: z.string().min(1).max(64) });
const userName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/, 'must be 2–64 letters, digits, ".", "_" or "-"');

const route = <const R extends Parameters<typeof createRoute>[0]>(r: R) => createRoute({ ...r, tags: r.tags ?? ['identity'] });

const routes = {
  login: route({
    method: 'post',
    path: '/api/v1/auth/login',
    operationId: 'login',
    summary: 'Sign in; sets the session cookie (HttpOnly, SameSite=Strict)',
    request: body(z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(256), totp: z.string().max(12).optional() })),
    responses: {
      200: json(
        'Signed in, with what happened to the account since (a password reset), once',
        SessionSchema.extend({ notices: z.array(NoticeSchema) }),
      ),
      ...authErrors,
      ...errorResponses,
    },
  }),
  logout: route({
    method: 'post',
    path: '/api/v1/auth/logout',
    operationId: 'logout',
    summary: 'Sign out',
    responses: { 204: { description: 'Signed out' }, ...authErrors, ...errorResponses },
  }),
  me: route({
    method: 'get',
    path: '/api/v1/auth/me',
    operationId: 'getMe',
    summary: 'The signed-in user',
    responses: { 200: json('You', SessionSchema.extend({ csrf_token: z.string().nullable() })), ...authErrors, ...errorResponses },
  }),
  password: route({
    method: 'post',
    path: '/api/v1/auth/password',
    operationId: 'changeOwnPassword',
    summary: 'Change your password (required after an initial or reset password)',
    request: body(z.object({ current_password: z.string().min(1).max(256), new_password: z.string().min(1).max(256) })),
    responses: { 204: { description: 'Changed' }, ...authErrors, ...errorResponses },
  }),
  totpStart: route({
    method: 'post',
    path: '/api/v1/auth/totp',
    operationId: 'startTotpEnrollment',
    summary: 'Start enrolling an authenticator app: returns the secret once',
    responses: {
      200: json('The secret and its otpauth:// URI', z.object({ secret: z.string(), uri: z.string() })),
      ...authErrors,
      ...errorResponses,
    },
  }),
  totpConfirm: route({
    method: 'post',
    path: '/api/v1/auth/totp/confirm',
    operationId: 'confirmTotpEnrollment',
    summary: 'Confirm the authenticator app with its current code',
    request: body(z.object({ code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code') })),
    responses: { 204: { description: 'Second factor on' }, ...authErrors, ...errorResponses },
  }),
  listOwnTokens: route({
    method: 'get',
    path: '/api/v1/tokens',
    operationId: 'listOwnTokens',
    summary: 'Your API tokens',
    responses: { 200: json('Tokens (never the secrets)', z.object({ items: z.array(TokenSchema) })), ...authErrors, ...errorResponses },
  }),
  createOwnToken: route({
    method: 'post',
    path: '/api/v1/tokens',
    operationId: 'createOwnToken',
    summary: 'Issue an API token for yourself; the token is shown once',
    request: body(
      z.object({
        name: z.string().min(1).max(100),
        scope: z.enum(['read', 'write']).default('read'),
        expires_in_days: z.number().int().min(1).max(tokenMaxDays).default(tokenDefaultDays),
        roles: z.array(z.enum(roles)).max(roles.length).optional().openapi({
          description: 'The roles the token acts with (a subset of yours); all you hold when absent. Later grants never count.',
        }),
        totp: z.string().max(12).optional().openapi({ description: 'Your current second-factor code: required for an administrator' }),
      }),
    ),
    responses: { 201: json('The token, once', z.object({ token: z.string(), info: TokenSchema })), ...authErrors, ...errorResponses },
  }),
  revokeToken: route({
    method: 'delete',
    path: '/api/v1/tokens/{id}',
    operationId: 'revokeToken',
    summary: 'Revoke one of your tokens (the system admin: anyone’s)',
    request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
    responses: { 200: json('Revoked', TokenSchema), ...authErrors, ...errorResponses },
  }),
  listUsers: route({
    method: 'get',
    path: '/api/v1/users',
    operationId: 'listUsers',
    tags: ['users'],
    summary: 'All users',
    responses: { 200: json('Users', z.object({ items: z.array(UserSchema) })), ...authErrors, ...errorResponses },
  }),
  createUser: route({
    method: 'post',
    path: '/api/v1/users',
    operationId: 'createUser',
    tags: ['users'],
    summary: 'Create a user with a one-time password (roles are granted by the security admin)',
    request: body(z.object({ name: userName, display_name: z.string().min(1).max(100).optional() })),
    responses: {
      201: json('The user, and the one-time password once', z.object({ user: UserSchema, one_time_password: z.string().optional() })),
      ...authErrors,
      ...errorResponses,
    },
  }),
  getUser: route({
    method: 'get',
    path: '/api/v1/users/{name}',
    operationId: 'getUser',
    tags: ['users'],
    summary: 'One user',
    request: { params: NameParam },
    responses: { 200: json('The user', UserSchema), ...authErrors, ...errorResponses },
  }),
  lockUser: route({
    method: 'post',
    path: '/api/v1/users/{name}/lock',
    operationId: 'lockUser',
    tags: ['users'],
    summary: 'Lock a user out until unlocked',
    request: { params: NameParam },
    responses: { 200: json('The user', UserSchema), ...authErrors, ...errorResponses },
  }),
  unlockUser: route({
    method: 'post',
    path: '/api/v1/users/{name}/unlock',
    operationId: 'unlockUser',
    tags: ['users'],
    summary: 'Unlock a user (also clears a lockout after failed attempts)',
    request: { params: NameParam },
    responses: { 200: json('The user', UserSchema), ...authErrors, ...errorResponses },
  }),
  resetPassword: route({
    method: 'post',
    path: '/api/v1/users/{name}/password-reset',
    operationId: 'resetUserPassword',
    tags: ['users'],
    summary: "Issue a one-time password the user must change at next sign-in; an administrator's waits for a second administrator",
    request: { params: NameParam },
    responses: {
      200: json('The one-time password, once', z.object({ one_time_password: z.string() })),
      202: json("An administrator's reset, awaiting another administrator's approval", z.object({ reset: PasswordResetSchema })),
      ...authErrors,
      ...errorResponses,
    },
  }),
  listPasswordResets: route({
    method: 'get',
    path: '/api/v1/password-resets',
    operationId: 'listPasswordResets',
    tags: ['users'],
    summary: "Administrators' password resets awaiting approval",
    responses: { 200: json('Pending resets', z.object({ items: z.array(PasswordResetSchema) })), ...authErrors, ...errorResponses },
  }),
  approvePasswordReset: route({
    method: 'post',
    path: '/api/v1/password-resets/{id}/approve',
    operationId: 'approvePasswordReset',
    tags: ['users'],
    summary: 'Approve (as an administrator other than its requester and its user): issues the one-time password, once',
    request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
    responses: { 200: json('The one-time password, once', z.object({ one_time_password: z.string() })), ...authErrors, ...errorResponses },
  }),
  setRoles: route({
    method: 'put',
    path: '/api/v1/users/{name}/roles',
    operationId: 'setUserRoles',
    tags: ['users'],
    summary: 'Grant roles (security admin); a department user is bound to a department',
    request: {
      params: NameParam,
      ...body(z.object({ roles: z.array(z.enum(roles)).max(7), department_code: z.string().nullable().default(null) })),
    },
    responses: { 200: json('The user', UserSchema), ...authErrors, ...errorResponses },
  }),
  resetTotp: route({
    method: 'post',
    path: '/api/v1/users/{name}/totp-reset',
    operationId: 'resetUserTotp',
    tags: ['users'],
    summary: 'Clear a lost second factor (security admin); the user enrols anew at next sign-in',
    request: { params: NameParam },
    responses: { 200: json('The user', UserSchema), ...authErrors, ...errorResponses },
  }),
  getPolicy: route({
    method: 'get',
    path: '/api/v1/security-policy',
    operationId: 'getSecurityPolicy',
    tags: ['users'],
    summary: 'Password, lockout and idle-timeout policy',
    responses: { 200: json('The policy', PolicySchema), ...authErrors, ...errorResponses },
  }),
  updatePolicy: route({
    method: 'put',
    path: '/api/v1/security-policy',
    operationId: 'updateSecurityPolicy',
    tags: ['users'],
    summary: 'Change the policy (security admin)',
    request: body(PolicySchema.partial()),
    responses: { 200: json('The policy', PolicySchema), ...authErrors, ...errorResponses },
  }),
};

const policyView = (p: Awaited<ReturnType<typeof getSecurityPolicy>>) => ({
  min_password_length: p.minPasswordLength,
  lockout_attempts: p.lockoutAttempts,
  lockout_minutes: p.lockoutMinutes,
  idle_timeout_minutes: p.idleTimeoutMinutes,
});

function principalOf(c: Context<AppEnv>) {
  const principal = c.get('principal');
  if (!principal) throw new AppError('unauthorized', 'sign in first');
  return principal;
}

export function registerIdentityRoutes(app: OpenAPIHono<AppEnv>, options: { loginRatePerMinute: number }) {
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

  app.openapi(routes.listOwnTokens, async (c) =>
    c.json({ items: await listTokens(c.get('db'), c.get('actor'), principalOf(c).user.name) }, 200),
  );
  app.openapi(routes.createOwnToken, async (c) => {
    const created = await createToken(c.get('db'), principalOf(c).user.name, c.req.valid('json'), c.get('actor'));
    return c.json(created, 201);
  });
  app.openapi(routes.revokeToken, async (c) => c.json(await revokeToken(c.get('db'), c.req.valid('param').id, c.get('actor')), 200));

  app.openapi(routes.listUsers, async (c) => c.json({ items: await listUsers(c.get('db'), c.get('actor')) }, 200));
  app.openapi(routes.createUser, async (c) => {
    const { user, one_time_password } = await createUser(c.get('db'), c.req.valid('json'), c.get('actor'));
    return c.json({ user, one_time_password }, 201);
  });
  app.openapi(routes.getUser, async (c) => c.json(await readUser(c.get('db'), c.req.valid('param').name, c.get('actor')), 200));
  app.openapi(routes.lockUser, async (c) => c.json(await setLocked(c.get('db'), c.req.valid('param').name, true, c.get('actor')), 200));
  app.openapi(routes.unlockUser, async (c) => c.json(await setLocked(c.get('db'), c.req.valid('param').name, false, c.get('actor')), 200));
  app.openapi(routes.resetPassword, async (c) => {
    const result = await resetPassword(c.get('db'), c.req.valid('param').name, c.get('actor'));
    return 'pending' in result ? c.json({ reset: result.pending }, 202) : c.json(result, 200);
  });
  app.openapi(routes.listPasswordResets, async (c) => c.json({ items: await listPendingPasswordResets(c.get('db'), c.get('actor')) }, 200));
  app.openapi(routes.approvePasswordReset, async (c) =>
    c.json(await approvePasswordReset(c.get('db'), c.req.valid('param').id, c.get('actor')), 200),
  );
  app.openapi(routes.setRoles, async (c) => {
    const { roles: granted, department_code } = c.req.valid('json');
    return c.json(await setRoles(c.get('db'), c.req.valid('param').name, granted, department_code, c.get('actor')), 200);
  });
  app.openapi(routes.resetTotp, async (c) => c.json(await resetTotp(c.get('db'), c.req.valid('param').name, c.get('actor')), 200));
  app.openapi(routes.getPolicy, async (c) => c.json(policyView(await readSecurityPolicy(c.get('db'), c.get('actor'))), 200));
  app.openapi(routes.updatePolicy, async (c) => {
    const p = c.req.valid('json');
    const updated = await updateSecurityPolicy(
      c.get('db'),
      {
        minPasswordLength: p.min_password_length,
        lockoutAttempts: p.lockout_attempts,
        lockoutMinutes: p.lockout_minutes,
        idleTimeoutMinutes: p.idle_timeout_minutes,
      },
      c.get('actor'),
    );
    return c.json(policyView(updated), 200);
  });
}
