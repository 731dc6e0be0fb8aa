import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluationCycle } from '../../src/alerts/engine.ts';
import { openConfiguredDatabase } from '../../src/bootstrap/open.ts';
import { configDefaults } from '../../src/config.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { authenticateAgent, issueAgentToken } from '../../src/ingest/agents.ts';
import { applyBatch } from '../../src/ingest/service.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { runYunwang } from '../helpers/cli.ts';
import { backends, createPostgresDatabase } from '../helpers/db.ts';

// One backend is enough here: the services underneath are tested on both.
const backend = backends.at(-1) ?? 'pglite';

describe(`yunwang alerts and yunwang silence [${backend}]`, () => {
  let dir: string;
  // The same key for this process and the commands it runs (else each would key its own file).
  const auditKey = 'cli-test-audit-key-0123456789abcdef';
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void> = async () => {};

  const yunwang = (...args: string[]) => runYunwang(args, { env, cwd: dir });
  const withDb = async <T>(fn: (database: Awaited<ReturnType<typeof openConfiguredDatabase>>) => Promise<T>) => {
    const database = await openConfiguredDatabase({
      ...configDefaults,
      DATABASE_URL: env.DATABASE_URL,
      YUNWANG_DATA_DIR: env.YUNWANG_DATA_DIR ?? '',
      YUNWANG_AUDIT_KEY: env.YUNWANG_AUDIT_KEY,
    });
    try {
      await database.migrate();
      return await fn(database);
    } finally {
      await database.close();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-cli-alerts-'));
    if (backend === 'postgres') {
      const db = await createPostgresDatabase();
      env = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', YUNWANG_AUDIT_KEY: auditKey, USER: 'ops-li' };
      cleanup = db.drop;
    } else {
      env = { ...process.env, YUNWANG_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent', YUNWANG_AUDIT_KEY: auditKey, USER: 'ops-li' };
    }
    // A node down for five minutes, seen by one agent, and one evaluation.
    await withDb(async ({ db }) => {
      await loadDivisions(db);
      await upsertRecords(
        db,
        'network-nodes',
        [{ code: 'GX-CLI-01', name: '柳州市城域节点', region_code: '450200', tier: 'metro', commissioned: true }],
        rootActor('test'),
      );
      const { token } = await issueAgentToken(db, { name: 'probe-cli', kind: 'network' }, rootActor('test'));
      const agent = await authenticateAgent(db, token);
      if (!agent) throw new Error('the new agent token does not authenticate');
      const down = (msAgo: number) => ({
        kind: 'node_sample' as const,
        node: 'GX-CLI-01',
        at: new Date(Date.now() - msAgo).toISOString(),
        up: false,
        latency_ms: null,
        loss: 1,
      });
      await applyBatch(
        db,
        { agent: 'probe-cli', seq: 1, sent_at: new Date().toISOString(), next_report_seconds: 600, items: [down(300_000), down(1000)] },
        { agent },
        rootActor('agent:probe-cli'),
      );
      await runEvaluationCycle(db, { reopenMinutes: 10, retentionDays: 400 });
    });
  }, 60_000);

  afterAll(async () => {
    await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists firing alerts as text and as the API’s JSON', async () => {
    const text = await yunwang('alerts', '--state', 'firing');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/firing\s+critical\s+node_down\s+GX-CLI-01/);
    const json = await yunwang('alerts', '--state', 'firing', '--json');
    const page = JSON.parse(json.stdout) as { items: { rule: string; subject: { code: string } }[]; total: number };
    expect(page.items.map((a) => `${a.rule}:${a.subject.code}`)).toContain('node_down:GX-CLI-01');
    expect((await yunwang('alerts', '--state', 'burning')).code).not.toBe(0);
  }, 120_000);

  it('adds, lists and expires a silence, and the alert is marked while it holds', async () => {
    const added = await yunwang(
      'silence',
      'add',
      '--region',
      '450200',
      '--rule',
      'node_down',
      '--hours',
      '2',
      '--reason',
      '柳州割接',
      '--json',
    );
    expect(added.code, added.stderr).toBe(0);
    const silence = JSON.parse(added.stdout) as { id: number; created_by: string; matchers: Record<string, string> };
    expect(silence).toMatchObject({ created_by: 'cli:ops-li', matchers: { region: '450200', rule: 'node_down' } });
    const alerts = JSON.parse((await yunwang('alerts', '--json')).stdout) as {
      items: { subject: { code: string }; silenced_by: number | null }[];
    };
    expect(alerts.items.find((a) => a.subject.code === 'GX-CLI-01')?.silenced_by).toBe(silence.id);

    expect((await yunwang('silence', 'list')).stdout).toContain('region=450200');
    const bad = await yunwang('silence', 'add', '--region', '450200', '--reason', 'x');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--hours');
    const unknown = await yunwang('silence', 'add', '--node', 'NO-SUCH', '--hours', '1', '--reason', 'x');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('matchers.node');

    const expired = await yunwang('silence', 'expire', String(silence.id));
    expect(expired.code, expired.stderr).toBe(0);
    expect((await yunwang('silence', 'list')).stdout).not.toContain('region=450200');
    const after = JSON.parse((await yunwang('alerts', '--json')).stdout) as {
      items: { subject: { code: string }; silenced_by: number | null }[];
    };
    expect(after.items.find((a) => a.subject.code === 'GX-CLI-01')?.silenced_by).toBeNull();
  }, 180_000);
});
