/**
 * The audit chain keyed with an HMAC (issue 14, item 10): someone with write access to the
 * database but not the key cannot recompute a chain that verifies, and on PostgreSQL the
 * server's own role may only INSERT and SELECT the trail.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entryHash } from '../../src/audit/chain.ts';
import { recordAudit, verifyAuditChain } from '../../src/audit/service.ts';
import { openConfiguredDatabase } from '../../src/bootstrap/open.ts';
import { loadConfig } from '../../src/config.ts';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { auditLog } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { createPostgresDatabase, describeEachBackend, queryRows } from '../helpers/db.ts';

const actor = { ...rootActor('audit-keyed-test'), sourceIp: '10.0.0.8', requestId: 'req-keyed-1' };
const postgresUrl = inject('postgresUrl');

async function writeSome(db: Database['db'], tag: string): Promise<void> {
  await recordAudit(db, actor, [
    { action: 'system.create', entityKind: 'system', entityCode: `${tag}-1`, after: { name: '政务服务网' } },
    { action: 'system.update', entityKind: 'system', entityCode: `${tag}-1`, before: { name: 'a' }, after: { name: 'b' } },
  ]);
  await recordAudit(db, actor, [{ action: 'export', entityKind: 'systems' }]);
}

/**
 * What an attacker holding the database (not the key) does: behind the trigger's back, edit
 * an entry and recompute every hash after it with a plain digest, as the unkeyed chain had.
 */
async function recomputeWithoutKey(database: Database, forgeId: number, fromId = 0): Promise<void> {
  const rows = await database.db.select().from(auditLog).orderBy(asc(auditLog.id));
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    let prev: string | null = null;
    for (const row of rows) {
      const { id, prevHash, hash, hashAlg: _alg, keyId: _key, ...content } = row;
      if (id < fromId) {
        prev = hash;
        continue;
      }
      const forged = id === forgeId ? { ...content, actor: 'nobody' } : content;
      const recomputed = entryHash('sha256', id === fromId ? prevHash : prev, forged);
      await tx.execute(sql`update audit_log set actor = ${forged.actor}, prev_hash = ${id === fromId ? prevHash : prev},
        hash = ${recomputed}, hash_alg = 'sha256' where id = ${id}`);
      prev = recomputed;
    }
  });
}

describeEachBackend('keyed audit chain', (getDb) => {
  it('is written with an HMAC and the key id, and verifies', async () => {
    const database = getDb();
    await writeSome(database.db, 'K');
    const rows = await queryRows<{ hash_alg: string; key_id: string | null }>(database, sql`select hash_alg, key_id from audit_log`);
    for (const row of rows) {
      expect(row.hash_alg).toMatch(/^hmac-(sm3|sha256)$/);
      expect(row.key_id).toMatch(/^[0-9a-f]{16}$/);
    }
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('fails verify when an attacker recomputed the whole chain with plain SHA-256', async () => {
    const database = getDb();
    const [second] = await queryRows<{ id: number }>(database, sql`select id::int as id from audit_log order by id offset 1 limit 1`);
    await recomputeWithoutKey(database, second?.id ?? 0);
    // The forged chain is self-consistent under plain SHA-256 …
    const report = await verifyAuditChain(database.db);
    // … and still fails: nothing in it is keyed.
    expect(report.ok).toBe(false);
    expect(report.firstBroken?.reason).toContain('without the audit key');
  });
});

describeEachBackend('keyed audit chain over entries of the unkeyed era', (getDb) => {
  /** Entries as the unkeyed chain wrote them before the audit_keyed migration. */
  async function writeUnkeyed(database: Database, n: number): Promise<void> {
    let prev: string | null = null;
    for (let i = 0; i < n; i++) {
      const content = {
        at: new Date(Date.UTC(2024, 0, 1 + i)),
        actor: 'old',
        sourceIp: null,
        action: 'system.create',
        entityKind: 'system',
        entityCode: `OLD-${i}`,
        result: 'ok',
        before: null,
        after: { i },
        requestId: null,
      };
      const hash = entryHash('sha256', prev, content);
      await database.db.insert(auditLog).values({ ...content, prevHash: prev, hash, hashAlg: 'sha256' });
      prev = hash;
    }
  }

  it('keeps them verifiable under the keyed entries that follow, and catches their recomputation', async () => {
    const database = getDb();
    await writeUnkeyed(database, 3);
    await writeSome(database.db, 'NEW');
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, checked: 6 });

    // Editing an old entry and recomputing the old segment breaks the keyed entry after it.
    const [old] = await queryRows<{ id: number }>(database, sql`select id::int as id from audit_log order by id offset 1 limit 1`);
    const [firstKeyed] = await queryRows<{ id: number }>(
      database,
      sql`select id::int as id from audit_log where hash_alg like 'hmac-%' order by id limit 1`,
    );
    const rows = await database.db.select().from(auditLog).orderBy(asc(auditLog.id));
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      let prev: string | null = null;
      for (const row of rows.filter((r) => r.id < (firstKeyed?.id ?? 0))) {
        const { id: _id, prevHash: _p, hash: _h, hashAlg: _a, keyId: _k, ...content } = row;
        const forged = row.id === old?.id ? { ...content, actor: 'nobody' } : content;
        const hash = entryHash('sha256', prev, forged);
        await tx.execute(sql`update audit_log set actor = ${forged.actor}, prev_hash = ${prev}, hash = ${hash} where id = ${row.id}`);
        prev = hash;
      }
    });
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, firstBroken: { id: firstKeyed?.id } });
  });
});

