import { z } from '@hono/zod-openapi';
import { apiTokens, passwordResets } from '../db/schema/identity.ts';
import { roles } from './roles.ts';
import { tokenDefaultDays, tokenMaxDays } from './tokens.ts';

/** What a token may do: read only, or write too (the values its table holds). */
const tokenScope = z.enum(apiTokens.scope.enumValues);

export const UserView = z
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
export type UserView = z.infer<typeof UserView>;

export const TokenView = z
  .object({
    id: z.number().int(),
    user: z.string(),
    name: z.string(),
    scope: tokenScope,
    roles: z.array(z.enum(roles)),
    expires_at: z.string(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('ApiToken');
export type TokenView = z.infer<typeof TokenView>;

export const TokenRequest = z.object({
  name: z.string().min(1).max(100),
  scope: tokenScope.default('read'),
  expires_in_days: z.number().int().min(1).max(tokenMaxDays).default(tokenDefaultDays),
  roles: z.array(z.enum(roles)).max(roles.length).optional().openapi({
    description: 'The roles the token acts with (a subset of yours); all you hold when absent. Later grants never count.',
  }),
  totp: z.string().max(12).optional().openapi({ description: 'Your current second-factor code: required for an administrator' }),
});

export const PasswordResetView = z
  .object({
    id: z.number().int(),
    user: z.string(),
    requested_by: z.string(),
    status: z.enum(passwordResets.status.enumValues),
    created_at: z.string(),
    approved_by: z.string().nullable(),
    approved_at: z.string().nullable(),
  })
  .openapi('PasswordReset');
export type PasswordResetView = z.infer<typeof PasswordResetView>;

export const Notice = z.object({ message: z.string(), at: z.string() }).openapi('UserNotice');

export const Session = z
  .object({
    user: UserView,
    csrf_token: z.string().openapi({ description: 'Send as X-CSRF-Token with every write made with the session cookie' }),
    restriction: z.enum(['password_change', 'totp_enrollment']).nullable(),
  })
  .openapi('Session');

export const SecurityPolicyView = z
  .object({
    min_password_length: z.number().int().min(8).max(128),
    lockout_attempts: z.number().int().min(1).max(100),
    lockout_minutes: z.number().int().min(1).max(1440),
    idle_timeout_minutes: z.number().int().min(1).max(480),
  })
  .openapi('SecurityPolicy');

export const OneTimePassword = z.object({ one_time_password: z.string() });
