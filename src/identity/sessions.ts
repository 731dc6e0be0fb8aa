import { hash, randomBytes } from 'node:crypto';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { sessions, users } from '../db/schema/index.ts';
import { AppError } from '../kernel/errors.ts';
import { rootAccess } from './access.ts';
import type { Actor } from './actor.ts';
import { addressKey, clearFailures, countFailure, lockedUntil } from './lockout.ts';
import { verifyPasswordOrDummy } from './passwords.ts';
import { accessOf, type Principal, type Restriction } from './principal.ts';
import { totpStep } from './totp.ts';
import { findUser, getSecurityPolicy, needsTotp, type User } from './users.ts';

const absoluteLifetimeMs = 12 * 60 * 60 * 1000;
/** Touching last-seen on every request would write per request; once a minute is enough. */
const touchEveryMs = 60 * 1000;

/** One-shot (crypto.hash): every signed-in request hashes its cookie or token, and a Hash object costs more than the digest. */
export const hashSecret = (secret: string) => hash('sha256', secret, 'hex');
const randomToken = () => randomBytes(32).toString('base64url');

export interface LoginRequest {
  name: string;
  password: string;
  totp?: string;
}

export interface LoginResult {
  sessionId: string;
  principal: Principal;
}

const restrictionOf = (user: User): Restriction =>
  user.mustChangePassword ? 'password_change' : needsTotp(user) && !user.totpEnabled ? 'totp_enrollment' : null;

/**
 * A TOTP code is good once: its time step must be newer than the last one used, claimed in
 * one conditional UPDATE so two requests racing with the same code cannot both pass.
 */
export async function claimTotpStep(db: Db, userId: number, step: number): Promise<boolean> {
  const claimed = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id });
  return claimed.length > 0;
}

const lockedMessage = (until: Date) => `too many failed attempts; this account is locked until ${until.toISOString()}`;

/**
 * Checks a password (and second factor), with lockout after repeated failures per (user,
 * address) and across all addresses. Every attempt is audited, failures included; the
 * failure answer never says which part failed, and costs a password hash even for an
 * unknown user.
 */
export async function login(
  db: Db,
  request: LoginRequest,
  context: { sourceIp?: string; requestId?: string },
  now = new Date(),
): Promise<LoginResult> {
  const attempt: Actor = { name: request.name, access: rootAccess, sourceIp: context.sourceIp, requestId: context.requestId };
  const address = addressKey(context.sourceIp);
  const fail = async (reason: string, detail = 'user name or password is wrong'): Promise<never> => {
    await recordAudit(db, attempt, [
      { action: 'login', entityKind: 'user', entityCode: request.name, result: 'failed', after: { reason } },
    ]);
    throw new AppError('unauthorized', detail);
  };
  const policy = await getSecurityPolicy(db);
  const user = await findUser(db, request.name);
  // The hash runs before any answer, whatever the account's state.
  const passwordRight = await verifyPasswordOrDummy(request.password, user?.passwordHash);
  if (!user) return fail('unknown user');
  if (user.disabled) return fail('locked by an administrator', 'this account is locked; ask the system administrator');
  const locked = await lockedUntil(db, user, address, now);
  if (locked) return fail('locked after failed attempts', lockedMessage(locked));
  // A wrong password or second factor counts towards the lockouts.
  const failedAttempt = async (what: string): Promise<never> => {
    const lockedNow = await countFailure(db, user, address, policy, now);
    return fail(lockedNow ? `${what}; locked for ${policy.lockoutMinutes} minutes` : what);
  };
  if (!passwordRight) return failedAttempt('wrong password');
  if (needsTotp(user) && user.totpEnabled && user.totpSecret) {
    if (!request.totp) return fail('second factor missing', 'this account needs the 6-digit code from its authenticator app (totp)');
    const step = totpStep(user.totpSecret, user.name, request.totp, now.getTime());
    if (step === null) return failedAttempt('wrong second factor');
    if (!(await claimTotpStep(db, user.id, step))) return failedAttempt('second factor code already used');
  }
  const sessionId = randomToken();
  const csrfToken = randomToken();
  await db.transaction(async (tx) => {
    await clearFailures(tx, user.id, address);
    await tx.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id));
    // The user's sessions past their lifetime go now, besides the periodic job.
    await tx.delete(sessions).where(and(eq(sessions.userId, user.id), lt(sessions.expiresAt, now)));
    await tx.insert(sessions).values({
      idHash: hashSecret(sessionId),
      userId: user.id,
      csrfToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + absoluteLifetimeMs),
      sourceIp: context.sourceIp ?? null,
    });
    await recordAudit(tx, { ...attempt, name: user.name }, [{ action: 'login', entityKind: 'user', entityCode: user.name }]);
  });
  return {
    sessionId,
    principal: { user, access: await accessOf(db, user, false), via: 'session', restriction: restrictionOf(user), csrfToken },
  };
}

