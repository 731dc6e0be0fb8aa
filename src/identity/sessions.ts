import { createHash, randomBytes } from 'node:crypto';
import { eq, lt, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { sessions, users } from '../db/schema/index.ts';
import { AppError } from '../http/errors.ts';
import { rootAccess } from './access.ts';
import type { Actor } from './actor.ts';
import { verifyPassword } from './passwords.ts';
import { accessOf, type Principal, type Restriction } from './principal.ts';
import { checkTotp } from './totp.ts';
import { findUser, getSecurityPolicy, needsTotp, type User } from './users.ts';

const absoluteLifetimeMs = 12 * 60 * 60 * 1000;
/** Touching last-seen on every request would write per request; once a minute is enough. */
const touchEveryMs = 60 * 1000;

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
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
 * Checks a password (and second factor), with lockout after repeated failures. Every
 * attempt is audited, failures included; the failure answer never says which part failed.
 */
export async function login(
  db: Db,
  request: LoginRequest,
  context: { sourceIp?: string; requestId?: string },
  now = new Date(),
): Promise<LoginResult> {
  const attempt: Actor = { name: request.name, access: rootAccess, sourceIp: context.sourceIp, requestId: context.requestId };
  const fail = async (reason: string, detail = 'user name or password is wrong'): Promise<never> => {
    await recordAudit(db, attempt, [
      { action: 'login', entityKind: 'user', entityCode: request.name, result: 'failed', after: { reason } },
    ]);
    throw new AppError('unauthorized', detail);
  };
  const policy = await getSecurityPolicy(db);
  const user = await findUser(db, request.name);
  if (!user) return fail('unknown user');
  if (user.disabled) return fail('locked by an administrator', 'this account is locked; ask the system administrator');
  if (user.lockedUntil && user.lockedUntil > now) {
    return fail('locked after failed attempts', `too many failed attempts; this account is locked until ${user.lockedUntil.toISOString()}`);
  }
  // A wrong password or second factor counts towards the lockout. The count is incremented
  // in the database, so parallel guesses cannot all read the same count and slip past it.
  const failedAttempt = async (what: string): Promise<never> => {
    const [counted] = await db
      .update(users)
      .set({ failedAttempts: sql`${users.failedAttempts} + 1` })
      .where(eq(users.id, user.id))
      .returning({ attempts: users.failedAttempts });
    const attempts = counted?.attempts ?? policy.lockoutAttempts;
    if (attempts < policy.lockoutAttempts) return fail(`${what} (${attempts})`);
    await db
      .update(users)
      .set({ failedAttempts: 0, lockedUntil: new Date(now.getTime() + policy.lockoutMinutes * 60_000) })
      .where(eq(users.id, user.id));
    return fail(`${what}; locked for ${policy.lockoutMinutes} minutes`);
  };
  if (!(await verifyPassword(request.password, user.passwordHash))) return failedAttempt('wrong password');
  if (needsTotp(user) && user.totpEnabled && user.totpSecret) {
    if (!request.totp) return fail('second factor missing', 'this account needs the 6-digit code from its authenticator app (totp)');
    if (!checkTotp(user.totpSecret, user.name, request.totp, now.getTime())) return failedAttempt('wrong second factor');
  }
  const sessionId = randomToken();
  const csrfToken = randomToken();
  await db.transaction(async (tx) => {
    await tx.update(users).set({ failedAttempts: 0, lockedUntil: null, lastLoginAt: now }).where(eq(users.id, user.id));
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

/** The session's principal, or null when it is unknown, expired, or idle too long. */
export async function authenticateSession(db: Db, sessionId: string, now = new Date()): Promise<Principal | null> {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.idHash, hashSecret(sessionId)));
  if (!row) return null;
  const policy = await getSecurityPolicy(db);
  const idleUntil = row.session.lastSeenAt.getTime() + policy.idleTimeoutMinutes * 60_000;
  if (now.getTime() > idleUntil || now > row.session.expiresAt || row.user.disabled) {
    await db.delete(sessions).where(eq(sessions.idHash, row.session.idHash));
    return null;
  }
  if (now.getTime() - row.session.lastSeenAt.getTime() > touchEveryMs) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, row.session.idHash));
  }
  return {
    user: row.user,
    access: await accessOf(db, row.user, false),
    via: 'session',
    restriction: restrictionOf(row.user),
    csrfToken: row.session.csrfToken,
  };
}

export async function logout(db: Db, sessionId: string, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.idHash, hashSecret(sessionId)));
    await recordAudit(tx, actor, [{ action: 'logout', entityKind: 'user', entityCode: actor.name }]);
  });
}

/** Sessions past their absolute lifetime; idle ones go when next presented. */
export async function pruneSessions(db: Db, now = new Date()): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}
