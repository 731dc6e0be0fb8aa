import { and, asc, eq, isNull, ne } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { apiTokens, departments, securityPolicy, sessions, users } from '../db/schema/index.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { assertCan } from './access.ts';
import type { Actor } from './actor.ts';
import { clearAllLockouts } from './lockout.ts';
import { generatePassword, hashPassword, passwordProblems, verifyPassword } from './passwords.ts';
import { adminRoles, type Role, roleConflict } from './roles.ts';
import type { UserView } from './schemas.ts';
import { verifyCurrentPassword } from './sessions.ts';
import { newTotpSecret, totpUri } from './totp.ts';

export type User = typeof users.$inferSelect;
export type SecurityPolicy = typeof securityPolicy.$inferSelect;

export async function userView(db: Db, user: User): Promise<UserView> {
  const [dept] = user.departmentId
    ? await db.select({ code: departments.code }).from(departments).where(eq(departments.id, user.departmentId))
    : [];
  return {
    name: user.name,
    display_name: user.displayName,
    roles: user.roles as Role[],
    department_code: dept?.code ?? null,
    disabled: user.disabled,
    locked_until: user.lockedUntil?.toISOString() ?? null,
    must_change_password: user.mustChangePassword,
    totp_enabled: user.totpEnabled,
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
    created_at: user.createdAt.toISOString(),
  };
}

export async function getSecurityPolicy(db: Db): Promise<SecurityPolicy> {
  const [policy] = await db.select().from(securityPolicy).where(eq(securityPolicy.id, 1));
  if (!policy) throw new AppError('internal', 'the security policy row is missing; run the migrations');
  return policy;
}

export async function findUser(db: Db, name: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.name, name));
  return user;
}

export async function getUser(db: Db, name: string): Promise<User> {
  const user = await findUser(db, name);
  if (!user) throw notFound('user', name);
  return user;
}

/** Admin roles need a second factor unless the account is a demo account. */
export const needsTotp = (user: Pick<User, 'roles' | 'totpExempt'>) =>
  !user.totpExempt && (user.roles as Role[]).some((r) => adminRoles.includes(r));

/** Holds one of the three administrator roles (三权分立). */
export const isAdministrator = (user: Pick<User, 'roles'>) => (user.roles as Role[]).some((r) => adminRoles.includes(r));

export async function revokeTokensOf(db: Db, userId: number): Promise<void> {
  await db
    .update(apiTokens)
    .set({ revokedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)));
}

async function departmentIdOf(db: Db, code: string | null | undefined): Promise<number | null> {
  if (!code) return null;
  const [dept] = await db.select({ id: departments.id }).from(departments).where(eq(departments.code, code));
  if (!dept)
    throw new AppError('validation_failed', `unknown department "${code}"`, [
      { field: 'department_code', message: `unknown department "${code}"` },
    ]);
  return dept.id;
}

function checkRoles(roles: Role[], departmentCode: string | null | undefined): void {
  const conflict = roleConflict(roles);
  if (conflict) throw new AppError('validation_failed', conflict, [{ field: 'roles', message: conflict }]);
  if (roles.includes('department') && !departmentCode) {
    throw new AppError('validation_failed', 'a department user must be bound to a department', [
      { field: 'department_code', message: 'is required with the department role' },
    ]);
  }
}

export interface NewUser {
  name: string;
  display_name?: string;
  /** Only the security admin (or the local operator) grants roles. */
  roles?: Role[];
  department_code?: string | null;
  /** Given: used as is (demo users). Absent: a one-time password is generated. */
  password?: string;
  totp_exempt?: boolean;
}

export interface CreatedUser {
  user: UserView;
  /** Shown once; the user must change it at first login. */
  one_time_password?: string;
  /** Shown once, for the authenticator app of an administrator. */
  totp_uri?: string;
}