describe('the audit key of the embedded database', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-audit-key-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is a 0600 file in the data directory, outside the database, reused on the next start', async () => {
    const config = loadConfig({ YUNWANG_DATA_DIR: dir });
    const first = await openConfiguredDatabase(config);
    try {
      await first.migrate();
      await writeSome(first.db, 'F');
    } finally {
      await first.close();
    }
    expect(await readdir(dir)).toContain('audit.key');
    expect((await stat(path.join(dir, 'audit.key'))).mode & 0o777).toBe(0o600);

    const again = await openConfiguredDatabase(config);
    try {
      expect(await verifyAuditChain(again.db)).toMatchObject({ ok: true, checked: 3 });
    } finally {
      await again.close();
    }
  }, 120_000);
});

describe.skipIf(!postgresUrl)('the runtime database role [postgres]', () => {
  const suffix = `${process.pid}`;
  const ownerRole = `yw_owner_${suffix}`;
  const appRole = `yw_app_${suffix}`;
  let admin: pg.Client;
  let dbName: string;
  let drop = async () => {};
  let runtime: Database;

  const urlAs = (role: string) => {
    const url = new URL(`${postgresUrl}/${dbName}`);
    url.username = role;
    return url.toString();
  };

  beforeAll(async () => {
    const created = await createPostgresDatabase({ empty: true });
    drop = created.drop;
    dbName = new URL(created.url).pathname.slice(1);
    admin = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
    await admin.connect();
    // What the deployment provides: the owner that migrates, and a login in yunwang_runtime.
    await admin.query(`CREATE ROLE ${ownerRole} LOGIN CREATEROLE`);
    await admin.query(`ALTER DATABASE "${dbName}" OWNER TO ${ownerRole}`);
    await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yunwang_runtime') THEN
      CREATE ROLE yunwang_runtime NOLOGIN; END IF; END $$`);
    await admin.query(`CREATE ROLE ${appRole} LOGIN IN ROLE yunwang_runtime`);
    runtime = await openDatabase({ databaseUrl: urlAs(appRole), migrationDatabaseUrl: urlAs(ownerRole), poolSize: 2 });
    await runtime.migrate();
    await loadDivisions(runtime.db);
  }, 120_000);

  afterAll(async () => {
    await runtime?.close();
    await drop();
    await admin.query(`DROP ROLE IF EXISTS ${appRole}`);
    await admin.query(`DROP OWNED BY ${ownerRole}`).catch(() => {});
    await admin.query(`DROP ROLE IF EXISTS ${ownerRole}`);
    await admin.end();
  });

  const refusal = async (statement: string): Promise<string> => {
    try {
      await runtime.db.execute(sql.raw(statement));
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause;
      return `${(error as Error).message} ${cause?.message ?? ''}`;
    }
    return 'accepted';
  };

  it('migrates as the owner and serves as a role that can append to and read the trail', async () => {
    const [who] = await queryRows<{ user: string }>(runtime, sql`select current_user as user`);
    expect(who?.user).toBe(appRole);
    await writeSome(runtime.db, 'RT');
    expect((await verifyAuditChain(runtime.db)).ok).toBe(true);
    // A server with the runtime URL alone finds the migrations applied and starts.
    const alone = await openDatabase({ databaseUrl: urlAs(appRole), poolSize: 1 });
    try {
      await alone.migrate();
    } finally {
      await alone.close();
    }
  });

  it('a server with the runtime URL alone does not migrate a schema that is behind: it says why and who must', async () => {
    const behind = await createPostgresDatabase({ empty: true });
    try {
      await admin.query(`ALTER DATABASE "${new URL(behind.url).pathname.slice(1)}" OWNER TO ${ownerRole}`);
      const url = new URL(behind.url);
      url.username = appRole;
      const alone = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
      try {
        await expect(alone.migrate()).rejects.toThrow(/schema is behind.*may not migrate it: run `yunwang migrate` as the database owner/);
      } finally {
        await alone.close();
      }
    } finally {
      await behind.drop();
    }
  });

  it('cannot UPDATE, DELETE or TRUNCATE audit rows, nor disable the trigger or skip it', async () => {
    expect(await refusal(`update audit_log set actor = 'nobody'`)).toContain('permission denied');
    expect(await refusal('delete from audit_log')).toContain('permission denied');
    expect(await refusal('truncate audit_log')).toContain('permission denied');
    expect(await refusal('alter table audit_log disable trigger audit_log_no_update_delete')).toContain('must be owner');
    expect(await refusal('set session_replication_role = replica')).toContain('permission denied');
    expect(await refusal('drop table audit_log')).toContain('must be owner');
    expect((await verifyAuditChain(runtime.db)).ok).toBe(true);
  });
});
