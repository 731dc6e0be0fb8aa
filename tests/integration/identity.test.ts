/**
 * Identity (issue 3): password policy, lockout, idle timeout, TOTP for the administrators,
 * forced password change, API tokens (expiry, revocation, read scope), CSRF, login rate
 * limit, cookie flags, 三权分立, no secrets in the audit trail, the first-start bootstrap and
 * the demo users — through the HTTP API where a user would go, and the services (with an
 * injected `now`) where time has to pass.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { demoUsers } from '../../src/identity/bootstrap.ts';
import { passwordProblems } from '../../src/identity/passwords.ts';
import { restrictedOperations, routePolicy } from '../../src/identity/policy.ts';
import { authenticateSession, login } from '../../src/identity/sessions.ts';
import { authenticateToken } from '../../src/identity/tokens.ts';
import { currentTotp } from '../../src/identity/totp.ts';
import { createUser, getSecurityPolicy, setLocked, setRoles, updateSecurityPolicy } from '../../src/identity/users.ts';
import type { AppError } from '../../src/kernel/errors.ts';
import { type ApiClient, apiClient, fileForm, fromAddress, type Json } from '../helpers/api.ts';
import { callerWith, openApiPaths, signIn, type TestCaller, testPassword } from '../helpers/auth.ts';
import { describeEachBackend, openTestDatabase, queryRows } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 1000 };
const root = rootActor('test-setup');
const minute = 60_000;

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** The secret of an otpauth:// URI. */
const secretOf = (uri: string | undefined) => new URL(String(uri)).searchParams.get('secret') ?? '';

/** A 6-digit code that is certainly not accepted now (the current one and its neighbours are). */
const wrongCode = (secret: string, name: string) => {
  const near = [-30_000, 0, 30_000].map((d) => currentTotp(secret, name, Date.now() + d));
  return ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c)) ?? '444444';
};

