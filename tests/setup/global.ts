/**
 * Vitest global setup: runs once, in the main process, before any test file.
 *
 * 1. Builds one migrated PGlite data directory and saves it as a tarball; each test file
 *    loads it into a fresh in-memory PGlite (tests/helpers/db.ts) instead of migrating.
 * 2. Starts a throwaway PostgreSQL (15 or newer) server, when the binaries are installed,
 *    with a migrated `yunwang_template` database; each test file gets a copy of it
 *    (`CREATE DATABASE … TEMPLATE`). Without the binaries the PostgreSQL runs are skipped,
 *    except under CI=true, where that is an error.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.ts';
import { POSTGRES_SKIP_MESSAGE, POSTGRES_TEMPLATE_DB } from './context.ts';

const execFileAsync = promisify(execFile);
const MIN_POSTGRES_MAJOR = 15;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const [pglite, postgres] = await Promise.allSettled([buildPgliteTemplate(), startPostgres()]);
  if (pglite.status === 'rejected' || postgres.status === 'rejected') {
    // Do not leave a server or temp files behind when the other half failed.
    if (pglite.status === 'fulfilled') await pglite.value.dispose();
    if (postgres.status === 'fulfilled') await postgres.value?.stop();
    throw pglite.status === 'rejected' ? pglite.reason : (postgres as PromiseRejectedResult).reason;
  }

  project.provide('pgliteTemplatePath', pglite.value.path);
  project.provide('postgresUrl', postgres.value?.url ?? null);

  const pgNote = postgres.value
    ? `PostgreSQL ${postgres.value.major} on ${postgres.value.url} in ${seconds(postgres.value.ms)}`
    : 'no PostgreSQL';
  console.log(`test databases ready in ${seconds(performance.now() - started)}: PGlite template in ${seconds(pglite.value.ms)}, ${pgNote}`);

  return async () => {
    await postgres.value?.stop();
    await pglite.value.dispose();
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

// ---------------------------------------------------------------------------------------------
// PGlite template

interface PgliteTemplate {
  path: string;
  ms: number;
  dispose(): Promise<void>;
}

async function buildPgliteTemplate(): Promise<PgliteTemplate> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'yunwang-pglite-'));
  try {
    const client = new PGlite();
    const database = await openDatabase({ pglite: client });
    let tarball: Blob;
    try {
      await database.migrate();
      tarball = await client.dumpDataDir('none');
    } finally {
      await database.close();
    }
    const path = join(dir, 'template.tar');
    await writeFile(path, Buffer.from(await tarball.arrayBuffer()));
    // Also when the process exits without running the teardown (an error, Ctrl-C).
    const onExit = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', onExit);
    return {
      path,
      ms: performance.now() - started,
      dispose: async () => {
        process.removeListener('exit', onExit);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Throwaway PostgreSQL server

export interface PostgresServer {
  url: string;
  major: number;
  ms: number;
  stop(): Promise<void>;
  /** Stops the server (fast shutdown: sessions are cut) and keeps its data, for outage tests. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port. */
  resume(): Promise<void>;
}

interface PostgresInstall {
  bin: string;
  major: number;
  /** Prefix for running a binary: `runuser -u postgres --` as root, nothing otherwise. */
  asPostgres: string[];
  owner: { uid: number; gid: number } | null;
}