export async function createUser(database: Db, input: NewUser, actor: Actor): Promise<CreatedUser> {
  assertCan(actor.access, 'write', 'users');
  const roles = input.roles ?? [];
  if (roles.length > 0) assertCan(actor.access, 'write', 'roles');
  checkRoles(roles, input.department_code);
  const policy = await getSecurityPolicy(database);
  if (input.password) {
    const problems = passwordProblems(input.password, input.name, policy.minPasswordLength);
    if (problems.length > 0) throw new AppError('validation_failed', 'the password does not meet the policy', problems);
  }
  const password = input.password ?? generatePassword();
  const totpSecret = needsTotp({ roles, totpExempt: input.totp_exempt ?? false }) ? newTotpSecret() : null;
  // Hashed before the transaction: the slow KDF then runs while other writers proceed.
  const passwordHash = await hashPassword(password);
  return database.transaction(async (db) => {
    if (await findUser(db, input.name)) throw new AppError('conflict', `user ${input.name} already exists`);
    const [user] = await db
      .insert(users)
      .values({
        name: input.name,
        displayName: input.display_name ?? input.name,
        roles,
        departmentId: await departmentIdOf(db, input.department_code),
        passwordHash,
        mustChangePassword: input.password === undefined,
        totpSecret,
        totpEnabled: totpSecret !== null,
        totpExempt: input.totp_exempt ?? false,
      })
      .returning();
    if (!user) throw new AppError('internal', `user ${input.name} was not written`);
    const view = await userView(db, user);
    await recordAudit(db, actor, [{ action: 'user.create', entityKind: 'user', entityCode: user.name, after: view }]);
    return {
      user: view,
      ...(input.password === undefined ? { one_time_password: password } : {}),
      ...(totpSecret ? { totp_uri: totpUri(totpSecret, user.name) } : {}),
    };
  });
}

export async function listUsers(db: Db, actor: Actor): Promise<UserView[]> {
  assertCan(actor.access, 'read', 'users');
  const rows = await db.select().from(users).orderBy(asc(users.name));
  return Promise.all(rows.map((u) => userView(db, u)));
}

/**
 * Whether the actor is the user `name`: signed in as him, or the local operator whose OS
 * account (`cli:<name>`) has the same name — the command line's only notion of who is typing.
 */
const actsAs = (actor: Actor, name: string) => actor.name === name || actor.name === `cli:${name}`;

/** Roles bound to a department: the department user's scope, the reviewer's own (which he may not certify). */
const boundRoles: readonly Role[] = ['department', 'reviewer'];

/** 安全管理员 grants roles; a new administrator role forces second-factor enrolment at next login. */
export async function setRoles(database: Db, name: string, roles: Role[], departmentCode: string | null, actor: Actor): Promise<UserView> {
  assertCan(actor.access, 'write', 'roles');
  // Separation of duties: whoever grants roles may not grant them to himself.
  if (actsAs(actor, name)) throw new AppError('forbidden', 'nobody may change his own roles; ask another security administrator');
  checkRoles(roles, departmentCode);
  return database.transaction(async (db) => {
    const user = await getUser(db, name);
    if (!actor.access.root && actor.access.userId === user.id) throw new AppError('forbidden', 'nobody may change his own roles');
    const before = await userView(db, user);
    const bound = roles.some((r) => boundRoles.includes(r));
    const [updated] = await db
      .update(users)
      .set({ roles, departmentId: await departmentIdOf(db, bound ? departmentCode : null), updatedAt: new Date() })
      .where(eq(users.id, user.id))
      .returning();
    if (!updated) throw notFound('user', name);
    const after = await userView(db, updated);
    await recordAudit(db, actor, [{ action: 'user.roles', entityKind: 'user', entityCode: name, before, after }]);
    return after;
  });
}

