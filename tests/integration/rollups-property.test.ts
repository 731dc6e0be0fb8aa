/**
 * Issue 20, item 2: the rollups kept in the write's transaction give exactly the figures
 * counted from the items (the definitions' SQL), for any registry and history — back-dated
 * and superseded transitions, items changing department, department moves, regions
 * re-parented or changing level — at any scope and date. One database per backend takes
 * every generated case in turn, so later cases also rewrite what earlier ones wrote.
 *
 *   YUNWANG_PROPERTY_RUNS=2000 npx vitest run tests/integration/rollups-property.test.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rootActor } from '../../src/identity/actor.ts';
import { writeExportFile } from '../../src/imports/format.ts';
import { importFile } from '../../src/imports/service.ts';
import { computeIndicatorsForScopes } from '../../src/indicators/many-scopes.ts';
import { rebuildRollups } from '../../src/indicators/rollups/rebuild.ts';
import { computeIndicators, recountIndicators } from '../../src/indicators/service.ts';
import { AppError } from '../../src/kernel/errors.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import type { ImportKind } from '../../src/registry/kinds/index.ts';
import { transitionRecord } from '../../src/registry/transitions.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { describeEachBackend } from '../helpers/db.ts';

const runs = Number(process.env.YUNWANG_PROPERTY_RUNS ?? 150);
const actor = rootActor('property');
const today = '2024-06-30';

const day0 = Date.UTC(2015, 0, 1);
const dateOf = (days: number) => new Date(day0 + days * 86_400_000).toISOString().slice(0, 10);
/** Leap days and their neighbours: an assessment's twelve months end on them. */
const awkward = ['2019-02-28', '2020-02-28', '2020-02-29', '2021-02-28', '2023-02-28', '2024-02-28', '2024-02-29'];
/** A business date on or before `today`. */
const pastDate = fc.oneof(fc.integer({ min: 0, max: 3468 }).map(dateOf), fc.constantFrom(...awkward));
/** A date to read figures at: history, month ends, leap days, after today, after the month-end grid. */
const readDate = fc.oneof(
  fc.integer({ min: -400, max: 4400 }).map(dateOf),
  // Twelve months after the leap days: where assessments expire.
  fc.constantFrom(...awkward, '2020-03-01', '2021-03-01', '2022-02-28', '2022-03-01', '2024-03-01', '2025-02-28', '2025-03-01'),
  fc.constantFrom('2020-01-31', '2020-12-31', '2024-06-30', '2030-12-31', '2010-06-15'),
);

const departments = ['PD0', 'PD1', 'PD2', 'PD3', 'PD4', 'PD5'];
const regionsOf = ['450000', '450100', '450102', '450200', '459900', '459901'];
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const classification = fc.constantFrom('pending', 'non_classified', 'classified');

const departmentRow = fc
  .record({
    code: fc.constantFrom(...departments),
    name: fc.constant('属性测试部门'),
    region_code: fc.constantFrom(...regionsOf),
    parent_code: nullable(fc.constantFrom(...departments)),
    kind: fc.constantFrom('government', 'institution', 'enterprise'),
    extranet_connected: fc.boolean(),
    extranet_connected_at: nullable(pastDate),
  })
  .map((r) => ({
    ...r,
    parent_code: r.parent_code === r.code ? null : r.parent_code,
    extranet_connected_at: r.extranet_connected ? r.extranet_connected_at : null,
  }));

