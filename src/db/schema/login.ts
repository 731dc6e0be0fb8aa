import { bigint, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './identity.ts';

/**
 * Sign-in attempts per client address, for the rate limit. In the database rather than in
 * process memory, so that every replica on the same database counts the same attempts.
 */
export const loginAttempts = pgTable(
  'login_attempts',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    address: text().notNull(),
    attemptedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('login_attempts_address_attempted_at_idx').on(t.address, t.attemptedAt)],
);

/**
 * Failed sign-ins (and wrong current passwords) per user and client address. A lockout here
 * shuts out one address only, so a guesser elsewhere cannot lock the real user out; the
 * users row keeps the count across all addresses, the higher global backstop.
 */
export const loginLockouts = pgTable(
  'login_lockouts',
  {
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    address: text().notNull(),
    failedAttempts: integer().notNull().default(0),
    lockedUntil: timestamp({ withTimezone: true, mode: 'date' }),
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'login_lockouts_pkey', columns: [t.userId, t.address] })],
);
