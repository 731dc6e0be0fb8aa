/**
 * What the pods run, run here: `yunwang migrate` (the Job) on an empty PostgreSQL database,
 * then `yunwang serve` (the API), both from an empty working directory with TMPDIR of their
 * own. With DATABASE_URL set nothing is written beside them — so a read-only root filesystem
 * with an emptyDir on /tmp is enough — and the probes and the scrape target answer.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { POSTGRES_SKIP_MESSAGE } from '../setup/context.ts';
import { repoRoot } from './kube.ts';

const execFileAsync = promisify(execFile);
const postgresUrl = inject('postgresUrl');
const bin = path.join(repoRoot, 'bin/yunwang.mjs');
const metricsToken = 'readonly-test-scrape-token';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

async function waitFor(url: string, ms: number): Promise<Response> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.ok) return res;
      last = `${res.status}`;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${ms} ms: ${String(last)}`);
}

describe.skipIf(!postgresUrl)(`the pods' commands with DATABASE_URL${postgresUrl ? '' : ` — ${POSTGRES_SKIP_MESSAGE}`}`, () => {
  const database = `yunwang_k8s_${process.pid}`;
  let url: string;
  let cwd: string;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: postgresUrl as string });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    url = `${postgresUrl}/${database}`;
    cwd = await mkdtemp(path.join(tmpdir(), 'yunwang-k8s-cwd-'));
    tmp = await mkdtemp(path.join(tmpdir(), 'yunwang-k8s-tmp-'));
    // What the manifests set, and nothing from this machine's environment that could help.
    env = {
      PATH: process.env.PATH,
      TMPDIR: tmp,
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: '2',
      YUNWANG_DEMO: '0',
      LOG_LEVEL: 'info',
      // From the Secrets yunwang-metrics and yunwang-audit-key.
      YUNWANG_METRICS_TOKEN: metricsToken,
      YUNWANG_AUDIT_KEY: 'readonly-test-audit-key-0123456789abcdef',
      // The manifests' /tmp/credentials: the pod's /tmp is its TMPDIR.
      YUNWANG_CREDENTIALS_DIR: path.join(tmp, 'credentials'),
    };
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(cwd, { recursive: true, force: true });
    await rm(tmp, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: postgresUrl as string });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  });

  it('the migration Job: `yunwang migrate` migrates an empty database and writes nothing beside it', async () => {
    const { stdout } = await execFileAsync(process.execPath, [bin, 'migrate'], { cwd, env });
    expect(stdout).toContain('migrations applied');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('select count(*) as n from drizzle.__drizzle_migrations');
      expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    expect(await readdir(cwd)).toEqual([]);
  }, 60_000);

  it('the API: `yunwang serve` turns ready, serves /metrics, drains on SIGTERM, and writes only under TMPDIR', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'serve'], { cwd, env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'pipe' });
    server = child;
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/livez`, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
    const ready = await waitFor(`${base}/readyz`, 60_000);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'postgres' });
    // Well inside the container's memory limit in k8s/base/api/deployment.yaml.
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024;
    const deployment = parse(await readFile(path.join(repoRoot, 'k8s/base/api/deployment.yaml'), 'utf8'));
    const limit = deployment.spec.template.spec.containers[0].resources.limits.memory as string;
    console.log(`yunwang serve, ready on PostgreSQL: RSS ${(rss / 2 ** 20).toFixed(0)} MiB (limit ${limit})`);
    expect(rss).toBeLessThan(Number(limit.replace(/Mi$/, '')) * 2 ** 20 * 0.5);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${metricsToken}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# TYPE yunwang_\w+/m);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: draining connections');
    // No ./.yunwang, nothing else: a read-only root filesystem is fine.
    expect(await readdir(cwd)).toEqual([]);
    // Under TMPDIR only the credentials directory and, run from the sources rather than the
    // compiled build the image runs, tsx's transform cache — hence the emptyDir on /tmp.
    expect((await readdir(tmp)).filter((f) => !f.startsWith('tsx') && f !== 'credentials')).toEqual([]);
  }, 120_000);
});
