import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { entityColumns, enumChecks, generatedId, instant, requiredId } from './columns.ts';
import { departments } from './departments.ts';

/** Named users (等保: no shared accounts). Roles are granted by the security admin. */
export const users = pgTable(
  'users',
  {
    ...entityColumns,
    name: text().notNull().unique('users_name_key'),
    displayName: text().notNull(),
    roles: text().array().notNull().default(sql`'{}'::text[]`),
    /** The department a `department` user is bound to (with its sub-departments). */
    departmentId: integer().references(() => departments.id),
    passwordHash: text().notNull(),
    passwordChangedAt: instant().notNull().defaultNow(),
    mustChangePassword: boolean().notNull().default(true),
    failedAttempts: integer().notNull().default(0),
    lockedUntil: instant(),
    /** Locked by an administrator until unlocked, unlike the timed lockout. */
    disabled: boolean().notNull().default(false),
    totpSecret: text(),
    totpEnabled: boolean().notNull().default(false),
    /** The last TOTP time step accepted (unix time / 30 s): a code is good once, never replayed. */
    totpLastStep: integer(),
    /** Demo users only: the demo dataset is not protected by a second factor. */
    totpExempt: boolean().notNull().default(false),
    lastLoginAt: instant(),
  },
  (t) => [
    // 三权分立: no user holds two of the three administrator roles.
    check(
      'users_admin_roles_separated',
      sql`(('sysadmin' = any(${t.roles}))::int + ('secadmin' = any(${t.roles}))::int + ('auditor' = any(${t.roles}))::int) <= 1`,
    ),
    // A department does not certify itself: nobody is both its operator and a reviewer.
    check('users_department_reviewer_separated', sql`not ('department' = any(${t.roles}) and 'reviewer' = any(${t.roles}))`),
    // The wall screen's account (大屏) holds that role alone.
    check('users_screen_alone', sql`not ('screen' = any(${t.roles}) and cardinality(${t.roles}) > 1)`),
  ],
);

/** Console sessions; the cookie holds a random id, the table only its hash. */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text().primaryKey(),
    userId: requiredId(() => users.id),
    csrfToken: text().notNull(),
    createdAt: instant().notNull().defaultNow(),
    lastSeenAt: instant().notNull().defaultNow(),
    expiresAt: instant().notNull(),
    sourceIp: text(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId)],
);

/** `read`: safe methods only; `write`: everything the user may do. */
const tokenScopes = ['read', 'write'] as const;

/** API tokens for scripts: shown once, stored as a hash, scoped, expiring, revocable. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    ...entityColumns,
    userId: requiredId(() => users.id),
    name: text().notNull(),
    tokenHash: text().notNull().unique('api_tokens_token_hash_key'),
    scope: text({ enum: tokenScopes }).notNull(),
    /** The roles chosen at creation: at use, only those the user still holds count, so later grants are not inherited. */
    roles: text().array().notNull().default(sql`'{}'::text[]`),
    /** The department the user was bound to at creation: a token does not follow its user to another department. */
    departmentId: integer().references(() => departments.id),
    expiresAt: instant().notNull(),
    revokedAt: instant(),
    lastUsedAt: instant(),
  },
  (t) => [...enumChecks(t.scope), index('api_tokens_user_id_idx').on(t.userId)],
);

/** A reset waits for a second administrator's approval. */
const resetStatuses = ['pending', 'approved'] as const;

/**
 * A system administrator's password reset of an administrator waits here until a second
 * administrator — neither the requester nor the target — approves it.
 */
export const passwordResets = pgTable(
  'password_resets',
  {
    ...entityColumns,
    userId: requiredId(() => users.id),
    requestedBy: requiredId(() => users.id),
    status: text({ enum: resetStatuses }).notNull().default('pending'),
    approvedBy: integer().references(() => users.id),
    approvedAt: instant(),
  },
  (t) => [
    ...enumChecks(t.status),
    check(
      'password_resets_four_eyes',
      sql`${t.approvedBy} is null or (${t.approvedBy} <> ${t.requestedBy} and ${t.approvedBy} <> ${t.userId})`,
    ),
    index('password_resets_user_id_idx').on(t.userId),
  ],
);

/**
 * What happened to an account that its user must hear of (a password reset), shown at the
 * next sign-in: users have no address for the notification outbox.
 */
export const userNotices = pgTable(
  'user_notices',
  {
    id: generatedId(),
    userId: requiredId(() => users.id),
    message: text().notNull(),
    createdAt: instant().notNull().defaultNow(),
    shownAt: instant(),
  },
  (t) => [index('user_notices_user_id_idx').on(t.userId)],
);

/** Password and lockout policy, owned by the security admin; one row. */
export const securityPolicy = pgTable('security_policy', {
  id: integer().primaryKey().default(1),
  minPasswordLength: integer().notNull().default(8),
  lockoutAttempts: integer().notNull().default(5),
  lockoutMinutes: integer().notNull().default(15),
  idleTimeoutMinutes: integer().notNull().default(30),
  updatedAt: instant().notNull().defaultNow(),
});

/**
 * One row whose version rises, by trigger, in every transaction that changes who may do what:
 * a user's row (roles, department, disabled, lockout, password, second factor), a session
 * ended, a token revoked or changed, the security policy. Principals kept in memory between
 * requests (principal-cache.ts) are reused only while it has not moved, so a logout, a
 * revocation or a lockout takes effect on the next request, on every replica.
 */
export const identityVersion = pgTable('identity_version', {
  id: integer().primaryKey().default(1),
  version: bigint({ mode: 'number' }).notNull().default(0),
});
