/**
 * `yunwang serve` as operators run it, stdout a pipe: JSON log lines (start-up messages, one
 * access line per request), and on /metrics every background job the server started, with its
 * interval and a last success, beside yunwang_build_info. Then SIGTERM drains and logs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, serverTarget } from '../helpers/api.ts';
import { parseExposition, select } from '../helpers/exposition.ts';
import { freePort } from '../helpers/ports.ts';

const cli = fileURLToPath(new URL('../../bin/yunwang.mjs', import.meta.url));

describe('yunwang serve: structured logs and job metrics', () => {
  let dir: string;
  let client: ApiClient;
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  const records = () =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-serve-logs-'));
    const port = await freePort();
    client = apiClient(serverTarget(`http://127.0.0.1:${port}`));
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      HOST: '127.0.0.1',
      PORT: String(port),
      YUNWANG_DATA_DIR: path.join(dir, 'data'),
      YUNWANG_DEMO: '0',
      YUNWANG_ROLLUP_CHECK: '0',
      YUNWANG_REVISION: 'e2e0001',
      LOG_LEVEL: 'info',
    };
    child = spawn(process.execPath, [cli, 'serve'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${stdout}${stderr}`);
      if ((await client.get('/readyz').catch(() => undefined))?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the server did not become ready within 90 s:\n${stdout}${stderr}`);
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('logs JSON lines on stdout, one access line per request', async () => {
    expect((await client.get('/livez', { headers: { 'X-Request-Id': 'e2e-livez' } })).status).toBe(200);
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 40 && !line; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      line = records().find((r) => r.request_id === 'e2e-livez');
    }
    expect(line).toMatchObject({ level: 'info', msg: 'request', method: 'GET', route: '/livez', status: 200 });
    const messages = records().map((r) => r.msg);
    expect(messages).toContain('ready');
    expect(messages.some((m) => String(m).startsWith('yunwang listening on'))).toBe(true);
    // Every line is one JSON object with a level name and an ISO time.
    for (const record of records()) {
      expect(typeof record.level).toBe('string');
      expect(String(record.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
  });

  it('exports every job the server runs, with its interval and a last success', async () => {
    const scrape = async () => parseExposition((await client.get('/metrics')).text);
    // The jobs' first passes start at ready; the metrics refresh with the first scrape.
    const started = [
      'sample_pruning',
      'session_pruning',
      'document_pruning',
      'alert_evaluation',
      'sla_watch',
      'notification_delivery',
      'metrics_refresh',
      'snapshot_freeze',
    ];
    let series = await scrape();
    const succeeded = (job: string) => (select(series, 'yunwang_job_last_success_timestamp_seconds', { job })[0]?.value ?? 0) > 0;
    for (let i = 0; i < 60 && !started.every(succeeded); i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      series = await scrape();
    }
    for (const job of started) {
      expect(succeeded(job), job).toBe(true);
      expect(select(series, 'yunwang_job_interval_seconds', { job })[0]?.value, job).toBeGreaterThan(0);
      expect(select(series, 'yunwang_job_failures_total', { job })[0]?.value, job).toBe(0);
    }
    expect(select(series, 'yunwang_job_interval_seconds', { job: 'notification_delivery' })[0]?.value).toBe(2);
    expect(select(series, 'yunwang_build_info')[0]?.labels).toMatchObject({ revision: 'e2e0001', node_version: process.versions.node });
    expect(select(series, 'yunwang_db_pool_connections', { state: 'idle' }).length).toBe(1);
  });

  it('logs the drain on SIGTERM and exits 0', async () => {
    const running = child as ChildProcess;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(records().map((r) => r.msg)).toContain('SIGTERM: draining connections');
  }, 30_000);
});
