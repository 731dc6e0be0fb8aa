import { randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { apiTokens, departments, users } from '../db/schema/index.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { type Access, assertCan } from './access.ts';
import type { Actor } from './actor.ts';
import type { Principal } from './principal.ts';
import type { Role } from './roles.ts';
import type { TokenView } from './schemas.ts';
import { claimTotpStep, hashSecret } from './sessions.ts';
import { totpStep } from './totp.ts';
import { getUser, needsTotp } from './users.ts';

/** User API tokens start with this, so the server and a secret scanner can tell them apart. */
export const tokenPrefix = 'yw_';
const touchEveryMs = 60 * 1000;
/** 等保: a credential for scripts lives 90 days unless asked, and never more than a year. */
export const tokenDefaultDays = 90;
export const tokenMaxDays = 365;

export interface NewToken {
  name: string;
  scope: 'read' | 'write';
  expires_in_days?: number;
  /** The roles the token acts with, a subset of its user's; all of them when absent. */
  roles?: Role[];
  /** The user's current second-factor code: required when the user holds an administrator role. */
  totp?: string;
}

const viewOf = (t: typeof apiTokens.$inferSelect, user: string): TokenView => ({
  id: t.id,
  user,
  name: t.name,
  scope: t.scope,
  roles: t.roles as Role[],
  expires_at: t.expiresAt.toISOString(),
  revoked_at: t.revokedAt?.toISOString() ?? null,
  last_used_at: t.lastUsedAt?.toISOString() ?? null,
  created_at: t.createdAt.toISOString(),
});

/** Users issue their own tokens; the system admin (or the local operator) for anyone. */
function assertOwnerOrAdmin(actor: Actor, owner: string): void {
  if (!actor.access.root && actor.name === owner) return;
  assertCan(actor.access, 'write', 'users');
}

export async function createToken(
  database: Db,
  owner: string,
  request: NewToken,
  actor: Actor,
): Promise<{ token: string; info: TokenView }> {
  assertOwnerOrAdmin(actor, owner);
  const days = request.expires_in_days ?? tokenDefaultDays;
  if (!Number.isInteger(days) || days < 1 || days > tokenMaxDays) {
    throw new AppError('validation_failed', `a token expires in 1 to ${tokenMaxDays} days`, [
      { field: 'expires_in_days', message: `must be a whole number from 1 to ${tokenMaxDays}` },
    ]);
  }
  const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
  return database.transaction(async (db) => {
    const user = await getUser(db, owner);
    const held = user.roles as Role[];
    const roles = request.roles ?? held;
    const notHeld = roles.filter((r) => !held.includes(r));
    if (notHeld.length > 0) {
      throw new AppError('validation_failed', `${owner} does not hold ${notHeld.join(', ')}`, [
        { field: 'roles', message: `not held by the user: ${notHeld.join(', ')}` },
      ]);
    }
    // The wall screen's account only ever reads; a write token would be a grant waiting for a mistake.
    if (held.includes('screen') && request.scope !== 'read') {
      throw new AppError('validation_failed', `${owner} is a wall-screen account: its tokens may only have scope read`, [
        { field: 'scope', message: 'must be read for a screen account' },
      ]);
    }
    // A token acts as its user without a second factor: an administrator proves his at creation.
    if (needsTotp(user)) {
      if (!request.totp) throw new AppError('forbidden', 'a token of an administrator needs his current second-factor code (totp)');
      const step = user.totpEnabled && user.totpSecret ? totpStep(user.totpSecret, user.name, request.totp) : null;
      if (step === null) throw new AppError('forbidden', 'the second-factor code does not match');
      if (!(await claimTotpStep(db, user.id, step))) throw new AppError('forbidden', 'the second-factor code was already used');
    }
    const [row] = await db
      .insert(apiTokens)
      .values({
        userId: user.id,
        name: request.name,
        tokenHash: hashSecret(token),
        scope: request.scope,
        roles: [...new Set(roles)],
        departmentId: user.departmentId,
        expiresAt: new Date(Date.now() + days * 86_400_000),
      })
      .returning();
    if (!row) throw new AppError('internal', 'the token was not written');
    const info = viewOf(row, owner);
    await recordAudit(db, actor, [
      { action: 'token.create', entityKind: 'api_token', entityCode: `${owner}/${request.name}`, after: info },
    ]);
    return { token, info };
  });
}

export async function listTokens(db: Db, actor: Actor, owner?: string): Promise<TokenView[]> {
  if (owner) assertOwnerOrAdmin(actor, owner);
  else assertCan(actor.access, 'read', 'users');
  const rows = await db
    .select({ token: apiTokens, user: users.name })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(owner ? eq(users.name, owner) : undefined)
    .orderBy(asc(apiTokens.id));
  return rows.map((r) => viewOf(r.token, r.user));
}

export async function revokeToken(database: Db, id: number, actor: Actor): Promise<TokenView> {
  return database.transaction(async (db) => {
    const [row] = await db
      .select({ token: apiTokens, user: users.name })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(eq(apiTokens.id, id));
    // Someone else's token is "not found" to a user who may not manage it.
    if (!row || (!actor.access.root && actor.name !== row.user && !actor.access.roles.has('sysadmin'))) throw notFound('token', String(id));
    if (row.token.revokedAt) return viewOf(row.token, row.user);
    const [revoked] = await db
      .update(apiTokens)
      .set({ revokedAt: new Date(), updatedAt: new Date() })
      .where(eq(apiTokens.id, id))
      .returning();
    if (!revoked) throw notFound('token', String(id));
    await recordAudit(db, actor, [{ action: 'token.revoke', entityKind: 'api_token', entityCode: `${row.user}/${row.token.name}` }]);
    return viewOf(revoked, row.user);
  });
}

/** The token's principal, or null when it is unknown, expired, revoked, or its user locked. */
export async function authenticateToken(db: Db, token: string, now = new Date()): Promise<Principal | null> {
  return (await readToken(db, token, now))?.principal ?? null;
}

/**
 * The token's principal and until when it may be reused without reading the token again
 * (principal-cache.ts): its next touch or its expiry, whichever comes first.
 */
export async function readToken(db: Db, token: string, now = new Date()): Promise<{ principal: Principal; reusableUntil: number } | null> {
  if (!token.startsWith(tokenPrefix)) return null;
  const [row] = await db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashSecret(token))));
  if (!row || row.token.revokedAt || row.token.expiresAt <= now || row.user.disabled) return null;
  let used = row.token.lastUsedAt?.getTime() ?? null;
  if (used === null || now.getTime() - used > touchEveryMs) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.token.id));
    used = now.getTime();
  }
  return {
    principal: { user: row.user, access: await tokenAccess(db, row.token, row.user), via: 'token', restriction: null },
    reusableUntil: Math.min(used + touchEveryMs, row.token.expiresAt.getTime()),
  };
}

/**
 * What a token may do: the roles it was issued with that its user still holds, and the
 * department only if the user is still bound to the one he was at issue — a token never
 * gains what its user is granted later.
 */
async function tokenAccess(db: Db, token: typeof apiTokens.$inferSelect, user: typeof users.$inferSelect): Promise<Access> {
  const held = new Set(user.roles as Role[]);
  const roles = (token.roles as Role[]).filter((r) => held.has(r));
  const sameDepartment = token.departmentId !== null && token.departmentId === user.departmentId;
  const [dept] = sameDepartment
    ? await db
        .select({ id: departments.id, code: departments.code, path: departments.path })
        .from(departments)
        .where(eq(departments.id, token.departmentId as number))
    : [];
  return { root: false, userId: user.id, roles: new Set(roles), department: dept ?? null, readOnly: token.scope === 'read' };
}