const systemRow = fc
  .record({
    code: fc.constantFrom('PS0', 'PS1', 'PS2', 'PS3', 'PS4', 'PS5', 'PS6', 'PS7'),
    name: fc.constant('属性测试系统'),
    department_code: fc.constantFrom(...departments),
    classification,
    state: fc.constantFrom('not_migrated', 'migrating', 'migrated', 'retired'),
    state_at: nullable(pastDate),
    security_level: nullable(fc.integer({ min: 1, max: 4 })),
    assessed_on: nullable(pastDate),
    dr_site: nullable(fc.constantFrom('same_city', 'remote')),
  })
  .map((r) => ({ ...r, assessed_on: r.security_level === null ? null : r.assessed_on }));

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('departments' as const),
    row: departmentRow,
  }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('systems' as const),
      row: systemRow,
    }),
  },
  fc.record({
    kind: fc.constant('private-networks' as const),
    row: fc.record({
      code: fc.constantFrom('PN0', 'PN1', 'PN2'),
      name: fc.constant('属性测试专网'),
      department_code: fc.constantFrom(...departments),
      classification,
      state: fc.constantFrom('not_started', 'migrating', 'interconnected', 'retired'),
      state_at: nullable(pastDate),
    }),
  }),
  fc.record({
    kind: fc.constant('data-centres' as const),
    row: fc.record({
      code: fc.constantFrom('PC0', 'PC1'),
      name: fc.constant('属性测试机房'),
      department_code: fc.constantFrom(...departments),
      region_code: fc.constantFrom(...regionsOf),
      classification,
      state: fc.constantFrom('in_use', 'consolidating', 'consolidated', 'closed'),
      state_at: nullable(pastDate),
    }),
  }),
  fc.record({
    kind: fc.constant('service-items' as const),
    row: fc
      .record({
        code: fc.constantFrom('PI0', 'PI1', 'PI2', 'PI3', 'PI4', 'PI5'),
        name: fc.constant('属性测试事项'),
        department_code: fc.constantFrom(...departments),
        system_type: fc.constantFrom('national', 'provincial', 'city', 'self_built'),
        integration_required: fc.boolean(),
        integrated: fc.boolean(),
        integrated_at: nullable(pastDate),
        service_level: fc.constantFrom('full_online', 'online_one_visit', 'offline_one_visit', 'multiple_visits'),
        service_level_since: nullable(pastDate),
      })
      .map((r) => ({ ...r, integrated_at: r.integrated ? r.integrated_at : null })),
  }),
  // A move of one record, dated any day up to today (most are back-dated; some are refused as out of order).
  ...(
    [
      ['systems', ['PS0', 'PS1', 'PS2'], ['not_migrated', 'migrating', 'migrated', 'retired']],
      ['private-networks', ['PN0', 'PN1'], ['not_started', 'migrating', 'interconnected', 'retired']],
      ['data-centres', ['PC0'], ['in_use', 'consolidating', 'consolidated', 'closed']],
      ['service-items', ['PI0', 'PI1'], ['not_integrated', 'integrated']],
      ['departments', ['PD0', 'PD1'], ['not_connected', 'connected']],
    ] as const
  ).map(([kind, codes, states]) =>
    fc.record({
      kind: fc.constant('move' as const),
      target: fc.tuple(fc.constant<ImportKind>(kind), fc.constantFrom(...codes)),
      to: fc.constantFrom<string>(...states),
      effective_at: pastDate,
    }),
  ),
  // A file of several rows through the importer, written in parts of two: its rollup changes
  // are collected part by part and added once, at the end.
  fc.record({
    kind: fc.constant('import' as const),
    of: fc.oneof(
      fc.record({
        kind: fc.constant('systems' as const),
        rows: fc.uniqueArray(systemRow, { selector: (r) => r.code, minLength: 1, maxLength: 5 }),
      }),
      fc.record({
        kind: fc.constant('departments' as const),
        rows: fc.uniqueArray(departmentRow, { selector: (r) => r.code, minLength: 1, maxLength: 3 }),
      }),
    ),
  }),
  // Regions re-parented (and a county turned city) through the divisions loader.
  fc.record({
    kind: fc.constant('regions' as const),
    parent: fc.constantFrom('459900', '450100', '450200'),
    level: fc.constantFrom('county', 'city'),
  }),
);

type Operation = typeof operation extends fc.Arbitrary<infer O> ? O : never;

const read = fc.record({
  scope: fc.constantFrom(...regionsOf, '450000', ...departments.map((d) => `dept:${d}`)),
  self: fc.boolean(),
  at: readDate,
});

/** A refusal the registry gives on purpose (a bad reference, an illegal move): the case goes on. */
const refused = (error: unknown) => error instanceof AppError;

