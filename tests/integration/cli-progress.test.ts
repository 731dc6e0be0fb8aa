/**
 * Small things a CLI user notices (issue 19, item 11): `yunwang --version` / `-V`, and progress
 * on imports, exports and snapshot freezes — "rows n/N" with a bar when standard error is a
 * terminal, nothing otherwise. The services report through their `onProgress` option; the
 * command itself runs as a user runs it, in a child process (under `script` for a terminal).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressLine, progressReporter } from '../../src/cli/progress.ts';
import type { Database } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { exportFile, importFile } from '../../src/imports/service.ts';
import { freezeMonth } from '../../src/leadership/freeze.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { openTestDatabase } from '../helpers/db.ts';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'bin/yunwang.mjs');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const actor = rootActor('progress-test');

/** A stream that records what is written, and says it is (or is not) a terminal. */
function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { isTTY, columns: 80 },
  );
  return { stream, text: () => chunks.join('') };
}

describe('the progress line', () => {
  it('draws "rows n/N" with a bar on a terminal, redrawn in place, and ends the line', () => {
    const { stream, text } = recorder(true);
    let t = 0;
    const progress = progressReporter('import systems', stream, () => t);
    progress.update(5, 10);
    t += 10; // too soon to redraw…
    progress.update(6, 10);
    t += 10; // …but the last update is always drawn
    progress.update(10, 10);
    progress.finish();
    const lines = text().split('\r\x1b[2K').filter(Boolean);
    expect(lines).toEqual([`${progressLine('import systems', 5, 10)}`, `${progressLine('import systems', 10, 10)}\n`]);
    expect(lines[0]).toMatch(/^import systems \[#+\.+\] rows 5\/10$/);
    expect(lines[1]).toMatch(/^import systems \[#+\] rows 10\/10\n$/);
  });

  it('writes nothing when standard error is not a terminal', () => {
    const { stream, text } = recorder(false);
    const progress = progressReporter('export systems', stream);
    progress.update(1, 2);
    progress.update(2, 2);
    progress.finish();
    expect(text()).toBe('');
  });

  it('fits a narrow terminal by leaving the bar out', () => {
    expect(progressLine('snapshot', 3, 7, 20)).toBe('snapshot rows 3/7');
    expect(progressLine('x', 0, 0, 80)).toMatch(/\[#+\] rows 0\/0$/);
  });
});

describe('progress from the services', () => {
  let database: Database;
  let dir: string;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    await loadDivisions(database.db);
    dir = await mkdtemp(join(tmpdir(), 'yunwang-progress-'));
  });
  afterAll(async () => {
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an import reports after each part: rows checked so far of the file’s rows', async () => {
    const path = join(dir, 'departments.csv');
    const rows = Array.from({ length: 5 }, (_, i) => `PG-D-${i},进度测试部门${i},450000,government,false`);
    await writeFile(path, `code,name,region_code,kind,extranet_connected\n${rows.join('\n')}\n`);
    const calls: [number, number][] = [];
    const report = await importFile(database.db, 'departments', { path }, 'csv', actor, {
      batchRows: 2,
      onProgress: (done, total) => calls.push([done, total]),
    });
    expect(report.created).toBe(5);
    // Departments are written in one part (a file names parents it creates itself).
    expect(calls).toEqual([[5, 5]]);

    const systems = join(dir, 'systems.csv');
    const systemRows = Array.from({ length: 5 }, (_, i) => `PG-S-${i},进度测试系统${i},PG-D-0`);
    await writeFile(systems, `code,name,department_code\n${systemRows.join('\n')}\n`);
    const parts: [number, number][] = [];
    await importFile(database.db, 'systems', { path: systems }, 'csv', actor, {
      batchRows: 2,
      onProgress: (done, total) => parts.push([done, total]),
    });
    expect(parts).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
  });

  it('an export reports its rows once read and once written', async () => {
    const calls: [number, number][] = [];
    await exportFile(database.db, 'systems', 'csv', actor, { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([
      [0, 5],
      [5, 5],
    ]);
  });

  it('a snapshot freeze reports the figure rows it writes', async () => {
    const calls: [number, number, string][] = [];
    const result = await freezeMonth(database.db, '2020-01', {
      actor,
      today: '2024-06-30',
      onProgress: (done, total, month) => calls.push([done, total, month]),
    });
    expect(result.outcome).toBe('frozen');
    const total = calls[0]?.[1] ?? 0;
    expect(total).toBeGreaterThan(0);
    expect(calls[0]).toEqual([0, total, '2020-01']);
    expect(calls.at(-1)).toEqual([total, total, '2020-01']);
    expect(calls.map(([done]) => done)).toEqual([...calls.map(([done]) => done)].sort((a, b) => a - b));
  });
});

describe('the yunwang command', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yunwang-cli-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, YUNWANG_DATA_DIR: join(dir, 'data'), CI: process.env.CI ?? '' });

  it('prints its version from package.json with --version and -V, and the revision when given', async () => {
    for (const flag of ['--version', '-V']) {
      const { stdout } = await execFileAsync(process.execPath, [cli, flag], { env: { ...env(), YUNWANG_REVISION: 'abc1234' } });
      expect(stdout.trim()).toBe(`yunwang ${version} (revision abc1234, Node.js ${process.version})`);
    }
    // Without YUNWANG_REVISION, from the checkout when there is one; never a made-up value.
    const { YUNWANG_REVISION: _, ...withoutRevision } = env();
    const { stdout } = await execFileAsync(process.execPath, [cli, '--version'], { env: withoutRevision });
    expect(stdout.trim()).toMatch(
      new RegExp(`^yunwang ${version.replaceAll('.', '\\.')} \\((revision [0-9a-f]{4,}, )?Node\\.js v[\\d.]+\\)$`),
    );
  });

  it('imports quietly when standard error is not a terminal', async () => {
    const file = join(dir, 'departments.csv');
    await writeFile(file, 'code,name,region_code,kind,extranet_connected\nCLI-D-1,命令行部门,450000,government,false\n');
    const { stdout, stderr } = await execFileAsync(process.execPath, [cli, 'import', file, '--kind', 'departments'], { env: env() });
    expect(stdout).toContain('imported 1 departments rows');
    expect(stderr).not.toContain('rows 1/1');
  }, 120_000);

  let script: string | null = '/usr/bin/script';
  try {
    accessSync(script, constants.X_OK);
  } catch {
    script = null;
  }
  const skipTerminal = !script && process.env.CI !== 'true';
  it.skipIf(skipTerminal)(
    `draws the bar on a terminal (under script(1))${skipTerminal ? ' — skipped: no /usr/bin/script (apt-get install -y bsdutils)' : ''}`,
    async () => {
      if (!script) throw new Error('/usr/bin/script is needed under CI=true (apt-get install -y bsdutils)');
      const file = join(dir, 'departments-2.csv');
      await writeFile(file, 'code,name,region_code,kind,extranet_connected\nCLI-D-2,命令行部门二,450000,government,false\n');
      const command = [process.execPath, cli, 'export', '--kind', 'departments', '--out', join(dir, 'out.csv')]
        .map((a) => `'${a}'`)
        .join(' ');
      await execFileAsync(process.execPath, [cli, 'import', file, '--kind', 'departments'], { env: env() });
      const { stdout } = await execFileAsync(script, ['-qec', command, '/dev/null'], { env: env() });
      expect(stdout).toMatch(/export departments \[#+\] rows 2\/2/);
    },
    120_000,
  );
});
