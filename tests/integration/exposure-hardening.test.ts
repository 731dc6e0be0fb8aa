/**
 * Issue 14, the "exposure" items: what a caller can learn or reach beyond their due — LIKE
 * wildcards in department paths, spreadsheet formulas in exports, the map's figures without a
 * session, audit gaps, codes of other departments in error bodies, and unlimited back-dating.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { rootActor } from '../../src/identity/actor.ts';
import { listIndicatorItems } from '../../src/indicators/service.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const root = rootActor('test');
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
});
