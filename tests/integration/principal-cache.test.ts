/**
 * Issue 19, item 4: signed-in principals are kept between requests, and a logout, a token's
 * revocation, a lock, a role taken away or the idle timeout still hold from the very next
 * request — also when another process (a replica, the CLI) makes the change in the database.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { principalCache } from '../../src/identity/principal-cache.ts';
import { login, readSession } from '../../src/identity/sessions.ts';
import { createUser, updateSecurityPolicy } from '../../src/identity/users.ts';
import { type ApiClient, apiClient } from '../helpers/api.ts';
import { callerWith, signIn, testPassword } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1 << 20, YUNWANG_IMPORT_LIMIT_BYTES: 1 << 20 };

describeEachBackend('kept principals', (getDb) => {
  let app: ReturnType<typeof createApp>;
  let api: ApiClient;
  let admin: Awaited<ReturnType<typeof callerWith>>;
  let security: Awaited<ReturnType<typeof callerWith>>;

  beforeAll(async () => {
    app = createApp({ database: getDb(), config });
    api = apiClient(app);
    admin = await callerWith(getDb().db, ['sysadmin']);
    security = await callerWith(getDb().db, ['secadmin']);
  });

  /** A leader who reads the indicators, signed in. */
  const leader = async () => {
    const reader = await callerWith(getDb().db, ['leader']);
    const session = await signIn(app, reader.name);
    expect(session.status).toBe(200);
    return { ...reader, session };
  };
  const asSession = (s: { headers: Record<string, string> }) => ({ headers: s.headers });
  const read = (headers: Record<string, string>) => api.get('/api/v1/auth/me', { headers });

  it('a logout ends the session at once', async () => {
    const { session } = await leader();
    expect((await read(session.headers)).status).toBe(200);
    expect((await read(session.headers)).status).toBe(200);
    expect((await api.post('/api/v1/auth/logout', {}, asSession(session))).status).toBe(204);
    expect((await read(session.headers)).status).toBe(401);
  });

  it("a token's revocation holds from the next request", async () => {
    const reader = await leader();
    expect((await read(reader.headers)).status).toBe(200);
    // Managed from the signed-in session, as the console does.
    const tokens = await api.get<{ items: { id: number }[] }>('/api/v1/tokens', { headers: reader.session.headers });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const id = tokens.body.items[0]?.id;
    const revoked = await api.delete(`/api/v1/tokens/${id}`, undefined, { headers: reader.session.headers });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect((await read(reader.headers)).status).toBe(401);
  });

  it('a lock by the administrator ends sessions and tokens at once', async () => {
    const reader = await leader();
    expect((await read(reader.session.headers)).status).toBe(200);
    expect((await read(reader.headers)).status).toBe(200);
    expect((await api.post(`/api/v1/users/${reader.name}/lock`, {}, { headers: admin.headers })).status).toBe(200);
    expect((await read(reader.session.headers)).status).toBe(401);
    expect((await read(reader.headers)).status).toBe(401);
  });

  it('a role taken away is gone from the next request', async () => {
    const reader = await leader();
    expect((await api.get('/api/v1/targets', { headers: reader.session.headers })).status).toBe(200);
    const changed = await api.put(`/api/v1/users/${reader.name}/roles`, { roles: ['auditor'] }, { headers: security.headers });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await api.get('/api/v1/targets', { headers: reader.session.headers })).status).toBe(403);
  });

  it('a change made by another process (SQL on the database) holds at once too', async () => {
    const reader = await leader();
    expect((await read(reader.session.headers)).status).toBe(200);
    await getDb().db.execute(sql`update users set disabled = true where name = ${reader.name}`);
    expect((await read(reader.session.headers)).status).toBe(401);
    expect((await read(reader.headers)).status).toBe(401);

    const other = await leader();
    expect((await read(other.session.headers)).status).toBe(200);
    await getDb().db.execute(sql`delete from sessions where user_id = (select id from users where name = ${other.name})`);
    expect((await read(other.session.headers)).status).toBe(401);
  });

  it('a kept session is read again when its idle deadline passes, and ends', async () => {
    const { db } = getDb();
    await createUser(db, { name: 'kept-idle', roles: ['leader'], password: testPassword, totp_exempt: true }, rootActor('test'));
    const signed = await login(db, { name: 'kept-idle', password: testPassword }, { sourceIp: '127.0.0.1' });
    const sessionId = signed.sessionId;
    const cache = principalCache();
    const t0 = new Date();
    const at = (ms: number) => new Date(t0.getTime() + ms);
    let reads = 0;
    const get = (now: Date) =>
      cache.get(db, sessionId, now, () => {
        reads++;
        return readSession(db, sessionId, now);
      });
    expect((await get(t0))?.user.name).toBe('kept-idle');
    expect((await get(at(1_000)))?.user.name).toBe('kept-idle');
    expect(reads).toBe(1);
    // Past the next last-seen touch (a minute): read again, touched.
    expect((await get(at(61_000)))?.user.name).toBe('kept-idle');
    expect(reads).toBe(2);
    // Idle for longer than the policy allows: the session ends, however recently it was kept.
    await updateSecurityPolicy(db, { idleTimeoutMinutes: 5 }, rootActor('test'));
    expect(await get(at(61_000 + 6 * 60_000))).toBeNull();
  });

  it("is not read again for a session's or a token's last-seen touch: those leave the identity version alone", async () => {
    const { db } = getDb();
    const version = async () =>
      Number(
        ((await db.execute(sql`select version from identity_version where id = 1`)) as unknown as { rows: { version: string }[] }).rows[0]
          ?.version,
      );
    const reader = await leader();
    const before = await version();
    await db.execute(sql`update sessions set last_seen_at = now() where user_id = (select id from users where name = ${reader.name})`);
    await db.execute(sql`update api_tokens set last_used_at = now() where user_id = (select id from users where name = ${reader.name})`);
    expect(await version()).toBe(before);
    await db.execute(sql`update api_tokens set revoked_at = now() where user_id = (select id from users where name = ${reader.name})`);
    expect(await version()).toBe(before + 1);
  });
});
