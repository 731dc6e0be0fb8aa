/**
 * Issue 14, the "exposure" items: what a caller can learn or reach beyond their due — LIKE
 * wildcards in department paths, spreadsheet formulas in exports, the map's figures without a
 * session, audit gaps, codes of other departments in error bodies, and unlimited back-dating.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { recordAudit } from '../../src/audit/service.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { listIndicatorItems } from '../../src/indicators/service.ts';
import { businessDate } from '../../src/kernel/dates.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { transitionRecord } from '../../src/registry/transitions.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type ApiClient, apiClient, type Json } from '../helpers/api.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const root = rootActor('test');
const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
/** A business date `days` before today (Asia/Shanghai). */
const daysAgo = (days: number) => businessDate(new Date(Date.now() - days * 86_400_000));
const department = (code: string, parent_code?: string) => ({
  code,
  name: `部门 ${code}`,
  region_code: '450000',
  kind: 'government' as const,
  extranet_connected: false,
  ...(parent_code ? { parent_code } : {}),
});

describeEachBackend('exposure hardening', (getDb) => {
  beforeAll(async () => {
    await loadDivisions(getDb().db);
  });

  const pathOf = async (code: string) =>
    (await queryRows<{ path: string }>(getDb(), sql`select path from departments where code = ${code}`))[0]?.path;

  it('a department scope takes its path literally: `_` and `%` match only themselves', async () => {
    const { db } = getDb();
    await upsertRecords(
      db,
      'departments',
      ['LK_1', 'LKX1', 'LKP2', 'LKA2'].map((c) => department(c)),
      root,
    );
    await upsertRecords(db, 'departments', [department('LKX1-C', 'LKX1'), department('LKA2-C', 'LKA2')], root);
    // Codes typed through the API cannot hold `%`; an older import or a hand edit may have left one.
    await db.execute(sql`update departments set code = 'LK%2', path = '/LK%2/' where code = 'LKP2'`);

    const codesIn = async (scope: string) => (await listIndicatorItems(db, 'extranet_access', { scope })).items.map((i) => i.code).sort();
    expect(await codesIn('dept:LK_1')).toEqual(['LK_1']);
    expect(await codesIn('dept:LK%2')).toEqual(['LK%2']);
  });

  it('moving a department with sub-departments moves its own subtree and nothing else', async () => {
    const { db } = getDb();
    await upsertRecords(
      db,
      'departments',
      ['MV_1', 'MVX1', 'MVP'].map((c) => department(c)),
      root,
    );
    await upsertRecords(db, 'departments', [department('MV_1-C', 'MV_1'), department('MVX1-C', 'MVX1')], root);
    await upsertRecords(db, 'departments', [department('MV_1', 'MVP')], root);
    expect(await pathOf('MV_1-C')).toBe('/MVP/MV_1/MV_1-C/');
    expect(await pathOf('MVX1')).toBe('/MVX1/');
    expect(await pathOf('MVX1-C')).toBe('/MVX1/MVX1-C/');
  });

  describe('over HTTP', () => {
    let api: ApiClient;
    let leader: TestCaller;
    let auditor: TestCaller;
    let mine: TestCaller;
    let theirs: TestCaller;
    beforeAll(async () => {
      const { db } = getDb();
      api = apiClient(createApp({ database: getDb(), config }));
      await upsertRecords(db, 'departments', [department('EX-MINE'), department('EX-THEIRS')], root);
      await upsertRecords(
        db,
        'systems',
        [
          { code: 'EX-THEIRS-S1', name: '他们的系统', department_code: 'EX-THEIRS', state_at: daysAgo(200) },
          { code: 'EX-MINE-S1', name: '我的系统', department_code: 'EX-MINE', state_at: daysAgo(200) },
          { code: 'EX-MINE-S2', name: '我的系统二', department_code: 'EX-MINE', state_at: daysAgo(200) },
        ].map((s) => ({ ...s, classification: 'pending' as const, state: 'not_migrated' as const })),
        root,
      );
      leader = await callerWith(db, ['leader']);
      auditor = await callerWith(db, ['auditor']);
      mine = await callerWith(db, ['department'], { department: 'EX-MINE' });
      theirs = await callerWith(db, ['department'], { department: 'EX-THEIRS' });
    });

    const send = <T = Json>(
      caller: TestCaller | null,
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => api.as(caller).send<T>(method, path, body, { headers });
    const auditOf = (actor: string, action: string) =>
      queryRows<{ result: string; entity_code: string | null; after: Record<string, unknown> | null }>(
        getDb(),
        sql`select result, entity_code, after from audit_log where actor = ${actor} and action = ${action} order by id`,
      );

    it('exports neutralise formulas: the drill-down CSV and the audit CSV write such text as text', async () => {
      const { db } = getDb();
      await upsertRecords(db, 'departments', [{ ...department('EX-FORMULA'), name: '=HYPERLINK("http://evil","点我")' }], root);
      const items = await send(leader, 'GET', '/api/v1/indicators/extranet_access/items?scope=dept:EX-FORMULA', undefined, {
        Accept: 'text/csv',
      });
      expect(items.status).toBe(200);
      const csv = items.text;
      expect(csv).toContain(`"'=HYPERLINK(""http://evil"",""点我"")"`);
      expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);

      await recordAudit(db, root, [{ action: 'test.formula', entityKind: 'request', entityCode: '@SUM(1+1)*cmd|/C calc' }]);
      const audit = await send(auditor, 'GET', '/api/v1/audit', undefined, { Accept: 'text/csv' });
      expect(audit.status).toBe(200);
      const trail = audit.text;
      expect(trail).toContain("'@SUM(1+1)*cmd|/C calc");
      expect(trail).not.toMatch(/(^|,)"?@SUM/m);
    });

    it('the map figures need a session, are read by indicator readers of every scope, and only for dates with data', async () => {
      const anonymous = await send(null, 'GET', '/geo/guangxi-cities.json?indicator=cloud_migration');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
      expect((await send(mine, 'GET', '/geo/guangxi-cities.json?indicator=cloud_migration')).status).toBe(403);
      const ok = await send<{ features: unknown[] }>(leader, 'GET', `/geo/guangxi-cities.json?indicator=cloud_migration&at=${daysAgo(0)}`);
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.features).toHaveLength(14);

      for (const at of ['1999-12-31', daysAgo(-2)]) {
        const res = await send<{ errors: { field: string }[] }>(
          leader,
          'GET',
          `/geo/guangxi-cities.json?indicator=cloud_migration&at=${at}`,
        );
        expect(res.status, `${at}: ${res.text.slice(0, 300)}`).toBe(422);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.errors.map((e) => e.field)).toContain('at');
      }
    });

    it("a department user's write to another department's record is answered 404 and audited as denied", async () => {
      const res = await send(mine, 'PATCH', '/api/v1/systems/EX-THEIRS-S1', { name: '改名' });
      expect(res.status).toBe(404);
      const transition = await send(mine, 'POST', '/api/v1/systems/EX-THEIRS-S1/transitions', { to: 'migrating' });
      expect(transition.status).toBe(404);
      const denied = [...(await auditOf(mine.name, 'system.update')), ...(await auditOf(mine.name, 'system.transition'))];
      expect(denied.map((d) => [d.result, d.entity_code])).toEqual([
        ['denied', 'EX-THEIRS-S1'],
        ['denied', 'EX-THEIRS-S1'],
      ]);
    });

    it('drill-down CSV downloads are audited with the scope, indicator and date', async () => {
      const res = await send(mine, 'GET', `/api/v1/indicators/cloud_migration/items?scope=dept:EX-MINE&at=${daysAgo(1)}`, undefined, {
        Accept: 'text/csv',
      });
      expect(res.status).toBe(200);
      const entries = await auditOf(mine.name, 'indicators.export');
      expect(entries).toHaveLength(1);
      expect(entries[0]?.after).toMatchObject({
        indicator: 'cloud_migration',
        scope: 'dept:EX-MINE',
        at: daysAgo(1),
        rows: expect.any(Number),
      });
    });

    it('a conflict names no record of another department, and does not confirm there is one', async () => {
      const taken = await send(mine, 'POST', '/api/v1/systems', { code: 'EX-THEIRS-S1', name: '抢注', department_code: 'EX-MINE' });
      expect(taken.status).toBe(409);
      const body = taken.text;
      expect(body).not.toContain('EX-THEIRS-S1');
      expect(body).not.toContain('already exists');
      // Their own record: they may be told plainly.
      const own = await send(theirs, 'POST', '/api/v1/systems', { code: 'EX-THEIRS-S1', name: '重复', department_code: 'EX-THEIRS' });
      expect(own.status).toBe(409);
      expect(own.text).toContain('EX-THEIRS-S1 already exists');
    });

    it('a department user back-dates a transition only within the window; a reviewer or ops actor beyond it', async () => {
      const old = await send<{ detail: string; errors: { field: string }[] }>(mine, 'POST', '/api/v1/systems/EX-MINE-S1/transitions', {
        to: 'migrating',
        effective_at: daysAgo(40),
      });
      expect(old.status).toBe(422);
      const problem = old.body;
      expect(problem.detail).toContain('31 days');
      expect(problem.errors.map((e) => e.field)).toContain('effective_at');
      const recent = await send(mine, 'POST', '/api/v1/systems/EX-MINE-S1/transitions', { to: 'migrating', effective_at: daysAgo(5) });
      expect(recent.status, recent.text).toBe(200);
      // The command line (root) may record an older change.
      await expect(
        transitionRecord(getDb().db, 'systems', 'EX-MINE-S2', { to: 'migrating', effective_at: daysAgo(90) }, root),
      ).resolves.toMatchObject({
        code: 'EX-MINE-S2',
      });
    });
  });
});
