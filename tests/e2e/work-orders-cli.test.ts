import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredDatabase } from '../../src/bootstrap/open.ts';
import { configDefaults } from '../../src/config.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { createWorkOrder, transitionWorkOrder } from '../../src/work-orders/service.ts';
import { runYunwang } from '../helpers/cli.ts';
import { backends, createPostgresDatabase } from '../helpers/db.ts';

// One backend is enough here: the services underneath are tested on both.
const backend = backends.at(-1) ?? 'pglite';

describe(`yunwang work-order list|show [${backend}]`, () => {
  let dir: string;
  // The same key for this process and the commands it runs (else each would key its own file).
  const auditKey = 'cli-test-audit-key-0123456789abcdef';
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void> = async () => {};
  const codes: string[] = [];

  const yunwang = (...args: string[]) => runYunwang(args, { env, cwd: dir });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-cli-work-orders-'));
    if (backend === 'postgres') {
      const db = await createPostgresDatabase();
      env = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', YUNWANG_AUDIT_KEY: auditKey, USER: 'ops-li' };
      cleanup = db.drop;
    } else {
      env = { ...process.env, YUNWANG_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent', YUNWANG_AUDIT_KEY: auditKey, USER: 'ops-li' };
    }
    const database = await openConfiguredDatabase({
      ...configDefaults,
      DATABASE_URL: env.DATABASE_URL,
      YUNWANG_DATA_DIR: env.YUNWANG_DATA_DIR ?? '',
      YUNWANG_AUDIT_KEY: auditKey,
    });
    try {
      await database.migrate();
      await loadDivisions(database.db);
      const actor = rootActor('test');
      const fault = await createWorkOrder(database.db, actor, {
        title: '柳州城域网丢包',
        category: 'fault',
        priority: 'P2',
        description: '丢包率 30%',
        region: '450200',
      });
      const request = await createWorkOrder(database.db, actor, {
        title: '开通测试租户',
        category: 'request',
        priority: 'P4',
        description: '',
      });
      await transitionWorkOrder(database.db, actor, fault.code, { to: 'accepted', note: '已派人' });
      codes.push(fault.code, request.code);
    } finally {
      await database.close();
    }
  }, 60_000);

  afterAll(async () => {
    await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists orders as text and as the API’s JSON, with filters', async () => {
    const text = await yunwang('work-order', 'list');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`${codes[0]}\\s+accepted\\s+P2 fault`));
    expect(text.stdout).toContain(`${codes[1]}  new`);
    const json = await yunwang('work-order', 'list', '--priority', 'P4', '--json');
    expect(json.code, json.stderr).toBe(0);
    const page = JSON.parse(json.stdout) as { items: { code: string; state: string }[]; total: number };
    expect(page).toMatchObject({ total: 1, items: [{ code: codes[1], state: 'new' }] });
    const bad = await yunwang('work-order', 'list', '--state', 'burning');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('burning');
  }, 120_000);

  it('shows one order with its timeline, and names an unknown code', async () => {
    const shown = await yunwang('work-order', 'show', String(codes[0]));
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('柳州城域网丢包');
    expect(shown.stdout).toMatch(/accepted new→accepted\s+test: 已派人/);
    const json = JSON.parse((await yunwang('work-order', 'show', String(codes[0]), '--json')).stdout) as {
      timeline: unknown[];
      sla: { state: string };
    };
    expect(json.timeline.length).toBe(2);
    expect(json.sla.state).toBeDefined();
    const missing = await yunwang('work-order', 'show', 'WO-2026-999999');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('WO-2026-999999');
  }, 120_000);
});
