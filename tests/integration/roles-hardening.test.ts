/**
 * Issue 14, items 1, 6, 8 and 11: separation of duties (nobody changes his own roles; a
 * department is not its own reviewer), the four-eyes password reset of an administrator
 * with a notice to its user, API tokens that keep the roles they were issued with, and
 * bootstrap credentials written to a 0600 file instead of standard output.
 */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { authenticateToken, createToken } from '../../src/identity/tokens.ts';
import { currentTotp } from '../../src/identity/totp.ts';
import { changePassword, createUser, setLocked, setRoles } from '../../src/identity/users.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type ApiClient, apiClient, type Caller, type Json } from '../helpers/api.ts';
import { callerWith, signIn, testPassword } from '../helpers/auth.ts';
import { runYunwang } from '../helpers/cli.ts';
import { backends, createPostgresDatabase, describeEachBackend, openTestDatabase, queryRows } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 1000 };
const root = rootActor('test-setup');

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;
const secretOf = (uri: string | undefined) => new URL(String(uri)).searchParams.get('secret') ?? '';

describeEachBackend('roles hardening', (getDb) => {
  let app: App;

  /** Sends as nobody; `.as(caller)` as a token caller or a session. */
  let api: ApiClient;
  /** An administrator with an enrolled second factor, signed in over HTTP. */
  const adminSession = async (role: 'sysadmin' | 'secadmin' | 'auditor') => {
    const name = uniqueName(`rh-${role}`);
    const created = await createUser(getDb().db, { name, roles: [role], password: testPassword }, root);
    const secret = secretOf(created.totp_uri);
    const signed = await signIn(app, name, testPassword, currentTotp(secret, name));
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    return { name, secret, headers: signed.headers };
  };
  const department = async (code: string, parent?: string) =>
    upsertRecords(
      getDb().db,
      'departments',
      [{ code, name: `部门 ${code}`, region_code: '450000', kind: 'government', extranet_connected: false, parent_code: parent }],
      root,
    );

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config });
    api = apiClient(app);
  });

  describe('separation of duties (item 1)', () => {
    it('nobody changes his own roles, not even the security administrator', async () => {
      const secadmin = await callerWith(getDb().db, ['secadmin']);
      const self = await api.as(secadmin).put(`/api/v1/users/${secadmin.name}/roles`, { roles: ['secadmin', 'reviewer'] });
      expect(self.status).toBe(403);
      const [row] = await queryRows<{ roles: string[] }>(getDb(), sql`select roles from users where name = ${secadmin.name}`);
      expect(row?.roles).toEqual(['secadmin']);
      // Another user's roles he grants as before.
      const other = await callerWith(getDb().db, ['leader']);
      const granted = await api.as(secadmin).put(`/api/v1/users/${other.name}/roles`, { roles: ['reviewer'] });
      expect(granted.status).toBe(200);
    });

    it('nobody is both department and reviewer: the service and the database refuse it', async () => {
      const { db } = getDb();
      const code = uniqueName('RH-D');
      await department(code);
      const name = uniqueName('rh-dept');
      await expect(
        createUser(db, { name, roles: ['department', 'reviewer'], department_code: code, password: testPassword }, root),
      ).rejects.toMatchObject({ code: 'validation_failed', errors: [{ field: 'roles' }] });
      await createUser(db, { name, roles: ['department'], department_code: code, password: testPassword }, root);
      await expect(setRoles(db, name, ['department', 'reviewer'], code, root)).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(db.execute(sql`update users set roles = array['department', 'reviewer'] where name = ${name}`)).rejects.toThrow();
    });

    it('a reviewer certifies (and re-reviews) no record of his own department or its sub-departments', async () => {
      const own = uniqueName('RH-OWN');
      const sub = uniqueName('RH-SUB');
      const other = uniqueName('RH-OTHER');
      await department(own);
      await department(sub, own);
      await department(other);
      const system = (code: string, dept: string) => ({
        code,
        name: `系统 ${code}`,
        department_code: dept,
        classification: 'pending' as const,
        state: 'migrated' as const,
        state_at: '2020-01-01',
      });
      const [mine, mineBelow, theirs] = [uniqueName('RH-S'), uniqueName('RH-S'), uniqueName('RH-S')];
      await upsertRecords(getDb().db, 'systems', [system(mine, own), system(mineBelow, sub), system(theirs, other)], root);
      const reviewer = await callerWith(getDb().db, ['reviewer'], { department: own });
      const certify = (code: string) =>
        api.as(reviewer).post(`/api/v1/systems/${code}/certifications`, { classification: 'non_classified', evidence: '定级备案表' });
      expect((await certify(mine)).status).toBe(403);
      expect((await certify(mineBelow)).status).toBe(403);
      const certified = await certify(theirs);
      expect(certified.status, JSON.stringify(certified.body)).toBe(201);

      // A re-review of a record of his own department is refused too.
      const colleague = await callerWith(getDb().db, ['reviewer'], { department: other });
      const certifiedByColleague = await api
        .as(colleague)
        .post(`/api/v1/systems/${mine}/certifications`, { classification: 'non_classified', evidence: '定级备案表' });
      expect(certifiedByColleague.status).toBe(201);
      const scheduled = await api
        .as(colleague)
        .post(`/api/v1/certifications/${certifiedByColleague.body.id}/re-reviews`, { due_at: '2099-01-01' });
      expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(201);
      const recorded = await api.as(reviewer).post(`/api/v1/re-reviews/${scheduled.body.id}/result`, { result: 'passed' });
      expect(recorded.status).toBe(403);
    });
  });

  describe('API tokens (item 8)', () => {
    it('carry the roles chosen at creation: roles granted later, or left out, do not count', async () => {
      const { db } = getDb();
      const name = uniqueName('rh-tok');
      await createUser(db, { name, roles: ['leader', 'ops'], password: testPassword }, root);
      const { token: narrow } = await createToken(db, name, { name: 'narrow', scope: 'read', expires_in_days: 1, roles: ['leader'] }, root);
      const { token: full } = await createToken(db, name, { name: 'full', scope: 'read', expires_in_days: 1 }, root);
      const rolesOf = async (token: string) => {
        const principal = await authenticateToken(db, token);
        return principal && !principal.access.root ? [...principal.access.roles].sort() : null;
      };
      expect(await rolesOf(narrow)).toEqual(['leader']);
      expect(await rolesOf(full)).toEqual(['leader', 'ops']);
      // A role granted after the token was issued is not the token's; a role withdrawn is gone at once.
      await setRoles(db, name, ['ops', 'reviewer'], null, root);
      expect(await rolesOf(full)).toEqual(['ops']);
      expect(await rolesOf(narrow)).toEqual([]);
      // A token cannot be issued with a role its user does not hold.
      await expect(
        createToken(db, name, { name: 'more', scope: 'read', expires_in_days: 1, roles: ['sysadmin'] }, root),
      ).rejects.toMatchObject({ code: 'validation_failed' });
    });

    it('expire within a year (90 days unless asked), refused beyond', async () => {
      const { db } = getDb();
      const name = uniqueName('rh-exp');
      await createUser(db, { name, roles: ['leader'], password: testPassword }, root);
      await expect(createToken(db, name, { name: 'long', scope: 'read', expires_in_days: 400 }, root)).rejects.toMatchObject({
        code: 'validation_failed',
      });
      const leader = await callerWith(db, ['leader']);
      const created = await api.as(leader).post('/api/v1/tokens', { name: 'default' });
      expect(created.status).toBe(201);
      const days = (Date.parse(String((created.body.info as Json).expires_at)) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(89);
      expect(days).toBeLessThanOrEqual(90);
      const tooLong = await api.as(leader).post('/api/v1/tokens', { name: 'long', expires_in_days: 366 });
      expect(tooLong.status).toBe(422);
    });

    it('are revoked when their user changes his password, and when he is locked', async () => {
      const { db } = getDb();
      const name = uniqueName('rh-rev');
      const created = await createUser(db, { name, roles: ['leader'], password: testPassword }, root);
      const { token } = await createToken(db, name, { name: 't', scope: 'read', expires_in_days: 1 }, root);
      const self = { name, access: (await authenticateToken(db, token))?.access ?? root.access };
      await changePassword(db, name, { current: testPassword, next: 'Other-Passw0rd!' }, self);
      expect(await authenticateToken(db, token)).toBeNull();

      const { token: second } = await createToken(db, name, { name: 't2', scope: 'read', expires_in_days: 1 }, root);
      await setLocked(db, name, true, root);
      await setLocked(db, name, false, root);
      // Unlocking does not bring the token back.
      expect(await authenticateToken(db, second)).toBeNull();
      expect(created.user.name).toBe(name);
    });

    it("an administrator's token needs his second factor at creation", async () => {
      const admin = await adminSession('auditor');
      const without = await api.as(admin).post('/api/v1/tokens', { name: 'no-code' });
      expect(without.status).toBe(403);
      const wrong = await api.as(admin).post('/api/v1/tokens', { name: 'wrong', totp: '000000' });
      expect([403, 422]).toContain(wrong.status);
      // The next step's code: the sign-in used the current one, and a code is used once.
      const code = currentTotp(admin.secret, admin.name, Date.now() + 30_000);
      const ok = await api.as(admin).post('/api/v1/tokens', { name: 'with-code', totp: code });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      const [n] = await queryRows<{ n: number }>(
        getDb(),
        sql`select count(*)::int as n from api_tokens t join users u on u.id = t.user_id where u.name = ${admin.name}`,
      );
      expect(n?.n).toBe(1);
    });
  });

  describe("an administrator's password reset (item 6)", () => {
    it('waits for a second administrator — not the requester, not the target — and tells the user', async () => {
      const sysadmin = await callerWith(getDb().db, ['sysadmin']);
      const target = await adminSession('secadmin');
      const passwordHash = () =>
        queryRows<{ password_hash: string }>(getDb(), sql`select password_hash from users where name = ${target.name}`);
      const before = await passwordHash();
      const requested = await api.as(sysadmin).post(`/api/v1/users/${target.name}/password-reset`);
      expect(requested.status, JSON.stringify(requested.body)).toBe(202);
      expect(JSON.stringify(requested.body)).not.toContain('one_time_password');
      const id = (requested.body.reset as Json).id;
      // Nothing happened yet: the old password stands. (Read from the row: a sign-in here would
      // use up the next TOTP step, which the sign-in below needs.)
      expect(await passwordHash()).toEqual(before);

      const approve = (caller: Caller) => api.as(caller).post(`/api/v1/password-resets/${id}/approve`);
      expect((await approve(sysadmin)).status).toBe(403);
      expect((await approve(target)).status).toBe(403);
      expect((await approve(await callerWith(getDb().db, ['leader']))).status).toBe(403);
      const auditor = await callerWith(getDb().db, ['auditor']);
      const listed = await api.as(auditor).get('/api/v1/password-resets');
      expect(listed.status).toBe(200);
      expect((listed.body.items as Json[]).map((r) => r.id)).toContain(id);
      const approved = await approve(auditor);
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      const otp = String(approved.body.one_time_password);
      expect(otp.length).toBeGreaterThanOrEqual(12);
      expect((await approve(auditor)).status).toBe(409);

      // The user is told at the next sign-in, once.
      const next = await signIn(app, target.name, otp, currentTotp(target.secret, target.name, Date.now() + 30_000));
      expect(next.status).toBe(200);
      expect(JSON.stringify(next.body.notices)).toContain(sysadmin.name);
      const audited = await queryRows<{ action: string; actor: string }>(
        getDb(),
        sql`select action, actor from audit_log where entity_code = ${target.name} and action like 'user.password_reset%' order by id`,
      );
      expect(audited).toEqual([
        { action: 'user.password_reset_requested', actor: sysadmin.name },
        { action: 'user.password_reset', actor: auditor.name },
      ]);
    });

    it('of an ordinary user is immediate, and the user is told too', async () => {
      const sysadmin = await callerWith(getDb().db, ['sysadmin']);
      const leader = await callerWith(getDb().db, ['leader']);
      const reset = await api.as(sysadmin).post(`/api/v1/users/${leader.name}/password-reset`);
      expect(reset.status).toBe(200);
      const signed = await signIn(app, leader.name, String(reset.body.one_time_password));
      expect(signed.status).toBe(200);
      expect(JSON.stringify(signed.body.notices)).toContain('reset');
      const again = await signIn(app, leader.name, String(reset.body.one_time_password));
      expect(again.body.notices).toEqual([]);
    });
  });

  describe('first start (item 11)', () => {
    it("writes the administrators' one-time credentials to a 0600 file and logs only its path", async () => {
      const database = await openTestDatabase(getDb().kind);
      try {
        const dir = await mkdtemp(path.join(tmpdir(), 'yunwang-credentials-'));
        const logged: string[] = [];
        await prepareDatabase(database, { demo: false, credentialsDir: dir, log: (line) => logged.push(line) });
        const file = logged.map((l) => /(\/\S+\.txt)/.exec(l)?.[1]).find(Boolean) ?? '';
        expect(file.startsWith(dir)).toBe(true);
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        const text = await readFile(file, 'utf8');
        const password = /sysadmin: password (\S+)/.exec(text)?.[1] ?? '';
        const secret = secretOf(/sysadmin: password \S+ {2}TOTP (\S+)/.exec(text)?.[1]);
        const signed = await signIn(createApp({ database, config }), 'sysadmin', password, currentTotp(secret, 'sysadmin'));
        expect(signed.status).toBe(200);
        for (const line of logged) {
          expect(line).not.toContain(password);
          expect(line).not.toContain(secret);
        }
      } finally {
        await database.close();
      }
    });
  });
});

