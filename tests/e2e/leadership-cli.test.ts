import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredDatabase } from '../../src/bootstrap/open.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { runYunwang } from '../helpers/cli.ts';
import { backends, createPostgresDatabase } from '../helpers/db.ts';
import { seedHistory } from '../helpers/leadership.ts';

/**
 * The real `yunwang` command on the hand-built six-month history: a target, the snapshot
 * backfill, the red/black list, forecasts and the report file. Each run costs a process
 * start (seconds on the embedded database), so the rest is tested in-process and over HTTP.
 */
describe.each(backends)('yunwang target, snapshot, ranking, forecast and report [%s]', (backend) => {
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let cleanup: () => Promise<void>;

  const yunwang = (...args: string[]) => runYunwang(args, { env, cwd: dir });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-leadership-'));
    const settings = {
      LOG_LEVEL: 'silent',
      YUNWANG_RANKING_WEIGHTS: 'cloud_migration=0.5,service_integration=0.5',
      YUNWANG_RANKING_CITY_LIST_SIZE: '1',
      YUNWANG_RANKING_DEPARTMENT_LIST_SIZE: '1',
    };
    if (backend === 'postgres') {
      const created = await createPostgresDatabase();
      env = { ...process.env, DATABASE_URL: created.url, YUNWANG_AUDIT_KEY: 'cli-test-audit-key-0123456789abcdef', ...settings };
      cleanup = created.drop;
      const database = await openDatabase({ databaseUrl: created.url, poolSize: 2 });
      await seedHistory(database.db);
      await database.close();
    } else {
      env = { ...process.env, YUNWANG_DATA_DIR: path.join(dir, 'data'), ...settings };
      cleanup = async () => {};
      const database = await openConfiguredDatabase(loadConfig({ YUNWANG_DATA_DIR: path.join(dir, 'data') }));
      await database.migrate();
      await seedHistory(database.db);
      await database.close();
    }
  }, 60_000);

  afterAll(async () => {
    await cleanup?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('sets a target, backfills snapshots, and re-freezes with a reason', async () => {
    const set = await yunwang(
      'target',
      'set',
      '--indicator',
      'cloud_migration',
      '--scope',
      '450000',
      '--deadline',
      '2020-12-31',
      '--ratio',
      '90%',
    );
    expect(set).toMatchObject({ code: 0, stdout: 'cloud_migration for 450000: 2020-12-31 → 90%\n' });
    const backfill = await yunwang('snapshot', '--from', '2020-01', '--to', '2020-06');
    expect(backfill.code).toBe(0);
    expect(backfill.stdout.trim().split('\n')).toEqual(
      ['2020-01', '2020-02', '2020-03', '2020-04', '2020-05', '2020-06'].map((m) => `${m}: frozen, revision 1`),
    );
    const again = await yunwang('snapshot', '--month', '2020-06', '--refreeze', '--reason', '复核');
    expect(again.stdout).toBe('2020-06: refrozen, revision 2, 0 figures changed\n');
  }, 120_000);

  it('prints the red/black list and the forecasts, and writes the report', async () => {
    const ranking = await yunwang('ranking', '--month', '2020-06');
    expect(ranking.stdout).toMatch(/1\s+450200\s+90\.00\s+75\.00\s+\+15\.00\s+柳州市\s+红榜 red/);
    expect(ranking.stdout).toMatch(/2\s+450100\s+70\.00\s+70\.00\s+\+0\.00\s+南宁市\n/);
    expect(ranking.stdout).toMatch(/3\s+450300\s+60\.00\s+60\.00\s+\+0\.00\s+桂林市\s+黑榜 black/);
    expect(ranking.stdout).toMatch(/1\s+dept:T-P1\s+100\.00\s+100\.00\s+\+0\.00\s+部门T-P1\s+红榜 red/);

    const forecast = await yunwang('forecast', '--scope', '450100');
    expect(forecast.stdout).toMatch(/cloud_migration\s+90\.0%\s+100% by 2020-08-05\s+\(\+8\.6 points\/month\)/);
    expect(forecast.stdout).toMatch(/service_integration\s+50\.0%\s+not at current pace/);

    expect((await yunwang('report', '--month', '2020-06', '--out', 'report.xlsx')).stderr).toBe('wrote report.xlsx\n');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(dir, 'report.xlsx'));
    expect(workbook.getWorksheet('黑榜')?.getRow(2).getCell(5).value).toBe('桂林市');
  }, 120_000);
});