/** Starts the server, or returns null (after saying why) when PostgreSQL is not installed. */
export async function startPostgres(): Promise<PostgresServer | null> {
  const found = await findPostgres();
  if (typeof found === 'string') {
    const reason = found === 'binaries' ? 'PostgreSQL 15 binaries not found' : found;
    if (process.env.CI === 'true') {
      throw new Error(`${reason}, and under CI=true the PostgreSQL integration runs must not be skipped (apt-get install -y postgresql)`);
    }
    console.warn(found === 'binaries' ? POSTGRES_SKIP_MESSAGE : `${reason}: PostgreSQL integration runs are skipped`);
    return null;
  }

  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'yunwang-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const log = join(sock, 'pg.log');
  const pgCtl = join(found.bin, 'pg_ctl');
  const run = (binary: string, args: string[]) => {
    const [command, commandArgs] = commandLine(found, join(found.bin, binary), args);
    return execFileAsync(command, commandArgs, { timeout: 120_000 });
  };

  let running = false;
  // Safety net if the process exits without running the teardown (an error, Ctrl-C):
  // never leave a postgres server behind.
  const onExit = () => {
    if (running) {
      try {
        const [command, commandArgs] = commandLine(found, pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
        execFileSync(command, commandArgs, { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const stop = async () => {
    process.removeListener('exit', onExit);
    if (running) {
      running = false;
      try {
        await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } catch (err) {
        console.error(`could not stop the test PostgreSQL server: ${errorText(err)}`);
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await mkdir(data);
    await mkdir(sock);
    if (found.owner) {
      for (const path of [dir, data, sock]) await chown(path, found.owner.uid, found.owner.gid);
    }
    await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);

    // A port can be taken between picking and binding it: try a few.
    let port = 0;
    let options = '';
    for (let attempt = 1; !running; attempt++) {
      port = await freePort();
      options = [
        `-p ${port}`,
        `-k ${sock}`,
        '-c listen_addresses=127.0.0.1',
        // A throwaway cluster: durability is not needed, speed is.
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ].join(' ');
      try {
        await run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']);
        running = true;
      } catch (err) {
        if (attempt >= 3) throw new Error(`pg_ctl start failed: ${errorText(err)}\n${await readLog(log)}`);
      }
    }

    const url = `postgres://postgres@127.0.0.1:${port}`;
    const admin = new pg.Client({ connectionString: `${url}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${POSTGRES_TEMPLATE_DB}"`);
      const template = await openDatabase({ databaseUrl: `${url}/${POSTGRES_TEMPLATE_DB}`, poolSize: 1 });
      try {
        await template.migrate();
      } finally {
        await template.close();
      }
      // No one may connect to the template, or CREATE DATABASE … TEMPLATE would fail.
      await admin.query(`ALTER DATABASE "${POSTGRES_TEMPLATE_DB}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    } finally {
      await admin.end();
    }
    const halt = async () => {
      if (!running) return;
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      running = false;
    };
    const resume = async () => {
      if (running) return;
      await run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']);
      running = true;
    };
    return { url, major: found.major, ms: performance.now() - started, stop, halt, resume };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The newest PostgreSQL ≥ 15 under /usr/lib/postgresql, or why it cannot be used. */
async function findPostgres(): Promise<PostgresInstall | string> {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .filter((major) => major >= MIN_POSTGRES_MAJOR)
        .filter((major) => ['initdb', 'pg_ctl'].every((binary) => existsSync(join(root, String(major), 'bin', binary))))
        .sort((a, b) => b - a)
    : [];
  const major = majors[0];
  if (major === undefined) return 'binaries';
  const bin = join(root, String(major), 'bin');

  // PostgreSQL refuses to run as root: run it as the postgres user.
  if (process.getuid?.() !== 0) return { bin, major, asPostgres: [], owner: null };
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser', '/bin/runuser'].find((path) => existsSync(path));
  if (!runuser) return 'PostgreSQL found but runuser is missing (running as root)';
  try {
    const uid = Number((await execFileAsync('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await execFileAsync('id', ['-g', 'postgres'])).stdout.trim());
    return { bin, major, asPostgres: [runuser, '-u', 'postgres', '--'], owner: { uid, gid } };
  } catch {
    return 'PostgreSQL found but there is no user postgres (running as root)';
  }
}

/** The command and arguments that run `binary` as the postgres user. */
function commandLine(install: PostgresInstall, binary: string, args: string[]): [string, string[]] {
  const [runuser, ...runuserArgs] = install.asPostgres;
  return runuser ? [runuser, [...runuserArgs, binary, ...args]] : [binary, args];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

async function readLog(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-20).join('\n');
  } catch {
    return '(no server log)';
  }
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'stderr' in err && typeof err.stderr === 'string' && err.stderr.trim()) {
    return err.stderr.trim();
  }
  return err instanceof Error ? err.message : String(err);
}
