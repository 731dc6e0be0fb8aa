import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { passwordResets, userNotices, users } from '../db/schema/index.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { assertCan, rootAccess } from './access.ts';
import type { Actor } from './actor.ts';
import type { PasswordResetView } from './schemas.ts';
import { changePassword, getUser, isAdministrator } from './users.ts';

/** A request not approved within a day lapses: a later one starts afresh. */
const pendingForMs = 24 * 60 * 60 * 1000;

/** Tells a user something about his account at his next sign-in (he has no address to send it to). */
export async function noticeTo(db: Db, userId: number, message: string): Promise<void> {
  await db.insert(userNotices).values({ userId, message });
}

/** The notices not yet shown, oldest first; they are marked shown as they are returned. */
export async function takeNotices(db: Db, userId: number): Promise<{ message: string; at: string }[]> {
  const rows = await db
    .update(userNotices)
    .set({ shownAt: new Date() })
    .where(and(eq(userNotices.userId, userId), isNull(userNotices.shownAt)))
    .returning();
  return rows.sort((a, b) => a.id - b.id).map((r) => ({ message: r.message, at: r.createdAt.toISOString() }));
}

const requester = alias(users, 'requester');
const approver = alias(users, 'approver');

async function resetViews(db: Db, id?: number): Promise<PasswordResetView[]> {
  const rows = await db
    .select({ reset: passwordResets, user: users.name, requestedBy: requester.name, approvedBy: approver.name })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .innerJoin(requester, eq(requester.id, passwordResets.requestedBy))
    .leftJoin(approver, eq(approver.id, passwordResets.approvedBy))
    .where(id === undefined ? eq(passwordResets.status, 'pending') : eq(passwordResets.id, id))
    .orderBy(asc(passwordResets.id));
  return rows.map((r) => ({
    id: r.reset.id,
    user: r.user,
    requested_by: r.requestedBy,
    status: r.reset.status,
    created_at: r.reset.createdAt.toISOString(),
    approved_by: r.approvedBy,
    approved_at: r.reset.approvedAt?.toISOString() ?? null,
  }));
}

/**
 * A password reset by an administrator. An ordinary user's is immediate; an administrator's
 * (sysadmin, secadmin, auditor) — an account takeover path — waits for a second administrator
 * (approvePasswordReset). The local operator's reset is immediate: he already holds the
 * database. Either way the user is told at his next sign-in.
 */
export async function resetPassword(
  database: Db,
  name: string,
  actor: Actor,
): Promise<{ one_time_password: string } | { pending: PasswordResetView }> {
  assertCan(actor.access, 'write', 'users');
  return database.transaction(async (db) => {
    const user = await getUser(db, name);
    if (actor.access.root || !isAdministrator(user)) {
      const { one_time_password } = await changePassword(db, name, {}, actor);
      await noticeTo(db, user.id, `Your password was reset by ${actor.name} at ${new Date().toISOString()}.`);
      return { one_time_password: one_time_password ?? '' };
    }
    if (actor.access.userId === user.id) throw new AppError('forbidden', 'change your own password with your current one');
    const [open] = await db
      .select({ id: passwordResets.id })
      .from(passwordResets)
      .where(
        and(
          eq(passwordResets.userId, user.id),
          eq(passwordResets.status, 'pending'),
          gt(passwordResets.createdAt, new Date(Date.now() - pendingForMs)),
        ),
      );
    if (open) throw new AppError('conflict', `a password reset of ${name} (${open.id}) already awaits approval`);
    const [row] = await db.insert(passwordResets).values({ userId: user.id, requestedBy: actor.access.userId }).returning();
    if (!row) throw new AppError('internal', 'the password reset was not written');
    await noticeTo(
      db,
      user.id,
      `${actor.name} asked to reset your password at ${row.createdAt.toISOString()}; a second administrator must approve it.`,
    );
    const [view] = await resetViews(db, row.id);
    if (!view) throw notFound('password reset', String(row.id));
    await recordAudit(db, actor, [{ action: 'user.password_reset_requested', entityKind: 'user', entityCode: name, after: view }]);
    return { pending: view };
  });
}

export async function listPendingPasswordResets(db: Db, actor: Actor): Promise<PasswordResetView[]> {
  assertCan(actor.access, 'read', 'password-resets');
  return resetViews(db);
}

/** The second administrator's approval: issues the one-time password, to be handed to the user. */
export async function approvePasswordReset(database: Db, id: number, actor: Actor): Promise<{ one_time_password: string }> {
  assertCan(actor.access, 'write', 'password-resets');
  if (actor.access.root) throw new AppError('forbidden', 'an approval needs a named administrator');
  const approverId = actor.access.userId;
  return database.transaction(async (db) => {
    const [row] = await db.select().from(passwordResets).where(eq(passwordResets.id, id)).for('update');
    if (!row) throw notFound('password reset', String(id));
    if (row.status !== 'pending') throw new AppError('conflict', `password reset ${id} was already approved`);
    if (row.createdAt.getTime() < Date.now() - pendingForMs)
      throw new AppError('conflict', `password reset ${id} lapsed; request it again`);
    if (approverId === row.requestedBy || approverId === row.userId) {
      throw new AppError('forbidden', 'a password reset is approved by an administrator other than its requester and its user');
    }
    const [target] = await db.select({ name: users.name }).from(users).where(eq(users.id, row.userId));
    if (!target) throw notFound('user', String(row.userId));
    await db
      .update(passwordResets)
      .set({ status: 'approved', approvedBy: approverId, approvedAt: new Date(), updatedAt: new Date() })
      .where(eq(passwordResets.id, id));
    // The approval is the authorization: the reset runs with the service's rights, under the approver's name.
    const { one_time_password } = await changePassword(db, target.name, {}, { ...actor, access: rootAccess });
    const [view] = await resetViews(db, id);
    await noticeTo(
      db,
      row.userId,
      `Your password was reset at ${new Date().toISOString()}: requested by ${view?.requested_by}, approved by ${actor.name}.`,
    );
    return { one_time_password: one_time_password ?? '' };
  });
}
