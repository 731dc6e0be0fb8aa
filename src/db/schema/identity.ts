import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { entityColumns } from './columns.ts';
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
    passwordChangedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    mustChangePassword: boolean().notNull().default(true),
    failedAttempts: integer().notNull().default(0),
    lockedUntil: timestamp({ withTimezone: true, mode: 'date' }),
    /** Locked by an administrator until unlocked, unlike the timed lockout. */
    disabled: boolean().notNull().default(false),
    totpSecret: text(),
    totpEnabled: boolean().notNull().default(false),
    /** The last TOTP time step accepted (unix time / 30 s): a code is good once, never replayed. */
    totpLastStep: integer(),
    /** Demo users only: the demo dataset is not protected by a second factor. */
    totpExempt: boolean().notNull().default(false),
    lastLoginAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    // 三权分立: no user holds two of the three administrator roles.
    check(
      'users_admin_roles_separated',
      sql`(('sysadmin' = any(${t.roles}))::int + ('secadmin' = any(${t.roles}))::int + ('auditor' = any(${t.roles}))::int) <= 1`,
    ),
  ],
);

/** Console sessions; the cookie holds a random id, the table only its hash. */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text().primaryKey(),
    userId: integer()
      .notNull()
      .references(() => users.id),
    csrfToken: text().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    sourceIp: text(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId)],
);

/** API tokens for scripts: shown once, stored as a hash, scoped, expiring, revocable. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    ...entityColumns,
    userId: integer()
      .notNull()
      .references(() => users.id),
    name: text().notNull(),
    tokenHash: text().notNull().unique('api_tokens_token_hash_key'),
    /** `read`: safe methods only; `write`: everything the user may do. */
    scope: text().$type<'read' | 'write'>().notNull(),
    expiresAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp({ withTimezone: true, mode: 'date' }),
    lastUsedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [check('api_tokens_scope_check', sql`${t.scope} in ('read', 'write')`), index('api_tokens_user_id_idx').on(t.userId)],
);

/** Password and lockout policy, owned by the security admin; one row. */
export const securityPolicy = pgTable('security_policy', {
  id: integer().primaryKey().default(1),
  minPasswordLength: integer().notNull().default(8),
  lockoutAttempts: integer().notNull().default(5),
  lockoutMinutes: integer().notNull().default(15),
  idleTimeoutMinutes: integer().notNull().default(30),
  updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
