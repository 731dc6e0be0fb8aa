import { index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { generatedBigId, instant, requiredId } from './columns.ts';
import { users } from './identity.ts';

/**
 * Sign-in attempts per client address, for the rate limit. In the database rather than in
 * process memory, so that every replica on the same database counts the same attempts.
 */
export const loginAttempts = pgTable(
  'login_attempts',
  {
    id: generatedBigId(),
    address: text().notNull(),
    attemptedAt: instant().notNull(),
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
    userId: requiredId(() => users.id, { onDelete: 'cascade' }),
    address: text().notNull(),
    failedAttempts: integer().notNull().default(0),
    lockedUntil: instant(),
    updatedAt: instant().notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'login_lockouts_pkey', columns: [t.userId, t.address] })],
);