describeEachBackend('rollups equal the items they are kept from', (getDb) => {
  let dir: string;
  const divisions = async (parent: string, level: string) => {
    const file = path.join(dir, 'divisions.csv');
    // The loader wants every parent listed first: the province and the cities the county may hang under.
    const parents = '450000,广西壮族自治区,province,\n450100,南宁市,city,450000\n450200,柳州市,city,450000\n';
    await writeFile(file, `code,name,level,parent_code\n${parents}459900,属性测试市,city,450000\n459901,属性测试县,${level},${parent}\n`);
    await loadDivisions(getDb().db, file);
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-rollups-'));
    await loadDivisions(getDb().db);
    await divisions('459900', 'county');
    const regions = ['450000', '450100', '450102', '450200', '459900', '459901'];
    await upsertRecords(
      getDb().db,
      'departments',
      departments.map((code, i) => ({
        code,
        name: '属性测试部门',
        region_code: regions[i] ?? '450000',
        kind: 'government' as const,
        extranet_connected: false,
      })),
      actor,
      { today },
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const apply = async (op: Operation) => {
    const { db } = getDb();
    try {
      if (op.kind === 'regions') await divisions(op.parent, op.level);
      else if (op.kind === 'move') {
        const [kind, code] = op.target;
        await transitionRecord(db, kind, code, { to: op.to, effective_at: op.effective_at }, actor, { today });
      } else if (op.kind === 'import') {
        const file = await writeExportFile(op.of.kind, op.of.rows as never, 'csv');
        await importFile(db, op.of.kind, file, 'csv', actor, { today, batchRows: 2 });
      } else await upsertRecords(db, op.kind, [op.row as never], actor, { today });
    } catch (error) {
      if (!refused(error)) throw error;
    }
  };

  it(`gives the figures counted from the items, for ${runs} random histories`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 6 }),
        fc.array(read, { minLength: 1, maxLength: 3 }),
        async (ops, reads) => {
          for (const op of ops) await apply(op);
          for (const q of reads) {
            const recounted = await recountIndicators(getDb().db, q).catch((e: unknown) => e);
            const rolled = await computeIndicators(getDb().db, q).catch((e: unknown) => e);
            expect(rolled).toEqual(recounted);
            // The month's snapshot and the map read every scope at once: the same figures again.
            if (!q.self && !(recounted instanceof Error)) {
              // Regions only (the map) sum the regions' month-end levels; with a department among
              // them (the snapshot), each department's deltas: both give the same figures.
              for (const others of [['450000'], [`dept:${departments[0]}`]]) {
                const many = await computeIndicatorsForScopes(getDb().db, [q.scope, ...others], q.at);
                expect(many.get(q.scope)).toEqual(recounted);
              }
            }
          }
        },
      ),
      { numRuns: runs },
    );
  }, 600_000);

  it('a rebuild from the items finds nothing to change, and finds a tampered count', async () => {
    const { db } = getDb();
    const clean = await rebuildRollups(db, { check: true });
    expect(clean.wasBuilt).toBe(true);
    expect(clean.differences).toEqual([]);
    expect(clean.rows.spans).toBeGreaterThan(0);

    await db.execute(sql`update rollup_deltas set numerator = numerator + 1
      where (department_id, indicator, on_date, breakdown) in (select department_id, indicator, on_date, breakdown from rollup_deltas where indicator = 'cloud_migration' limit 1)`);
    const tampered = await rebuildRollups(db, { check: true });
    expect(tampered.differences).toContainEqual({ table: 'deltas', indicator: 'cloud_migration', rows: 2 });
    const repaired = await rebuildRollups(db);
    expect(repaired.written).toBe(true);
    expect((await rebuildRollups(db, { check: true })).differences).toEqual([]);
    for (const scope of ['450000', '450100', 'dept:PD0']) {
      expect(await computeIndicators(db, { scope, at: '2020-06-30' })).toEqual(await recountIndicators(db, { scope, at: '2020-06-30' }));
    }
  });

  it('until the rollups are built, figures are counted from the items; a rebuild builds them', async () => {
    const { db } = getDb();
    await db.execute(sql`update rollup_state set built = false`);
    await db.execute(sql`update rollup_deltas set denominator = denominator + 5`);
    expect(await computeIndicators(db, { scope: '450000', at: '2021-12-31' })).toEqual(
      await recountIndicators(db, { scope: '450000', at: '2021-12-31' }),
    );
    const first = await rebuildRollups(db);
    expect(first.wasBuilt).toBe(false);
    expect((await rebuildRollups(db, { check: true })).differences).toEqual([]);
  });
});