// One backend is enough for the command line: the services underneath are tested on both.
const backend = backends.at(-1) ?? 'pglite';

describe(`yunwang user (item 1 and 11) [${backend}]`, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let drop = async () => {};
  const yunwang = (...args: string[]) => runYunwang(args, { env, cwd: dir });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-cli-roles-'));
    const base = { ...process.env, LOG_LEVEL: 'silent', USER: 'secadmin-wang', YUNWANG_CREDENTIALS_DIR: path.join(dir, 'credentials') };
    if (backend === 'postgres') {
      const created = await createPostgresDatabase();
      env = { ...base, DATABASE_URL: created.url };
      drop = created.drop;
    } else {
      env = { ...base, YUNWANG_DATA_DIR: path.join(dir, 'data') };
    }
    return () => drop();
  });

  it('prints no one-time password or second-factor secret, only the 0600 file holding them', async () => {
    const created = await yunwang('user', 'create', 'secadmin-wang', '--role', 'secadmin');
    expect(created.code, created.stderr).toBe(0);
    const file = /(\/\S+\.txt)/.exec(created.stdout + created.stderr)?.[1] ?? '';
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    const password = /password: (\S+)/.exec(text)?.[1] ?? '';
    const totp = /otpauth:\/\/\S+/.exec(text)?.[0] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(totp).not.toBe('');
    expect(created.stdout + created.stderr).not.toContain(password);
    expect(created.stdout + created.stderr).not.toContain(secretOf(totp));

    const reset = await yunwang('user', 'passwd', 'secadmin-wang');
    expect(reset.code, reset.stderr).toBe(0);
    const resetFile = /(\/\S+\.txt)/.exec(reset.stdout + reset.stderr)?.[1] ?? '';
    const otp = /password: (\S+)/.exec(await readFile(resetFile, 'utf8'))?.[1] ?? '';
    expect(otp.length).toBeGreaterThanOrEqual(12);
    expect(reset.stdout + reset.stderr).not.toContain(otp);
  }, 180_000);

  it('the operator cannot change the roles of his own account from the command line either', async () => {
    const own = await yunwang('user', 'roles', 'secadmin-wang', '--role', 'secadmin', 'reviewer');
    expect(own.code).not.toBe(0);
    expect(own.stderr).toContain('own roles');
    const other = await yunwang('user', 'create', 'leader-li', '--role', 'leader');
    expect(other.code, other.stderr).toBe(0);
    const granted = await yunwang('user', 'roles', 'leader-li', '--role', 'reviewer');
    expect(granted.code, granted.stderr).toBe(0);
  }, 180_000);
});
