import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredDatabase } from '../../src/bootstrap/open.ts';
import { configDefaults } from '../../src/config.ts';
import { queryRows } from '../../src/db/raw.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { hashToken } from '../../src/ingest/agents.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { createCloud } from '../../src/registry/service.ts';
import { runYunwang } from '../helpers/cli.ts';
import { backends, createPostgresDatabase } from '../helpers/db.ts';

// One backend is enough here: the services underneath are tested on both.
const backend = backends.at(-1) ?? 'pglite';

describe(`yunwang token (agent tokens) [${backend}]`, () => {
  let dir: string;
  // The same key for this process and the commands it runs (else each would key its own file).
  const auditKey = 'cli-test-audit-key-0123456789abcdef';
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void> = async () => {};

  const yunwang = (...args: string[]) => runYunwang(args, { env, cwd: dir });
  const withDb = async <T>(fn: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>['db']) => Promise<T>) => {
    const database = await openConfiguredDatabase({
      ...configDefaults,
      DATABASE_URL: env.DATABASE_URL,
      YUNWANG_DATA_DIR: env.YUNWANG_DATA_DIR ?? '',
      YUNWANG_AUDIT_KEY: env.YUNWANG_AUDIT_KEY,
    });
    try {
      await database.migrate();
      return await fn(database.db);
    } finally {
      await database.close();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-cli-tokens-'));
    if (backend === 'postgres') {
      const db = await createPostgresDatabase();
      env = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', YUNWANG_AUDIT_KEY: auditKey, USER: 'ops-zhang' };
      cleanup = db.drop;
    } else {
      env = {
        ...process.env,
        YUNWANG_DATA_DIR: path.join(dir, 'data'),
        LOG_LEVEL: 'silent',
        YUNWANG_AUDIT_KEY: auditKey,
        USER: 'ops-zhang',
      };
    }
    await withDb(async (db) => {
      await loadDivisions(db);
      await createCloud(
        db,
        {
          code: 'GX-PROV',
          name: '壮美广西·政务云',
          kind: 'provincial',
          role: 'primary',
          provider: 'Huawei',
          region_code: '450000',
          vcpu_capacity: 0,
          memory_capacity_gib: 0,
          storage_capacity_gib: 0,
        },
        rootActor('test'),
      );
    });
  }, 120_000);
  afterAll(async () => {
    await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates agents, prints each token once, lists, rotates and revokes, auditing each action', async () => {
    const network = await yunwang('token', 'create', '--agent', 'network-nanning-1', '--kind', 'network');
    expect(network.code).toBe(0);
    const token = network.stdout.trim();
    expect(token).toMatch(/^ywa_[A-Za-z0-9_-]{43}$/);
    expect(network.stderr).toContain('created agent network-nanning-1');
    expect(network.stderr).not.toContain(token);

    const cloud = await yunwang('token', 'create', '--agent', 'cloud-gx', '--kind', 'cloud', '--cloud', 'GX-PROV');
    expect(cloud.code).toBe(0);
    expect(cloud.stderr).toContain('(cloud GX-PROV)');

    expect((await yunwang('token', 'create', '--agent', 'cloud-x', '--kind', 'cloud')).stderr).toContain('needs --cloud');
    expect((await yunwang('token', 'create', '--agent', 'cloud-y', '--kind', 'cloud', '--cloud', 'NOPE')).stderr).toContain(
      'unknown cloud',
    );
    // User tokens share the command; one without its purpose is refused.
    expect((await yunwang('token', 'create', '--user', 'zhang')).stderr).toContain('say what the token is for: --name');

    const rotated = await yunwang('token', 'create', '--agent', 'network-nanning-1', '--kind', 'network');
    expect(rotated.stderr).toContain('rotated the token of agent network-nanning-1');
    expect(rotated.stdout.trim()).not.toBe(token);

    const list = await yunwang('token', 'list', '--agents');
    expect(list.stdout).toMatch(/cloud-gx\s+cloud\s+GX-PROV\s+active\s+unknown\s+never/);
    expect(list.stdout).toMatch(/network-nanning-1\s+network\s+-\s+active/);

    expect((await yunwang('token', 'revoke', '--agent', 'network-nanning-1')).code).toBe(0);
    const after = JSON.parse((await yunwang('token', 'list', '--agents', '--json')).stdout) as { name: string; status: string }[];
    expect(after.find((a) => a.name === 'network-nanning-1')?.status).toBe('revoked');
    expect((await yunwang('token', 'revoke', '--agent', 'nobody')).code).toBe(1);

    const trail = await withDb((db) =>
      queryRows<{ actor: string; action: string; text: string }>(
        db,
        sql`select actor, action, coalesce(before::text, '') || coalesce(after::text, '') as text from audit_log where entity_kind = 'agent' order by id`,
      ),
    );
    expect(trail.map((r) => r.action)).toEqual([
      'agent.create',
      'agent.token.issue',
      'agent.create',
      'agent.token.issue',
      'agent.token.rotate',
      'agent.token.revoke',
    ]);
    expect(new Set(trail.map((r) => r.actor))).toEqual(new Set(['cli:ops-zhang']));
    for (const secret of [token, rotated.stdout.trim(), cloud.stdout.trim()]) {
      for (const row of trail) {
        expect(row.text).not.toContain(secret);
        expect(row.text).not.toContain(hashToken(secret));
      }
    }
  }, 120_000);
});