/** Locked by an administrator: no login until unlocked. Unlock also clears a timed lockout. */
export async function setLocked(database: Db, name: string, locked: boolean, actor: Actor): Promise<UserView> {
  assertCan(actor.access, 'write', 'users');
  return database.transaction(async (db) => {
    const user = await getUser(db, name);
    const [updated] = await db
      .update(users)
      .set(
        locked
          ? { disabled: true, updatedAt: new Date() }
          : { disabled: false, lockedUntil: null, failedAttempts: 0, updatedAt: new Date() },
      )
      .where(eq(users.id, user.id))
      .returning();
    if (!updated) throw notFound('user', name);
    // Unlocking must not bring back tokens issued before the lock.
    if (locked) await revokeTokensOf(db, user.id);
    else await clearAllLockouts(db, user.id);
    await recordAudit(db, actor, [
      {
        action: locked ? 'user.lock' : 'user.unlock',
        entityKind: 'user',
        entityCode: name,
        before: { disabled: user.disabled, locked_until: user.lockedUntil },
        after: { disabled: updated.disabled, locked_until: updated.lockedUntil },
      },
    ]);
    return userView(db, updated);
  });
}

/**
 * Sets a password. A user changing their own gives the current one; an administrator's
 * reset (no `current`) issues a one-time password the user must change at next login.
 */
export async function changePassword(
  database: Db,
  name: string,
  change: { current?: string; next?: string /** The caller's own session, kept signed in. */; keepSessionHash?: string },
  actor: Actor,
): Promise<{ one_time_password?: string }> {
  const self = !actor.access.root && actor.name === name;
  if (!self) assertCan(actor.access, 'write', 'users');
  // Checked before the transaction: a wrong guess is counted (and may lock) even though the change is refused.
  if (self) await verifyCurrentPassword(database, await getUser(database, name), change.current, actor);
  return database.transaction(async (db) => {
    const user = await getUser(db, name);
    if (!self && !actor.access.root && isAdministrator(user)) {
      throw new AppError('forbidden', "an administrator's password is reset with a second administrator's approval (resetPassword)");
    }
    const policy = await getSecurityPolicy(db);
    const next = change.next ?? generatePassword();
    const problems = passwordProblems(next, name, policy.minPasswordLength);
    if (problems.length > 0) throw new AppError('validation_failed', 'the new password does not meet the policy', problems);
    if (await verifyPassword(next, user.passwordHash)) {
      throw new AppError('validation_failed', 'the new password must differ from the current one', [
        { field: 'new_password', message: 'is the current password' },
      ]);
    }
    await db
      .update(users)
      .set({
        passwordHash: await hashPassword(next),
        passwordChangedAt: new Date(),
        mustChangePassword: !self && change.next === undefined,
        updatedAt: new Date(),
      })
      .where(eq(users.id, user.id));
    // A new password ends every other way in: other sessions always, and on a reset (the
    // account may be compromised) every session and API token too.
    await db
      .delete(sessions)
      .where(and(eq(sessions.userId, user.id), change.keepSessionHash ? ne(sessions.idHash, change.keepSessionHash) : undefined));
    // API tokens too, on every change: a token must not outlive the password it was issued under.
    await revokeTokensOf(db, user.id);
    await recordAudit(db, actor, [{ action: self ? 'user.password' : 'user.password_reset', entityKind: 'user', entityCode: name }]);
    return change.next === undefined ? { one_time_password: next } : {};
  });
}

export async function updateSecurityPolicy(
  database: Db,
  patch: Partial<Pick<SecurityPolicy, 'minPasswordLength' | 'lockoutAttempts' | 'lockoutMinutes' | 'idleTimeoutMinutes'>>,
  actor: Actor,
): Promise<SecurityPolicy> {
  assertCan(actor.access, 'write', 'security-policy');
  return database.transaction(async (db) => {
    const before = await getSecurityPolicy(db);
    const [after] = await db
      .update(securityPolicy)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(securityPolicy.id, 1))
      .returning();
    if (!after) throw new AppError('internal', 'the security policy row is missing');
    await recordAudit(db, actor, [{ action: 'security_policy.update', entityKind: 'security_policy', entityCode: null, before, after }]);
    return after;
  });
}

export async function readUser(db: Db, name: string, actor: Actor): Promise<UserView> {
  assertCan(actor.access, 'read', 'users');
  return userView(db, await getUser(db, name));
}

export async function readSecurityPolicy(db: Db, actor: Actor): Promise<SecurityPolicy> {
  assertCan(actor.access, 'read', 'security-policy');
  return getSecurityPolicy(db);
}