/**
 * The current password, given to change it: wrong guesses count and lock like sign-ins (for
 * this address), so a stolen session cannot guess it without limit. Audited when wrong.
 */
export async function verifyCurrentPassword(
  db: Db,
  user: User,
  password: string | undefined,
  actor: Actor,
  now = new Date(),
): Promise<void> {
  const address = addressKey(actor.sourceIp);
  const right = await verifyPasswordOrDummy(password ?? '', user.passwordHash);
  const locked = await lockedUntil(db, user, address, now);
  const tooMany = (until: Date) =>
    new AppError('too_many_requests', lockedMessage(until), [], {
      retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
    });
  if (locked) throw tooMany(locked);
  if (right && password) return;
  const policy = await getSecurityPolicy(db);
  const lockedNow = await countFailure(db, user, address, policy, now);
  await recordAudit(db, actor, [
    { action: 'user.password', entityKind: 'user', entityCode: user.name, result: 'failed', after: { reason: 'wrong current password' } },
  ]);
  if (lockedNow) throw tooMany(lockedNow);
  throw new AppError('validation_failed', 'the current password is wrong', [{ field: 'current_password', message: 'is wrong' }]);
}

/** The session's principal, or null when it is unknown, expired, or idle too long. */
export async function authenticateSession(db: Db, sessionId: string, now = new Date()): Promise<Principal | null> {
  return (await readSession(db, sessionId, now))?.principal ?? null;
}

/**
 * The session's principal and until when it may be reused without reading the session again
 * (principal-cache.ts): its next touch, its idle deadline or its end, whichever comes first.
 */
export async function readSession(
  db: Db,
  sessionId: string,
  now = new Date(),
): Promise<{ principal: Principal; reusableUntil: number } | null> {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.idHash, hashSecret(sessionId)));
  if (!row) return null;
  const policy = await getSecurityPolicy(db);
  const idleMs = policy.idleTimeoutMinutes * 60_000;
  const idleUntil = row.session.lastSeenAt.getTime() + idleMs;
  if (now.getTime() > idleUntil || now > row.session.expiresAt || row.user.disabled) {
    await db.delete(sessions).where(eq(sessions.idHash, row.session.idHash));
    return null;
  }
  let seen = row.session.lastSeenAt.getTime();
  if (now.getTime() - seen > touchEveryMs) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, row.session.idHash));
    seen = now.getTime();
  }
  return {
    principal: {
      user: row.user,
      access: await accessOf(db, row.user, false),
      via: 'session',
      restriction: restrictionOf(row.user),
      csrfToken: row.session.csrfToken,
    },
    reusableUntil: Math.min(seen + touchEveryMs, seen + idleMs, row.session.expiresAt.getTime()),
  };
}

export async function logout(db: Db, sessionId: string, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.idHash, hashSecret(sessionId)));
    await recordAudit(tx, actor, [{ action: 'logout', entityKind: 'user', entityCode: actor.name }]);
  });
}

/** Sessions past their absolute lifetime or idle longer than the policy allows: they are never coming back. */
export async function pruneSessions(db: Db, now = new Date()): Promise<number> {
  const policy = await getSecurityPolicy(db);
  const idleSince = new Date(now.getTime() - policy.idleTimeoutMinutes * 60_000);
  const deleted = await db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, idleSince)))
    .returning({ idHash: sessions.idHash });
  return deleted.length;
}
