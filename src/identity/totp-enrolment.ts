import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { sessions, users } from '../db/schema/index.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { assertCan } from './access.ts';
import type { Actor } from './actor.ts';
import type { UserView } from './schemas.ts';
import { claimTotpStep } from './sessions.ts';
import { newTotpSecret, totpStep, totpUri } from './totp.ts';
import { getUser, userView } from './users.ts';

// A user's second factor (TOTP): enrolled by the user, reset by the security administrator.
// An administrator created with one gets it in createUser.

/** A new secret, stored but off until confirmed, so a half-done enrolment locks nobody out. */
export async function startTotpEnrollment(database: Db, name: string, actor: Actor): Promise<{ secret: string; uri: string }> {
  return database.transaction(async (db) => {
    // Re-enrolling would switch the factor off until confirmed: a stolen session plus the
    // password could then bind the thief's app. A lost authenticator is a security admin's reset.
    if ((await getUser(db, name)).totpEnabled) {
      throw new AppError('conflict', 'a second factor is already enrolled; to replace it, ask the security administrator to reset it');
    }
    const secret = newTotpSecret();
    await db.update(users).set({ totpSecret: secret, totpEnabled: false, updatedAt: new Date() }).where(eq(users.name, name));
    // A new secret is a security event; the secret itself never goes into the trail.
    await recordAudit(db, actor, [{ action: 'user.totp_started', entityKind: 'user', entityCode: name }]);
    return { secret, uri: totpUri(secret, name) };
  });
}

export async function confirmTotpEnrollment(database: Db, name: string, code: string, actor: Actor): Promise<void> {
  await database.transaction(async (db) => {
    const user = await getUser(db, name);
    const step = user.totpSecret ? totpStep(user.totpSecret, user.name, code) : null;
    // The confirming code is used up: it cannot then sign anyone in.
    if (step === null || !(await claimTotpStep(db, user.id, step))) {
      throw new AppError('validation_failed', 'the code does not match; check the app’s clock and try the current code', [
        { field: 'code', message: 'does not match' },
      ]);
    }
    await db.update(users).set({ totpEnabled: true, updatedAt: new Date() }).where(eq(users.id, user.id));
    await recordAudit(db, actor, [{ action: 'user.totp_enrolled', entityKind: 'user', entityCode: user.name }]);
  });
}

/** A lost authenticator: the security admin clears the factor; the user enrols anew at next sign-in. */
export async function resetTotp(database: Db, name: string, actor: Actor): Promise<UserView> {
  assertCan(actor.access, 'write', 'roles');
  return database.transaction(async (db) => {
    const user = await getUser(db, name);
    const [updated] = await db
      .update(users)
      .set({ totpSecret: null, totpEnabled: false, updatedAt: new Date() })
      .where(eq(users.id, user.id))
      .returning();
    if (!updated) throw notFound('user', name);
    // Whoever holds a session now signed in with the old factor; they sign in again.
    await db.delete(sessions).where(eq(sessions.userId, user.id));
    await recordAudit(db, actor, [{ action: 'user.totp_reset', entityKind: 'user', entityCode: name }]);
    return userView(db, updated);
  });
}
