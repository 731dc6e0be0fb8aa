import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { itemsOf, RowIdParam } from '../http/schemas.ts';
import { approvePasswordReset, listPendingPasswordResets, resetPassword } from './password-resets.ts';
import { roles } from './roles.ts';
import { OneTimePassword, PasswordResetView, SecurityPolicyView, UserView } from './schemas.ts';
import { resetTotp } from './totp-enrolment.ts';
import {
  createUser,
  type getSecurityPolicy,
  listUsers,
  readSecurityPolicy,
  readUser,
  setLocked,
  setRoles,
  updateSecurityPolicy,
} from './users.ts';

const route = routesTagged('users');

const NameParam = z.object({ name: z.string().min(1).max(64) });
const userName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/, 'must be 2–64 letters, digits, ".", "_" or "-"');
/** The answer of the routes that read or change one user. */
const theUser = json('The user', UserView);
/** The answer of a password reset that takes effect: the password, shown this once. */
const oneTimePassword = json('The one-time password, once', OneTimePassword);
/** A change to one user that takes no body and answers with the user. */
const userAction = (action: string, operationId: string, summary: string) =>
  route.post(`/api/v1/users/{name}/${action}`, operationId, theUser, { summary, params: NameParam });

const routes = {
  listUsers: route.get('/api/v1/users', 'listUsers', json('Users', itemsOf(UserView)), {
    summary: 'All users',
  }),
  createUser: route.post('/api/v1/users', 'createUser', {
    summary: 'Create a user with a one-time password (roles are granted by the security admin)',
    body: z.object({ name: userName, display_name: z.string().min(1).max(100).optional() }),
    responses: {
      201: json('The user, and the one-time password once', z.object({ user: UserView, one_time_password: z.string().optional() })),
    },
  }),
  getUser: route.get('/api/v1/users/{name}', 'getUser', theUser, {
    summary: 'One user',
    params: NameParam,
  }),
  lockUser: userAction('lock', 'lockUser', 'Lock a user out until unlocked'),
  unlockUser: userAction('unlock', 'unlockUser', 'Unlock a user (also clears a lockout after failed attempts)'),
  resetPassword: route.post('/api/v1/users/{name}/password-reset', 'resetUserPassword', oneTimePassword, {
    summary: "Issue a one-time password the user must change at next sign-in; an administrator's waits for a second administrator",
    params: NameParam,
    responses: {
      202: json("An administrator's reset, awaiting another administrator's approval", z.object({ reset: PasswordResetView })),
    },
  }),
  listPasswordResets: route.get('/api/v1/password-resets', 'listPasswordResets', json('Pending resets', itemsOf(PasswordResetView)), {
    summary: "Administrators' password resets awaiting approval",
  }),
  approvePasswordReset: route.post('/api/v1/password-resets/{id}/approve', 'approvePasswordReset', oneTimePassword, {
    summary: 'Approve (as an administrator other than its requester and its user): issues the one-time password, once',
    params: RowIdParam,
  }),
  setRoles: route.put('/api/v1/users/{name}/roles', 'setUserRoles', theUser, {
    summary: 'Grant roles (security admin); a department user is bound to a department',
    params: NameParam,
    body: z.object({ roles: z.array(z.enum(roles)).max(7), department_code: z.string().nullable().default(null) }),
  }),
  resetTotp: userAction('totp-reset', 'resetUserTotp', 'Clear a lost second factor (security admin); the user enrols anew at next sign-in'),
  getPolicy: route.get('/api/v1/security-policy', 'getSecurityPolicy', json('The policy', SecurityPolicyView), {
    summary: 'Password, lockout and idle-timeout policy',
  }),
  updatePolicy: route.put('/api/v1/security-policy', 'updateSecurityPolicy', json('The policy', SecurityPolicyView), {
    summary: 'Change the policy (security admin)',
    body: SecurityPolicyView.partial(),
  }),
};

const policyView = (p: Awaited<ReturnType<typeof getSecurityPolicy>>) => ({
  min_password_length: p.minPasswordLength,
  lockout_attempts: p.lockoutAttempts,
  lockout_minutes: p.lockoutMinutes,
  idle_timeout_minutes: p.idleTimeoutMinutes,
});

/** Users, their roles, locks, password resets and second factors, and the security policy. */
export function registerUserRoutes(app: OpenAPIHono<AppEnv>) {
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