/** Runs a login that must fail and returns its error. */
async function refused(attempt: Promise<unknown>): Promise<AppError> {
  try {
    await attempt;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('the login was accepted');
}

describeEachBackend('identity', (getDb) => {
  let app: App;
  /** Every secret the tests handle; none may ever appear in the audit trail. */
  const secrets = new Set<string>([testPassword]);

  /** Sends as nobody; `.as(caller)` as a token caller or a session. */
  let api: ApiClient;
  /** Signs in over HTTP: a session whose headers are the cookie and the CSRF token. */
  const session = async (name: string, password = testPassword, totp?: string) => {
    const signed = await signIn(app, name, password, totp);
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    secrets.add(signed.cookie.split('=')[1] ?? '');
    secrets.add(signed.csrf);
    return signed;
  };
  const newUser = async (roles: Parameters<typeof createUser>[1]['roles'], extra: Partial<Parameters<typeof createUser>[1]> = {}) => {
    const name = uniqueName('u');
    const created = await createUser(getDb().db, { name, roles, password: testPassword, totp_exempt: true, ...extra }, root);
    if (created.one_time_password) secrets.add(created.one_time_password);
    if (created.totp_uri) secrets.add(secretOf(created.totp_uri));
    return { name, created };
  };
  const caller = async (roles: Parameters<typeof callerWith>[1], scope: 'read' | 'write' = 'write'): Promise<TestCaller> => {
    const c = await callerWith(getDb().db, roles, { scope });
    secrets.add((c.headers.Authorization ?? '').replace('Bearer ', ''));
    return c;
  };

  beforeAll(async () => {
    app = createApp({ database: getDb(), config });
    api = apiClient(app);
  });

  describe('passwords', () => {
    it('need 8 characters from 3 of 4 classes, without the user name', () => {
      const messages = (password: string, name = 'li.ming') => passwordProblems(password, name, 8).map((p) => p.message);
      expect(messages('Ab1!xyz')).toEqual(['must be at least 8 characters']);
      expect(messages('abcdefgh12')).toEqual([expect.stringContaining('must mix at least 3 of')]);
      expect(messages('ABCDEFGH!!')).toEqual([expect.stringContaining('must mix at least 3 of')]);
      expect(messages('Li.Ming-2024')).toEqual(['must not contain the user name']);
      expect(messages('abc')).toHaveLength(2);
      expect(messages('Gx-Cloud-2024')).toEqual([]);
      expect(messages('gx-cloud-2024')).toEqual([]);
    });

    it('are checked when a user changes theirs, against the policy row', async () => {
      const { name } = await newUser(['ops']);
      const me = await session(name);
      const change = (next: string) => api.as(me).post('/api/v1/auth/password', { current_password: testPassword, new_password: next });
      for (const bad of ['Sh0rt!', 'alllowercase', `X-${name}-1`]) {
        const a = await change(bad);
        expect(a.status, bad).toBe(422);
        expect(a.body.code).toBe('validation_failed');
      }
      expect((await change(testPassword)).status).toBe(422);

      const { db } = getDb();
      await updateSecurityPolicy(db, { minPasswordLength: 14 }, root);
      try {
        const short = await change('Gx-Cloud-2024');
        expect(short.status).toBe(422);
        expect(JSON.stringify(short.body)).toContain('at least 14 characters');
      } finally {
        await updateSecurityPolicy(db, { minPasswordLength: 8 }, root);
      }
      const next = 'Gx-Cloud-2024';
      secrets.add(next);
      expect((await change(next)).status).toBe(204);
      expect((await signIn(app, name, testPassword)).status).toBe(401);
      expect((await signIn(app, name, next)).status).toBe(200);

      await expect(createUser(db, { name: uniqueName('weak'), password: 'password' }, root)).rejects.toMatchObject({
        code: 'validation_failed',
      });
    });
  });

  describe('lockout', () => {
    it('locks an account after 5 failures for 15 minutes, as the policy row says', async () => {
      const { db } = getDb();
      expect(await getSecurityPolicy(db)).toMatchObject({ lockoutAttempts: 5, lockoutMinutes: 15, idleTimeoutMinutes: 30 });
      const { name } = await newUser(['ops']);
      const t0 = new Date();
      const at = (ms: number) => new Date(t0.getTime() + ms);
      const attempt = (password: string, now: Date) => login(db, { name, password }, {}, now);

      // Four failures, then a success: the count starts again.
      for (let i = 0; i < 4; i++) expect((await refused(attempt('Wrong-Passw0rd', t0))).code).toBe('unauthorized');
      await attempt(testPassword, t0);
      for (let i = 0; i < 4; i++) await refused(attempt('Wrong-Passw0rd', t0));
      // The fifth failure in a row locks the account, even against the right password.
      await refused(attempt('Wrong-Passw0rd', t0));
      const locked = await refused(attempt(testPassword, at(minute)));
      expect(locked.message).toContain('locked until');
      expect((await refused(attempt(testPassword, at(15 * minute - 1000)))).message).toContain('locked until');
      const [row] = await queryRows<{ locked_until: string }>(
        getDb(),
        sql`select l.locked_until::text from login_lockouts l join users u on u.id = l.user_id where u.name = ${name}`,
      );
      expect(new Date(String(row?.locked_until)).getTime()).toBe(at(15 * minute).getTime());
      await attempt(testPassword, at(15 * minute + 1000));
    });

    it('unlocking clears a lockout at once', async () => {
      const { db } = getDb();
      const { name } = await newUser(['ops']);
      const t0 = new Date();
      for (let i = 0; i < 5; i++) await refused(login(db, { name, password: 'Wrong-Passw0rd' }, {}, t0));
      expect((await refused(login(db, { name, password: testPassword }, {}, t0))).message).toContain('locked until');

      const sysadmin = await caller(['sysadmin']);
      const unlocked = await api.as(sysadmin).post(`/api/v1/users/${name}/unlock`);
      expect(unlocked.status).toBe(200);
      expect(unlocked.body).toMatchObject({ locked_until: null, disabled: false });
      await login(db, { name, password: testPassword }, {}, t0);

      // Locked by an administrator: no login until unlocked.
      await setLocked(db, name, true, root);
      expect((await refused(login(db, { name, password: testPassword }, {}, t0))).message).toContain('locked');
      await setLocked(db, name, false, root);
      await login(db, { name, password: testPassword }, {}, t0);
    });

    it('parallel guesses cannot slip past the count', async () => {
      const { db } = getDb();
      const { name } = await newUser(['ops']);
      const t0 = new Date();
      await Promise.all(Array.from({ length: 8 }, () => refused(login(db, { name, password: 'Wrong-Passw0rd' }, {}, t0))));
      expect((await refused(login(db, { name, password: testPassword }, {}, t0))).message).toContain('locked until');
    });

    it('follows a changed policy', async () => {
      const { db } = getDb();
      const { name } = await newUser(['ops']);
      await updateSecurityPolicy(db, { lockoutAttempts: 2, lockoutMinutes: 1 }, root);
      try {
        const t0 = new Date();
        for (let i = 0; i < 2; i++) await refused(login(db, { name, password: 'Wrong-Passw0rd' }, {}, t0));
        expect((await refused(login(db, { name, password: testPassword }, {}, t0))).message).toContain('locked until');
        await login(db, { name, password: testPassword }, {}, new Date(t0.getTime() + minute + 1000));
      } finally {
        await updateSecurityPolicy(db, { lockoutAttempts: 5, lockoutMinutes: 15 }, root);
      }
    });

    it('counts wrong second-factor codes too', async () => {
      const { db } = getDb();
      const { name, created } = await newUser(['auditor'], { totp_exempt: false });
      const secret = secretOf(created.totp_uri);
      const t0 = new Date();
      for (let i = 0; i < 5; i++) await refused(login(db, { name, password: testPassword, totp: wrongCode(secret, name) }, {}, t0));
      const locked = await refused(login(db, { name, password: testPassword, totp: currentTotp(secret, name, t0.getTime()) }, {}, t0));
      expect(locked.message).toContain('locked until');
    });
  });

  describe('sessions', () => {
    it('end after the idle timeout, and after 12 hours whatever happens', async () => {
      const { db } = getDb();
      const { name } = await newUser(['ops']);
      const t0 = new Date();
      const at = (ms: number) => new Date(t0.getTime() + ms);

      const idle = await login(db, { name, password: testPassword }, {}, t0);
      secrets.add(idle.sessionId);
      expect(await authenticateSession(db, idle.sessionId, at(29 * minute))).toMatchObject({ user: { name } });
      // Used at 29 minutes, so idle only from then.
      expect(await authenticateSession(db, idle.sessionId, at(58 * minute))).not.toBeNull();
      expect(await authenticateSession(db, idle.sessionId, at(89 * minute))).toBeNull();
      // Once ended it stays ended.
      expect(await authenticateSession(db, idle.sessionId, at(60 * minute))).toBeNull();

      const busy = await login(db, { name, password: testPassword }, {}, t0);
      secrets.add(busy.sessionId);
      let t = 0;
      for (; t < 12 * 60 * minute; t += 25 * minute)
        expect(await authenticateSession(db, busy.sessionId, at(t)), `${t / minute} min`).not.toBeNull();
      expect(await authenticateSession(db, busy.sessionId, at(12 * 60 * minute + 1000))).toBeNull();

      await updateSecurityPolicy(db, { idleTimeoutMinutes: 5 }, root);
      try {
        const short = await login(db, { name, password: testPassword }, {}, t0);
        secrets.add(short.sessionId);
        expect(await authenticateSession(db, short.sessionId, at(6 * minute))).toBeNull();
      } finally {
        await updateSecurityPolicy(db, { idleTimeoutMinutes: 30 }, root);
      }
    });

    it('the cookie is HttpOnly and SameSite=Strict (Secure behind TLS), and responses carry a CSP', async () => {
      const { name } = await newUser(['leader']);
      const login = (headers: Record<string, string> = {}) => api.post('/api/v1/auth/login', { name, password: testPassword }, { headers });
      const plain = await login();
      expect(plain.status).toBe(200);
      const cookie = plain.headers.get('set-cookie') ?? '';
      secrets.add(cookie.split(';')[0]?.split('=')[1] ?? '');
      expect(cookie).toMatch(/^yunwang_session=[A-Za-z0-9_-]{40,};/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).toContain('Path=/');
      expect(cookie).not.toContain('Secure');
      expect(plain.headers.get('content-security-policy')).toContain("default-src 'self'");

      const tls = await login({ 'X-Forwarded-Proto': 'https' });
      const tlsCookie = tls.headers.get('set-cookie') ?? '';
      secrets.add(tlsCookie.split(';')[0]?.split('=')[1] ?? '');
      expect(tlsCookie).toContain('Secure');
    });

    it('a cookie-authenticated write needs the X-CSRF-Token header', async () => {
      const { name } = await newUser(['leader']);
      const me = await session(name);
      const body = { name: 'csrf', scope: 'read', expires_in_days: 1 };
      const without = await api.post('/api/v1/tokens', body, { headers: { Cookie: me.cookie } });
      expect(without.status).toBe(403);
      expect(String(without.body.detail)).toContain('X-CSRF-Token');
      const wrong = await api.post('/api/v1/tokens', body, { headers: { Cookie: me.cookie, 'X-CSRF-Token': 'forged' } });
      expect(wrong.status).toBe(403);
      // Reads need no token; a write with it goes through.
      expect((await api.get('/api/v1/tokens', { headers: { Cookie: me.cookie } })).status).toBe(200);
      const right = await api.as(me).post('/api/v1/tokens', body);
      expect(right.status).toBe(201);
      secrets.add(String(right.body.token));
      // The refusals are in the audit trail.
      const denied = await queryRows<{ n: number }>(
        getDb(),
        sql`select count(*)::int as n from audit_log where actor = ${name} and action = 'createOwnToken' and result = 'denied'`,
      );
      expect(denied[0]?.n).toBe(2);
    });

    it('sign-in is rate limited per address: 429 with Retry-After', async () => {
      const limited = createApp({ database: getDb(), config: { ...config, YUNWANG_LOGIN_RATE_PER_MINUTE: 3 } });
      const { name } = await newUser(['leader']);
      // The count is kept in the database per address: this test's own address, not the other tests'.
      const attempt = (password: string) => apiClient(fromAddress(limited, '192.0.2.99')).post('/api/v1/auth/login', { name, password });
      for (let i = 0; i < 3; i++) expect((await attempt('Wrong-Passw0rd')).status).toBe(401);
      const res = await attempt(testPassword);
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.body).toMatchObject({ code: 'too_many_requests' });
    });
  });

  describe('second factor', () => {
    it('is required for the administrator roles', async () => {
      const { name, created } = await newUser(['secadmin'], { totp_exempt: false });
      expect(created.totp_uri).toMatch(/^otpauth:\/\/totp\//);
      const secret = secretOf(created.totp_uri);
      const missing = await signIn(app, name);
      expect(missing.status).toBe(401);
      expect(String(missing.body.detail)).toContain('6-digit code');
      expect((await signIn(app, name, testPassword, wrongCode(secret, name))).status).toBe(401);
      const right = await session(name, testPassword, currentTotp(secret, name));
      expect(right.body).toMatchObject({ restriction: null, user: { name, roles: ['secadmin'], totp_enabled: true } });
      expect((await api.as(right).get('/api/v1/security-policy')).status).toBe(200);

      // Not for the other roles.
      const ops = await newUser(['ops'], { totp_exempt: false });
      expect(ops.created.totp_uri).toBeUndefined();
      await session(ops.name);
    });

    it('an administrator without one may only enrol it', async () => {
      const { name } = await newUser(['sysadmin'], { totp_exempt: false });
      await getDb().db.execute(sql`update users set totp_enabled = false, totp_secret = null where name = ${name}`);
      const me = await session(name);
      expect(me.body.restriction).toBe('totp_enrollment');
      expect((await api.as(me).get('/api/v1/users')).status).toBe(403);
      const started = await api.as(me).post('/api/v1/auth/totp');
      expect(started.status).toBe(200);
      const secret = String(started.body.secret);
      secrets.add(secret);
      expect((await api.as(me).post('/api/v1/auth/totp/confirm', { code: wrongCode(secret, name) })).status).toBe(422);
      const confirmed = await api.as(me).post('/api/v1/auth/totp/confirm', { code: currentTotp(secret, name) });
      expect(confirmed.status).toBe(204);
      expect((await api.as(me).get('/api/v1/users')).status).toBe(200);
      // From now on the code is asked for.
      expect((await signIn(app, name)).status).toBe(401);
      // The code that confirmed the enrolment is used up (no replay); the next step's code signs in.
      const next = Date.now() + 30_000;
      await login(getDb().db, { name, password: testPassword, totp: currentTotp(secret, name, next) }, {}, new Date(next));
    });
  });

  describe('forced password change', () => {
    it('restricts the session to getMe, logout, the password and the second factor', async () => {
      expect([...restrictedOperations].sort()).toEqual(
        ['changeOwnPassword', 'confirmTotpEnrollment', 'getMe', 'logout', 'startTotpEnrollment'].sort(),
      );
      const name = uniqueName('new');
      const created = await createUser(getDb().db, { name, roles: ['ops'] }, root);
      const oneTime = String(created.one_time_password);
      secrets.add(oneTime);
      expect(created.user.must_change_password).toBe(true);

      const me = await session(name, oneTime);
      expect(me.body.restriction).toBe('password_change');
      expect((await api.as(me).get('/api/v1/auth/me')).body).toMatchObject({ restriction: 'password_change' });
      // Every other operation of the API document is refused, whatever the user's roles.
      const paths = await openApiPaths(app);
      const refusedOps: string[] = [];
      for (const [template, methods] of Object.entries(paths)) {
        for (const [method, op] of Object.entries(methods)) {
          const operationId = String(op.operationId);
          // Sign-in, and the agents' routes (ingest, Alertmanager's webhook: an agent token, not a user), are not the session's to use.
          const rule = routePolicy[operationId];
          if (restrictedOperations.has(operationId) || operationId === 'login' || (rule && 'agent' in rule)) continue;
          const path = template.replace(/\{[^}]+\}/g, '1');
          const a = await api.as(me).send(method.toUpperCase(), path, method === 'get' ? undefined : {});
          expect(a.status, `${method} ${path}`).toBe(403);
          expect(String(a.body.detail), `${method} ${path}`).toContain('change your initial password');
          refusedOps.push(operationId);
        }
      }
      expect(refusedOps.length).toBeGreaterThan(60);
      const next = 'Gx-Network-2024';
      secrets.add(next);
      expect((await api.as(me).post('/api/v1/auth/password', { current_password: oneTime, new_password: next })).status).toBe(204);
      expect((await api.as(me).get('/api/v1/auth/me')).body).toMatchObject({
        restriction: null,
        user: { must_change_password: false },
      });
      expect((await api.as(me).get('/api/v1/systems')).status).toBe(200);

      // An administrator's reset ends the user's sessions; the one-time password signs in restricted again.
      const sysadmin = await caller(['sysadmin']);
      const reset = await api.as(sysadmin).post(`/api/v1/users/${name}/password-reset`);
      expect(reset.status).toBe(200);
      secrets.add(String(reset.body.one_time_password));
      expect((await api.as(me).get('/api/v1/auth/me')).status).toBe(401);
      const again = await session(name, String(reset.body.one_time_password));
      expect(again.body.restriction).toBe('password_change');
      expect((await api.as(again).get('/api/v1/systems')).status).toBe(403);
      expect((await api.as(again).post('/api/v1/auth/logout')).status).toBe(204);
      expect((await api.as(again).get('/api/v1/auth/me')).status).toBe(401);
    });
  });

  describe('API tokens', () => {
    it('are shown once, stored only as a hash, and expire', async () => {
      const { name } = await newUser(['leader']);
      const me = await session(name);
      const created = await api.as(me).post('/api/v1/tokens', { name: 'script', scope: 'read', expires_in_days: 1 });
      expect(created.status).toBe(201);
      const token = String(created.body.token);
      secrets.add(token);
      expect(token).toMatch(/^yw_[A-Za-z0-9_-]{40,}$/);
      const stored = await queryRows<{ token_hash: string }>(
        getDb(),
        sql`select token_hash from api_tokens t join users u on u.id = t.user_id where u.name = ${name}`,
      );
      expect(stored).toHaveLength(1);
      expect(stored[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(stored[0]?.token_hash).not.toContain(token.slice(3));
      const listed = await api.as(me).get('/api/v1/tokens');
      expect(JSON.stringify(listed.body)).not.toContain(token);

      const { db } = getDb();
      const now = Date.now();
      expect(await authenticateToken(db, token, new Date(now + 23 * 60 * minute))).toMatchObject({ via: 'token', user: { name } });
      expect(await authenticateToken(db, token, new Date(now + 25 * 60 * minute))).toBeNull();
      expect(await authenticateToken(db, `${token}x`)).toBeNull();
      expect(await authenticateToken(db, token.slice(3))).toBeNull();
    });

    it('can be revoked by their user (or the system administrator), and then stop working', async () => {
      const owner = await caller(['leader']);
      const bystander = await caller(['ops']);
      expect((await api.as(owner).get('/api/v1/departments')).status).toBe(200);
      const [mine] = (await api.as(owner).get('/api/v1/tokens')).body.items as Json[];
      // Someone else's token does not exist for a user who may not manage it.
      expect((await api.as(bystander).delete(`/api/v1/tokens/${mine?.id}`)).status).toBe(404);
      const revoked = await api.as(owner).delete(`/api/v1/tokens/${mine?.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revoked_at).toEqual(expect.any(String));
      expect((await api.as(owner).get('/api/v1/departments')).status).toBe(401);

      const other = await caller(['reviewer']);
      const [theirs] = (await api.as(other).get('/api/v1/tokens')).body.items as Json[];
      const sysadmin = await caller(['sysadmin']);
      expect((await api.as(sysadmin).delete(`/api/v1/tokens/${theirs?.id}`)).status).toBe(200);
      expect((await api.as(other).get('/api/v1/certifications')).status).toBe(401);
    });

    it('a read-scope token reads, and cannot write — not even on its own account', async () => {
      const reader = await caller(['sysadmin'], 'read');
      expect((await api.as(reader).get('/api/v1/departments')).status).toBe(200);
      expect((await api.as(reader).get('/api/v1/users')).status).toBe(200);
      const writes: [string, string, unknown][] = [
        ['POST', '/api/v1/departments', { code: 'RO-1', name: 'x', region_code: '450100', kind: 'government' }],
        ['POST', '/api/v1/users', { name: uniqueName('ro') }],
        ['POST', '/api/v1/tokens', { name: 'escalate', scope: 'write', expires_in_days: 1 }],
        ['DELETE', '/api/v1/tokens/1', undefined],
        ['POST', '/api/v1/auth/password', { current_password: testPassword, new_password: 'Gx-Escalate-2024' }],
        ['POST', '/api/v1/auth/totp', undefined],
      ];
      for (const [method, path, json] of writes) {
        const a = await api.as(reader).send(method, path, json);
        expect(a.status, `${method} ${path}`).toBe(403);
        expect(String(a.body.detail)).toContain('read');
      }
      const [row] = await queryRows<{ n: number }>(
        getDb(),
        sql`select count(*)::int as n from api_tokens t join users u on u.id = t.user_id where u.name = ${reader.name}`,
      );
      expect(row?.n).toBe(1);
    });
  });

  describe('三权分立', () => {
    it('nobody holds two of sysadmin, secadmin and auditor: the service and the database refuse it', async () => {
      const { db } = getDb();
      await expect(
        createUser(db, { name: uniqueName('two'), roles: ['sysadmin', 'auditor'], password: testPassword }, root),
      ).rejects.toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'roles', message: expect.stringContaining('三权分立') }],
      });
      const { name } = await newUser(['sysadmin']);
      await expect(setRoles(db, name, ['sysadmin', 'secadmin'], null, root)).rejects.toMatchObject({ code: 'validation_failed' });

      const secadmin = await caller(['secadmin']);
      const granted = await api.as(secadmin).put(`/api/v1/users/${name}/roles`, { roles: ['sysadmin', 'auditor'] });
      expect(granted.status).toBe(422);
      expect(JSON.stringify(granted.body)).toContain('三权分立');
      // Granting one admin role, or an admin and an ordinary role, is fine.
      const ok = await api.as(secadmin).put(`/api/v1/users/${name}/roles`, { roles: ['auditor', 'leader'] });
      expect(ok.status).toBe(200);

      // Past the service, the table's check constraint refuses it too.
      await expect(db.execute(sql`update users set roles = array['sysadmin', 'secadmin'] where name = ${name}`)).rejects.toThrow();
      await expect(
        db.execute(
          sql`insert into users (name, display_name, roles, password_hash) values (${uniqueName('raw')}, 'x', array['auditor', 'secadmin', 'ops'], 'x')`,
        ),
      ).rejects.toThrow();
      const [row] = await queryRows<{ roles: string[] }>(getDb(), sql`select roles from users where name = ${name}`);
      expect(row?.roles).toEqual(['auditor', 'leader']);
    });
  });

  describe('audit trail', () => {
    it('records a write the service refuses, like one the route policy refuses', async () => {
      const leader = await caller(['leader']);
      const res = await api.as(leader).post('/api/v1/import/systems', fileForm('code,name,department_code\r\nX,x,Y\r\n', 'x.csv'));
      expect(res.status).toBe(403);
      const byPolicy = await api.as(leader).post('/api/v1/departments', {});
      expect(byPolicy.status).toBe(403);
      const rows = await queryRows<{ action: string; entity_code: string; result: string; after: { reason: string } }>(
        getDb(),
        sql`select action, entity_code, result, after from audit_log where actor = ${leader.name} order by id`,
      );
      expect(rows).toEqual([
        {
          action: 'importFile',
          entity_code: '/api/v1/import/systems',
          result: 'denied',
          after: { reason: expect.stringContaining('systems') },
        },
        { action: 'createDepartment', entity_code: '/api/v1/departments', result: 'denied', after: { reason: expect.any(String) } },
      ]);
    });

    it('records sign-ins, failures included, and never a password, token, session or second-factor secret', async () => {
      const rows = await queryRows<{ action: string; result: string; line: string }>(
        getDb(),
        sql`select action, result, row_to_json(a)::text as line from audit_log a order by id`,
      );
      expect(rows.some((r) => r.action === 'login' && r.result === 'ok')).toBe(true);
      expect(rows.some((r) => r.action === 'login' && r.result === 'failed')).toBe(true);
      expect(rows.some((r) => r.action === 'token.create')).toBe(true);
      expect(rows.some((r) => r.action === 'user.password')).toBe(true);
      const known = [...secrets].filter((s) => s.length >= 8);
      expect(known.length).toBeGreaterThan(20);
      const leaks = rows.flatMap((r) => known.filter((s) => r.line.includes(s)).map((s) => `${r.action}: ${s.slice(0, 6)}…`));
      expect(leaks).toEqual([]);
    });
  });
});

describeEachBackend('first start', (getDb) => {
  it('without users, creates exactly the three administrators and writes their one-time passwords once', async () => {
    const database = getDb();
    const [before] = await queryRows<{ n: number }>(database, sql`select count(*)::int as n from users`);
    expect(before?.n).toBe(0);
    const credentialsDir = await mkdtemp(path.join(tmpdir(), 'yunwang-credentials-'));
    await prepareDatabase(database, { demo: false, credentialsDir, log: () => {} });
    const [file] = await readdir(credentialsDir);
    const printed = (await readFile(path.join(credentialsDir, String(file)), 'utf8')).split('\n');
    const users = await queryRows<{ name: string; roles: string[]; must_change_password: boolean; totp_enabled: boolean }>(
      database,
      sql`select name, roles, must_change_password, totp_enabled from users order by name`,
    );
    expect(users).toEqual([
      { name: 'auditor', roles: ['auditor'], must_change_password: true, totp_enabled: true },
      { name: 'secadmin', roles: ['secadmin'], must_change_password: true, totp_enabled: true },
      { name: 'sysadmin', roles: ['sysadmin'], must_change_password: true, totp_enabled: true },
    ]);
    const lines = printed.filter((l) => /^\s+(sysadmin|secadmin|auditor): password /.test(l));
    expect(lines).toHaveLength(3);

    // The printed password and second factor sign the administrator in, to change the password first.
    const line = lines.find((l) => l.includes('sysadmin:')) ?? '';
    const password = /password (\S+)/.exec(line)?.[1] ?? '';
    const secret = secretOf(/TOTP (\S+)/.exec(line)?.[1]);
    const app = createApp({ database, config });
    const signed = await signIn(app, 'sysadmin', password, currentTotp(secret, 'sysadmin'));
    expect(signed.status).toBe(200);
    expect(signed.body.restriction).toBe('password_change');
    const [stored] = await queryRows<{ password_hash: string }>(database, sql`select password_hash from users where name = 'sysadmin'`);
    expect(stored?.password_hash).toMatch(/^scrypt\$/);
    expect(stored?.password_hash).not.toContain(password);

    // A second start changes nothing and writes nothing.
    await prepareDatabase(database, { demo: false, credentialsDir, log: () => {} });
    expect(await readdir(credentialsDir)).toHaveLength(1);
    const [after] = await queryRows<{ n: number }>(database, sql`select count(*)::int as n from users`);
    expect(after?.n).toBe(3);
  });

  it('in demo mode, creates one user per role who signs in with the demo password and no second factor', async () => {
    const database = await openTestDatabase(getDb().kind);
    try {
      const credentialsDir = await mkdtemp(path.join(tmpdir(), 'yunwang-credentials-'));
      await prepareDatabase(database, { demo: true, demoPassword: 'Demo-Passw0rd!', credentialsDir, log: () => {} });
      // Demo users exist, so no administrators with one-time passwords are made.
      expect(await readdir(credentialsDir)).toEqual([]);
      const users = await queryRows<{ name: string; roles: string[]; code: string | null }>(
        database,
        sql`select u.name, u.roles, d.code from users u left join departments d on d.id = u.department_id order by u.name`,
      );
      expect(users.map((u) => u.name).sort()).toEqual(demoUsers.map((u) => u.name).sort());
      expect(users.find((u) => u.name === 'dept-P001')).toEqual({ name: 'dept-P001', roles: ['department'], code: 'P001' });
      const app = createApp({ database, config, demo: true });
      for (const user of demoUsers) {
        const signed = await signIn(app, user.name, 'Demo-Passw0rd!');
        expect(signed.status, user.name).toBe(200);
        expect(signed.body).toMatchObject({ restriction: null, user: { roles: user.roles } });
      }
      const page = (await apiClient(app).get('/')).text;
      expect(page).toContain('演示数据');
    } finally {
      await database.close();
    }
  }, 120_000);
});
