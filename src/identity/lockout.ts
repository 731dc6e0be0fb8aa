import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { loginAttempts, loginLockouts, users } from '../db/schema/index.ts';
import type { SecurityPolicy, User } from './users.ts';

/**
 * Failures across all addresses that lock an account everywhere, as a multiple of the
 * policy's per-address threshold: high enough that one guessing address cannot lock the real
 * user out, low enough to stop guessing spread over many addresses.
 */
export const globalBackstopFactor = 10;

/** The key failures and rate limits are counted under when the address is not known. */
export const addressKey = (address: string | undefined) => address ?? 'unknown';

/** When the account is locked for this address (or everywhere), until when; else null. */
export async function lockedUntil(db: Db, user: User, address: string, now: Date): Promise<Date | null> {
  if (user.lockedUntil && user.lockedUntil > now) return user.lockedUntil;
  const [row] = await db
    .select({ lockedUntil: loginLockouts.lockedUntil })
    .from(loginLockouts)
    .where(and(eq(loginLockouts.userId, user.id), eq(loginLockouts.address, address), gt(loginLockouts.lockedUntil, now)));
  return row?.lockedUntil ?? null;
}

/**
 * Counts a wrong password or code, for this address and for the account, in the database so
 * that parallel guesses (and replicas) cannot all read the same count. Returns the lock it set.
 */
export async function countFailure(db: Db, user: User, address: string, policy: SecurityPolicy, now: Date): Promise<Date | null> {
  const until = new Date(now.getTime() + policy.lockoutMinutes * 60_000);
  const [here] = await db
    .insert(loginLockouts)
    .values({ userId: user.id, address, failedAttempts: 1, updatedAt: now })
    .onConflictDoUpdate({
      target: [loginLockouts.userId, loginLockouts.address],
      set: { failedAttempts: sql`${loginLockouts.failedAttempts} + 1`, updatedAt: now },
    })
    .returning({ attempts: loginLockouts.failedAttempts });
  const [everywhere] = await db
    .update(users)
    .set({ failedAttempts: sql`${users.failedAttempts} + 1` })
    .where(eq(users.id, user.id))
    .returning({ attempts: users.failedAttempts });
  let locked: Date | null = null;
  if ((everywhere?.attempts ?? 0) >= policy.lockoutAttempts * globalBackstopFactor) {
    await db.update(users).set({ failedAttempts: 0, lockedUntil: until }).where(eq(users.id, user.id));
    locked = until;
  }
  if ((here?.attempts ?? 0) >= policy.lockoutAttempts) {
    await db
      .update(loginLockouts)
      .set({ failedAttempts: 0, lockedUntil: until, updatedAt: now })
      .where(and(eq(loginLockouts.userId, user.id), eq(loginLockouts.address, address)));
    locked = until;
  }
  return locked;
}

/** A success from this address starts its count again (and the account's). */
export async function clearFailures(db: Db, userId: number, address: string): Promise<void> {
  await db.delete(loginLockouts).where(and(eq(loginLockouts.userId, userId), eq(loginLockouts.address, address)));
  await db.update(users).set({ failedAttempts: 0, lockedUntil: null }).where(eq(users.id, userId));
}

/** An administrator's unlock lifts the lockouts at every address. */
export async function clearAllLockouts(db: Db, userId: number): Promise<void> {
  await db.delete(loginLockouts).where(eq(loginLockouts.userId, userId));
}

const rateWindowMs = 60_000;
/** Second key of the per-address advisory lock that serialises the rate limit's count ("ywlr"). */
const rateLock = 0x79776c72;

/**
 * A sliding one-minute window of sign-in attempts per address, kept in the database so that
 * replicas share it. Returns null when the attempt may go ahead (and counts it), else the
 * seconds to wait.
 */
export async function takeLoginAttempt(database: Db, address: string, perMinute: number, now = new Date()): Promise<number | null> {
  return database.transaction(async (db) => {
    await db.execute(sql`select pg_advisory_xact_lock(${rateLock}::int, hashtext(${address}))`);
    const since = new Date(now.getTime() - rateWindowMs);
    await db.delete(loginAttempts).where(and(eq(loginAttempts.address, address), lt(loginAttempts.attemptedAt, since)));
    const [recent] = await db
      .select({ count: sql<number>`count(*)::int`, first: sql<string | null>`min(${loginAttempts.attemptedAt})::text` })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.address, address), gt(loginAttempts.attemptedAt, since)));
    if ((recent?.count ?? 0) >= perMinute) {
      const first = recent?.first ? new Date(recent.first).getTime() : now.getTime();
      return Math.max(1, Math.ceil((first + rateWindowMs - now.getTime()) / 1000));
    }
    await db.insert(loginAttempts).values({ address, attemptedAt: now });
    return null;
  });
}

/** Housekeeping: attempts out of the window, and per-address counts neither locked nor recent. */
export async function pruneLoginRecords(db: Db, now = new Date()): Promise<void> {
  await db.delete(loginAttempts).where(lt(loginAttempts.attemptedAt, new Date(now.getTime() - rateWindowMs)));
  await db
    .delete(loginLockouts)
    .where(
      and(
        lt(loginLockouts.updatedAt, new Date(now.getTime() - 24 * 60 * 60_000)),
        or(isNull(loginLockouts.lockedUntil), lt(loginLockouts.lockedUntil, now)),
      ),
    );
}
