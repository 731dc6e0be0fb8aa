import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rootActor } from '../../src/identity/actor.ts';
import { computeIndicators, type IndicatorFigure, listIndicatorItems } from '../../src/indicators/service.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { transitionRecord } from '../../src/registry/transitions.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const actor = rootActor('test');
const today = '2021-01-01';

describeEachBackend('indicators on hand-built cases', (getDb) => {
  const figure = async (scope: string, at: string, key: string, self = false): Promise<IndicatorFigure> => {
    const report = await computeIndicators(getDb().db, { scope, at, self });
    const found = report.indicators.find((i) => i.key === key);
    if (!found) throw new Error(`${key} missing for ${scope}`);
    return found;
  };
  const counts = async (scope: string, at: string, key: string, self = false) => {
    const f = await figure(scope, at, key, self);
    return [f.numerator, f.denominator, f.percent, f.pending];
  };

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    await upsertRecords(
      db,
      'departments',
      [
        {
          code: 'T-PROV',
          name: '区直部门',
          region_code: '450000',
          kind: 'government',
          extranet_connected: true,
          extranet_connected_at: '2018-01-01',
        },
        {
          code: 'T-NN',
          name: '南宁市直部门',
          region_code: '450100',
          kind: 'government',
          extranet_connected: true,
          extranet_connected_at: '2019-01-01',
        },
        {
          code: 'T-NN-SUB',
          name: '南宁二层机构',
          region_code: '450100',
          parent_code: 'T-NN',
          kind: 'institution',
          extranet_connected: true,
          extranet_connected_at: '2020-08-01',
        },
        { code: 'T-XX', name: '兴宁区部门', region_code: '450102', kind: 'government', extranet_connected: false },
        { code: 'T-LZ', name: '柳州市直部门', region_code: '450200', kind: 'enterprise', extranet_connected: false },
      ],
      actor,
      { today },
    );
    const system = (
      code: string,
      department_code: string,
      classification: 'non_classified' | 'classified' | 'pending',
      state: 'not_migrated' | 'migrating' | 'migrated' | 'retired',
      state_at?: string,
    ) => ({
      code,
      name: `系统${code}`,
      department_code,
      classification,
      state,
      state_at: state_at ?? null,
    });
    await upsertRecords(
      db,
      'systems',
      [
        system('S1', 'T-NN', 'non_classified', 'migrated', '2020-03-01'),
        system('S2', 'T-NN', 'non_classified', 'not_migrated'),
        system('S3', 'T-NN', 'classified', 'migrated', '2020-01-01'),
        system('S4', 'T-NN', 'pending', 'not_migrated'),
        system('S5', 'T-NN', 'non_classified', 'retired', '2020-05-01'),
        system('S6', 'T-XX', 'non_classified', 'migrated', '2019-06-01'),
        system('S7', 'T-NN-SUB', 'non_classified', 'migrated', '2020-06-15'),
        system('S8', 'T-LZ', 'non_classified', 'migrating', '2020-02-01'),
      ],
      actor,
      { today },
    );
    await upsertRecords(
      db,
      'network-nodes',
      [
        { code: 'N1', name: '南宁市城域节点', region_code: '450100', tier: 'metro', commissioned: true, commissioned_at: '2018-01-01' },
        { code: 'N2', name: '兴宁区城域节点', region_code: '450102', tier: 'metro', commissioned: true, commissioned_at: '2020-06-01' },
        { code: 'N3', name: '青秀区骨干节点', region_code: '450103', tier: 'backbone', commissioned: true, commissioned_at: '2018-01-01' },
        { code: 'N4', name: '江南区城域节点', region_code: '450105', tier: 'metro', commissioned: false },
      ],
      actor,
      { today },
    );
    const item = (
      code: string,
      department_code: string,
      system_type: 'national' | 'provincial' | 'city' | 'self_built',
      integrated_at: string | null,
      integration_required = true,
    ) => ({
      code,
      name: `事项${code}`,
      department_code,
      system_type,
      integration_required,
      integrated: integrated_at !== null,
      integrated_at,
      service_level: 'multiple_visits' as const,
    });
    await upsertRecords(
      db,
      'service-items',
      [
        item('I1', 'T-PROV', 'national', '2019-03-01'),
        item('I2', 'T-PROV', 'provincial', null),
        item('I3', 'T-NN', 'city', '2020-07-31'),
        item('I4', 'T-NN', 'self_built', '2020-08-01'),
        item('I5', 'T-XX', 'city', null, false),
      ],
      actor,
      { today },
    );
  });

  it('上云率 excludes classified, pending and retired systems, and counts pending beside the rate', async () => {
    expect(await counts('450100', '2020-07-31', 'cloud_migration')).toEqual([3, 4, 75, 1]);
  });

  it('rebuilds the state as of the end of a past day', async () => {
    // S1 not yet migrated, S5 not yet retired (so in the denominator), S7 not yet migrated.
    expect(await counts('450100', '2020-02-29', 'cloud_migration')).toEqual([1, 5, 20, 1]);
    // A transition counts from the end of the day it takes effect.
    expect(await counts('450100', '2020-03-01', 'cloud_migration')).toEqual([2, 5, 40, 1]);
  });

  it('self=true counts only departments at the region itself (本级)', async () => {
    expect(await counts('450100', '2020-07-31', 'cloud_migration', true)).toEqual([2, 3, 66.7, 1]);
  });

  it('a department scope covers its sub-departments, or only itself with self', async () => {
    expect(await counts('dept:T-NN', '2020-07-31', 'cloud_migration')).toEqual([2, 3, 66.7, 1]);
    expect(await counts('dept:T-NN', '2020-07-31', 'cloud_migration', true)).toEqual([1, 2, 50, 1]);
    const report = await computeIndicators(getDb().db, { scope: 'dept:T-NN', at: '2020-07-31' });
    expect(report.indicators.map((i) => i.key)).not.toContain('horizontal_coverage_city');
  });

  it('the province covers everything, a migrating system counting as not done', async () => {
    expect(await counts('450000', '2020-07-31', 'cloud_migration')).toEqual([3, 5, 60, 1]);
  });

  it('drill-down with missing=true lists exactly denominator − numerator items', async () => {
    for (const [scope, at] of [
      ['450100', '2020-07-31'],
      ['450100', '2020-02-29'],
      ['450000', '2020-07-31'],
    ] as const) {
      const f = await figure(scope, at, 'cloud_migration');
      const all = await listIndicatorItems(getDb().db, 'cloud_migration', { scope, at });
      const missing = await listIndicatorItems(getDb().db, 'cloud_migration', { scope, at, missing: true });
      expect(all.total).toBe(f.denominator);
      expect(missing.total).toBe(f.denominator - f.numerator);
      expect(missing.items.every((i) => i.done === false)).toBe(true);
    }
    const missing = await listIndicatorItems(getDb().db, 'cloud_migration', { scope: '450100', at: '2020-07-31', missing: true });
    expect(missing.items.map((i) => i.code)).toEqual(['S2']);
  });

  it('horizontal coverage counts regions of a level with a commissioned metro node', async () => {
    const [county] = await queryRows<{ n: number }>(
      getDb(),
      sql`select count(*)::int as n from regions where parent_code = '450100' and level = 'county'`,
    );
    expect(await counts('450100', '2020-07-31', 'horizontal_coverage_city')).toEqual([1, 1, 100, 0]);
    expect((await figure('450100', '2020-07-31', 'horizontal_coverage_county')).denominator).toBe(county?.n);
    expect((await figure('450100', '2020-07-31', 'horizontal_coverage_county')).numerator).toBe(1);
    expect((await figure('450100', '2020-05-31', 'horizontal_coverage_county')).numerator).toBe(0);
    expect(await counts('450000', '2020-07-31', 'horizontal_coverage_city')).toEqual([1, 14, 7.1, 0]);
  });

  it('extranet access counts departments connected by the date', async () => {
    expect(await counts('450100', '2020-07-31', 'extranet_access')).toEqual([1, 3, 33.3, 0]);
    expect(await counts('450100', '2020-08-01', 'extranet_access')).toEqual([2, 3, 66.7, 0]);
    expect(await counts('450000', '2017-12-31', 'extranet_access')).toEqual([0, 5, 0, 0]);
  });

  it('对接完成率 counts required items only, split by system type and level', async () => {
    const f = await figure('450000', '2020-07-31', 'service_integration');
    expect([f.numerator, f.denominator]).toEqual([2, 4]);
    expect(f.breakdown?.by_system_type.national).toMatchObject({ numerator: 1, denominator: 1 });
    expect(f.breakdown?.by_system_type.self_built).toMatchObject({ numerator: 0, denominator: 1 });
    expect(f.breakdown?.by_level.province).toMatchObject({ numerator: 1, denominator: 2, percent: 50 });
    expect(f.breakdown?.by_level.city).toMatchObject({ numerator: 1, denominator: 2 });
    expect((await figure('450000', '2020-08-01', 'service_integration')).numerator).toBe(3);
  });

  it('re-declaring the same rows changes nothing; a new declaration is dated', async () => {
    const { db } = getDb();
    const before = await queryRows<{ n: number }>(getDb(), sql`select count(*)::int as n from transitions`);
    const again = await upsertRecords(
      db,
      'systems',
      [
        {
          code: 'S1',
          name: '系统S1',
          department_code: 'T-NN',
          classification: 'non_classified',
          state: 'migrated',
          state_at: '2020-03-01',
        },
      ],
      actor,
      { today },
    );
    expect(again).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(await queryRows(getDb(), sql`select count(*)::int as n from transitions`)).toEqual(before);

    await upsertRecords(
      db,
      'systems',
      [
        {
          code: 'S2',
          name: '系统S2',
          department_code: 'T-NN',
          classification: 'non_classified',
          state: 'migrated',
          state_at: '2020-09-01',
        },
      ],
      actor,
      { today },
    );
    expect((await figure('450100', '2020-08-31', 'cloud_migration')).numerator).toBe(3);
    expect((await figure('450100', '2020-09-01', 'cloud_migration')).numerator).toBe(4);
  });

  describe('数据中心整合率', () => {
    const key = 'data_centre_consolidation';

    beforeAll(async () => {
      const { db } = getDb();
      const centre = (
        code: string,
        department_code: string,
        classification: 'non_classified' | 'classified' | 'pending',
        state: 'in_use' | 'consolidating' | 'consolidated' | 'closed',
        state_at: string | null,
        region_code = '450103',
      ) => ({ code, name: `机房${code}`, department_code, region_code, classification, state, state_at, racks: 10, floor_area_m2: 80 });
      await upsertRecords(
        db,
        'data-centres',
        [
          centre('DC1', 'T-NN', 'non_classified', 'consolidated', '2020-03-01'),
          centre('DC2', 'T-NN', 'non_classified', 'in_use', null),
          centre('DC3', 'T-NN', 'classified', 'consolidated', '2020-01-01'),
          centre('DC4', 'T-NN', 'pending', 'in_use', null),
          centre('DC5', 'T-NN', 'non_classified', 'closed', '2020-05-01'),
          centre('DC6', 'T-XX', 'non_classified', 'consolidating', '2019-09-01', '450102'),
          centre('DC7', 'T-NN-SUB', 'non_classified', 'in_use', null),
          centre('DC8', 'T-LZ', 'non_classified', 'consolidated', '2019-12-01', '450202'),
          // Owned by a province-level department though it stands in Nanning: the owner's scope counts it.
          centre('DC9', 'T-PROV', 'non_classified', 'consolidating', '2020-04-01', '450103'),
        ],
        actor,
        { today },
      );
      // Moves recorded later through the transition flow: DC6 finishes, DC7 is shut down.
      await transitionRecord(db, 'data-centres', 'DC6', { to: 'consolidated', effective_at: '2020-06-30' }, actor, { today });
      await transitionRecord(db, 'data-centres', 'DC7', { to: 'closed', effective_at: '2020-06-15' }, actor, { today });
    });

    it('counts consolidated and closed centres over the certified non-classified ones, before and after the moves', async () => {
      // 南宁 (T-NN, its T-NN-SUB and 兴宁区's T-XX): DC1 DC2 DC5 DC6 DC7 are non-classified; DC3 is
      // classified (out), DC4 awaits 认定 (out, counted pending).
      // 2020-02-29: DC1 (from 03-01), DC5 (from 05-01) and DC7 still in use, DC6 consolidating → 0/5, 1 pending.
      expect(await counts('450100', '2020-02-29', key)).toEqual([0, 5, 0, 1]);
      // 2020-07-31: DC1 consolidated, DC5 closed, DC6 consolidated (06-30), DC7 closed (06-15); DC2 in use → 4/5.
      expect(await counts('450100', '2020-07-31', key)).toEqual([4, 5, 80, 1]);
    });

    it('the province adds 柳州 and the province-level departments', async () => {
      // 2020-02-29: as Nanning (0/5) + DC8 consolidated since 2019-12-01 + DC9 in use until 04-01 → 1/7.
      expect(await counts('450000', '2020-02-29', key)).toEqual([1, 7, 14.3, 1]);
      // 2020-07-31: Nanning 4/5 + DC8 done + DC9 consolidating (not done) → 5/7.
      expect(await counts('450000', '2020-07-31', key)).toEqual([5, 7, 71.4, 1]);
      // 柳州 alone: DC8.
      expect(await counts('450200', '2019-11-30', key)).toEqual([0, 1, 0, 0]);
      expect(await counts('450200', '2019-12-01', key)).toEqual([1, 1, 100, 0]);
    });

    it('a department scope covers its sub-departments', async () => {
      // dept:T-NN: DC1 DC2 DC5 DC7 (T-NN-SUB) in the figure, DC3 classified, DC4 pending.
      expect(await counts('dept:T-NN', '2020-02-29', key)).toEqual([0, 4, 0, 1]);
      // 2020-07-31: DC1 consolidated, DC5 and DC7 closed; DC2 in use → 3/4.
      expect(await counts('dept:T-NN', '2020-07-31', key)).toEqual([3, 4, 75, 1]);
      // Only T-NN itself: DC1 DC2 DC5 → 2/3.
      expect(await counts('dept:T-NN', '2020-07-31', key, true)).toEqual([2, 3, 66.7, 1]);
    });

    it('drills down to the centres, a closed one counted done and the rest missing', async () => {
      const all = await listIndicatorItems(getDb().db, key, { scope: '450100', at: '2020-07-31' });
      expect(all.items.map((i) => [i.code, i.state, i.done]).sort()).toEqual([
        ['DC1', 'consolidated', true],
        ['DC2', 'in_use', false],
        ['DC5', 'closed', true],
        ['DC6', 'consolidated', true],
        ['DC7', 'closed', true],
      ]);
      const missing = await listIndicatorItems(getDb().db, key, { scope: '450100', at: '2020-07-31', missing: true });
      expect(missing.items.map((i) => i.code)).toEqual(['DC2']);
    });

    it('leaves the other figures alone: a closed data centre retires no system', async () => {
      expect(await counts('450100', '2020-07-31', 'cloud_migration')).toEqual([3, 4, 75, 1]);
    });
  });

  it('refuses an unknown scope or a bad date with the field named', async () => {
    await expect(computeIndicators(getDb().db, { scope: '999999' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(computeIndicators(getDb().db, { scope: '450000', at: '2020-02-30' })).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'at' }],
    });
  });
});
