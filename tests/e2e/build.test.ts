import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../build.ts';
import { writeDemoTemplate } from '../../src/demo/template.ts';
import { freePort } from '../helpers/ports.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Issue 19, item 2: production runs compiled JavaScript. The bundle `npm run build` writes runs
 * the CLI and the server without tsx, and finds its run-time files (migrations, divisions, maps,
 * console assets) from the project root as the sources do.
 */
describe('the compiled build (npm run build)', () => {
  let outDir: string;
  let bundle: string;
  let dataDir: string;
  let server: ChildProcess | undefined;
  let base: string;
  const buildId = `test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    // Inside the project, as dist/ is: the bundle finds the root (package.json) upwards.
    outDir = await mkdtemp(path.join(root, 'dist', 'test-build-'));
    bundle = await buildServer(path.join(outDir, 'yunwang.mjs'), buildId);
    dataDir = await mkdtemp(path.join(tmpdir(), 'yunwang-build-'));
  }, 120_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    }
    await rm(outDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('holds no TypeScript loader: packages stay outside, tsx is not among them', async () => {
    const text = await readFile(bundle, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node')).toBe(true);
    expect(text).not.toMatch(/from ["']tsx/);
    expect(text).not.toMatch(/\.ts["']\)/);
  });

  it('serves the API, the console assets, the map and the migrated database from the bundle', async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      PATH: process.env.PATH,
      HOME: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      YUNWANG_DATA_DIR: path.join(dataDir, 'data'),
      YUNWANG_DEMO: '0',
      YUNWANG_SNAPSHOT_SCHEDULER: '0',
    };
    // The CLI from the bundle too: a reader and a token, before the server first starts.
    const run = async (args: string[]) => {
      const cli = spawn(process.execPath, [bundle, ...args], { env, cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      cli.stdout?.on('data', (chunk) => {
        stdout += chunk;
      });
      cli.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      const [code] = await once(cli, 'exit');
      expect(code, stderr).toBe(0);
      return stdout.trim();
    };
    await run(['user', 'create', 'watcher', '--role', 'ops']);
    const token = await run(['token', 'create', '--user', 'watcher', '--name', 'build test']);
    const child = spawn(process.execPath, [bundle, 'serve'], { env, cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
      const ready = await fetch(`${base}/readyz`).catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`not ready within 90 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const css = await fetch(`${base}/console/assets/console.css`);
    expect(css.status).toBe(200);
    expect(await css.text()).toContain('{');
    const echarts = await fetch(`${base}/assets/echarts.min.js`);
    expect(echarts.status).toBe(200);
    // The map's shapes come from data/*.geojson.
    const map = await fetch(`${base}/geo/guangxi-cities.json`, { headers: { Authorization: `Bearer ${token}` } });
    expect(map.status).toBe(200);
    expect(((await map.json()) as { features: unknown[] }).features).toHaveLength(14);
  }, 150_000);

  it("starts the demo from this build's template, the demo users signing in", async () => {
    await writeDemoTemplate(buildId, path.join(outDir, 'demo-template'));
    const port = await freePort();
    const env = {
      PATH: process.env.PATH,
      HOME: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      YUNWANG_DATA_DIR: path.join(dataDir, 'demo'),
      YUNWANG_DEMO: '1',
      YUNWANG_DEMO_LIVE: '0',
      YUNWANG_SNAPSHOT_SCHEDULER: '0',
    };
    const child = spawn(process.execPath, [bundle, 'serve'], { env, cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        if (ready?.status === 200) break;
        if (Date.now() > deadline) throw new Error(`not ready within 90 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).toContain("from this build's template");
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'leader', password: 'Demo-Passw0rd!' }),
      });
      expect(login.status, await login.clone().text()).toBe(200);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }, 150_000);
});
