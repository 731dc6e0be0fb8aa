import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoVolumes } from '../../src/demo/dataset/interface-services.ts';
import {
  type DemoDataset,
  expectedCloudMigrationRate,
  expectedConsolidationRate,
  expectedIntegrationRate,
  expectedInterconnectionRate,
  generateDemoDataset,
} from '../../src/demo/generate.ts';
import { writeExportFile } from '../../src/imports/format.ts';
import type { IndicatorReport } from '../../src/indicators/service.ts';
import { exchangeVolumesSheet } from '../../src/interconnection/volume-files.ts';
import { readDivisions } from '../../src/regions/service.ts';
import type { ImportKind, InputByKind } from '../../src/registry/schemas.ts';
import { backends, createPostgresDatabase } from '../helpers/db.ts';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../bin/yunwang.mjs', import.meta.url));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real `yunwang` command in its own process, on a database named by the environment
 * exactly as a user would run it. Indicators computed by the CLI are checked against
 * figures derived straight from the rows of the files it imported.
 */
describe.each(backends)('yunwang CLI imports a dataset and reports its indicators [%s]', (backend) => {
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let cleanup: () => Promise<void>;
  let dataset: DemoDataset;
  let regionParent: Map<string, string | null>;

  const yunwang = async (...args: string[]): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, cwd: dir, maxBuffer: 64 << 20 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const indicators = async (...args: string[]) => {
    const result = await yunwang('indicators', '--json', ...args);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as IndicatorReport;
  };
  const figure = (report: IndicatorReport, key: string) => {
    const found = report.indicators.find((i) => i.key === key);
    return { numerator: found?.numerator, denominator: found?.denominator };
  };
  const writeKind = async <K extends ImportKind>(kind: K, rows: InputByKind[K][], format: 'csv' | 'xlsx' = 'csv') => {
    const file = path.join(dir, `${kind}.${format}`);
    await writeFile(file, await writeExportFile(kind, rows, format));
    return file;
  };
  /** Departments under a region (its own and every level below). */
  const departmentsIn = (regionCode: string) => {
    const within = (code: string): boolean =>
      code === regionCode || (regionParent.get(code) ? within(regionParent.get(code) as string) : false);
    return new Set(dataset.departments.filter((d) => within(d.region_code)).map((d) => d.code));
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-cli-'));
    if (backend === 'postgres') {
      const db = await createPostgresDatabase();
      env = { ...process.env, DATABASE_URL: db.url, YUNWANG_AUDIT_KEY: 'cli-test-audit-key-0123456789abcdef', LOG_LEVEL: 'silent' };
      cleanup = db.drop;
    } else {
      env = { ...process.env, YUNWANG_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent' };
      cleanup = async () => {};
    }
    const regions = await readDivisions();
    regionParent = new Map(regions.map((r) => [r.code, r.parentCode]));
    dataset = generateDemoDataset(regions, { scale: 1, seed: 42 });
    // Clouds are registered through the API, not spreadsheets: these systems name none (nor a DR cloud).
    dataset.systems = dataset.systems.map((s) => ({ ...s, cloud_code: null, tenant: null, dr_cloud_code: null }));
  }, 60_000);

  afterAll(async () => {
    await cleanup?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports every kind, then computes exactly the figures the rows imply, at any date', async () => {
    for (const [kind, rows, format] of [
      ['departments', dataset.departments, 'csv'],
      ['network-nodes', dataset['network-nodes'], 'xlsx'],
      ['systems', dataset.systems, 'csv'],
      ['private-networks', dataset['private-networks'], 'xlsx'],
      ['service-items', dataset['service-items'], 'csv'],
      ['data-centres', dataset['data-centres'], 'xlsx'],
      ['interface-services', dataset['interface-services'], 'csv'],
    ] as const) {
      const file = await writeKind(kind, rows as InputByKind[typeof kind][], format);
      const result = await yunwang('import', file, '--kind', kind);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`imported ${rows.length} ${kind} rows`);
    }

    const nanning = departmentsIn('450100');
    for (const at of ['2018-12-31', '2019-01-31', '2019-12-31', '2020-07-31']) {
      const province = await indicators('--scope', '450000', '--at', at);
      expect(figure(province, 'cloud_migration')).toEqual(expectedCloudMigrationRate(dataset, at));
      expect(figure(province, 'private_network_interconnection')).toEqual(expectedInterconnectionRate(dataset, at));
      expect(figure(province, 'service_integration')).toEqual(expectedIntegrationRate(dataset, at));
      expect(figure(province, 'data_centre_consolidation')).toEqual(expectedConsolidationRate(dataset, at));
      const city = await indicators('--scope', '450100', '--at', at);
      expect(figure(city, 'cloud_migration')).toEqual(expectedCloudMigrationRate(dataset, at, nanning));
    }
  }, 240_000);

  it('imports the daily exchange counts, and importing them again changes nothing', async () => {
    const volumes = demoVolumes(dataset['interface-services']);
    const file = path.join(dir, 'exchange-volumes.xlsx');
    await writeFile(file, await writeExportFile(exchangeVolumesSheet, volumes, 'xlsx'));
    const first = await yunwang('import', file, '--kind', 'exchange-volumes');
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(`imported ${volumes.length} exchange-volumes rows from ${file}: ${volumes.length} created`);
    const again = await yunwang('import', file, '--kind', 'exchange-volumes');
    expect(again.stdout).toContain(`0 created, 0 updated, ${volumes.length} unchanged`);
    const exported = await yunwang('export', '--kind', 'exchange-volumes');
    expect(exported.stdout.trim().split('\r\n')).toHaveLength(volumes.length + 1);
  }, 120_000);

  it('prints a readable table by default, and the same figures', async () => {
    const result = await yunwang('indicators', '--scope', '450000', '--at', '2020-07-31');
    expect(result.code).toBe(0);
    const expected = expectedCloudMigrationRate(dataset, '2020-07-31');
    expect(result.stdout).toMatch(
      new RegExp(`cloud_migration\\s+\\d+\\.\\d%\\s+${expected.numerator} / ${expected.denominator}\\s+上云率`),
    );
  }, 60_000);

  it('importing the same file twice changes nothing, and an export re-imports unchanged', async () => {
    const again = await yunwang('import', path.join(dir, 'systems.csv'), '--kind', 'systems');
    expect(again.stdout).toContain(`0 created, 0 updated, ${dataset.systems.length} unchanged`);
    const exported = path.join(dir, 'export.xlsx');
    expect((await yunwang('export', '--kind', 'service-items', '--format', 'xlsx', '--out', exported)).code).toBe(0);
    const dry = await yunwang('import', exported, '--kind', 'service-items', '--dry-run');
    expect(dry.stdout).toContain(`would import ${dataset['service-items'].length} service-items rows`);
    expect(dry.stdout).toContain(`0 created, 0 updated, ${dataset['service-items'].length} unchanged`);
  }, 120_000);

  it('refuses a file with three bad rows, naming each with row and column, and writes nothing', async () => {
    const before = await indicators('--scope', '450000', '--at', '2020-07-31');
    const good = dataset.systems[0];
    const lines = [
      '编码,名称,部门编码,密级,状态,状态日期',
      `${good?.code},${good?.name},${good?.department_code},非涉密,已上云,2020-01-02`,
      'NEW-1,新系统一,NO-SUCH-DEPT,非涉密,已上云,2020-01-01',
      'NEW-2,新系统二,P001,非涉密,完成,2020-01-01',
      'NEW-3,新系统三,P001,非涉密,已上云,2020-02-30',
      'NEW-4,新系统四,P001,非涉密,已上云,2020-03-01',
    ];
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, `\uFEFF${lines.join('\r\n')}\r\n`);
    const result = await yunwang('import', file, '--kind', 'systems');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('3 row(s) of the file have errors; nothing was written');
    // An unknown department is found against the database, in the same pass as bad values.
    expect(result.stderr).toMatch(/row 3, column 部门编码: department_code: unknown department "NO-SUCH-DEPT"/);
    expect(result.stderr).toMatch(/row 4, column 状态: state: .*完成/);
    expect(result.stderr).toMatch(/row 5, column 状态日期: state_at: /);
    expect(await indicators('--scope', '450000', '--at', '2020-07-31')).toEqual(before);
    const exported = path.join(dir, 'after.csv');
    await yunwang('export', '--kind', 'systems', '--out', exported);
    const text = await readFile(exported, 'utf8');
    expect(text).not.toContain('NEW-');
  }, 120_000);

  it('refuses a file over YUNWANG_IMPORT_LIMIT_BYTES before reading it', async () => {
    const file = path.join(dir, 'big.csv');
    await writeFile(file, `编码,名称,部门编码\r\n${'X,y,P001\r\n'.repeat(200)}`);
    const result = await run(process.execPath, [cli, 'import', file, '--kind', 'systems'], {
      env: { ...env, YUNWANG_IMPORT_LIMIT_BYTES: '1024' },
      cwd: dir,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('larger than YUNWANG_IMPORT_LIMIT_BYTES (1024 bytes)');
  }, 120_000);
});
