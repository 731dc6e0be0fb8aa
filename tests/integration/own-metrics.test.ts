/**
 * yunwang's own health on /metrics, on each backend: process and runtime defaults without the
 * gauges promtool rejects, yunwang_build_info, the database pool gauges moving as connections
 * are taken, and a real background job's success and failure (a table gone) recorded and logged.
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, appMetrics, createApp } from '../../src/app.ts';
import { startIngestJobs } from '../../src/ingest/jobs.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { PROMTOOL, parseExposition, promtoolCheck, requireProgram, type Series, select } from '../helpers/exposition.ts';
import { captureLogs } from '../helpers/logs.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_REVISION: 'abc1234' };
const noPromtool = requireProgram(PROMTOOL, 'apt-get install -y prometheus');

describeEachBackend('own metrics', (getDb) => {
  let app: App;
  const logs = captureLogs('warn');

  const scrape = async (): Promise<{ text: string; series: Series[] }> => {
    const answer = await app.request('/metrics');
    const text = await answer.text();
    expect(answer.status, text).toBe(200);
    return { text, series: parseExposition(text) };
  };
  /** The pool's gauges alone: a whole scrape would queue behind a held embedded connection. */
  const pool = async () => {
    const registry = appMetrics(app).registry;
    const series = parseExposition(
      `${await registry.getSingleMetricAsString('yunwang_db_pool_connections')}\n${await registry.getSingleMetricAsString('yunwang_db_pool_waiting_requests')}`,
    );
    const value = (name: string, labels: Record<string, string> = {}) => select(series, name, labels)[0]?.value;
    return {
      inUse: value('yunwang_db_pool_connections', { state: 'in_use' }),
      idle: value('yunwang_db_pool_connections', { state: 'idle' }),
      waiting: value('yunwang_db_pool_waiting_requests'),
    };
  };

  beforeAll(() => {
    app = createApp({ database: getDb(), config, logger: logs.logger });
  });

  it('exports the process and runtime defaults, without the nodejs_active_*_total gauges, and the build', async () => {
    await scrape(); // so that the next one finds /metrics in the request histogram
    const { series, text } = await scrape();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(select(series, name).length, name).toBeGreaterThan(0);
    }
    expect(text).not.toMatch(/^nodejs_active_\w+_total/m);
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(select(series, 'yunwang_build_info')).toEqual([
      { name: 'yunwang_build_info', labels: { version, revision: 'abc1234', node_version: process.versions.node }, value: 1 },
    ]);
    // The job families, each job labelled; the request histogram by route pattern.
    for (const name of ['yunwang_job_last_success_timestamp_seconds', 'yunwang_job_failures_total', 'yunwang_job_interval_seconds']) {
      expect(new Set(select(series, name).map((s) => s.labels.job))).toContain('notification_delivery');
    }
    expect(new Set(select(series, 'yunwang_http_request_duration_seconds_count').map((s) => s.labels.route))).toContain('/metrics');
  });

  it.skipIf(noPromtool)(`passes promtool check metrics${noPromtool ? ` — skipped: ${noPromtool}` : ''}`, async () => {
    await scrape();
    const check = promtoolCheck((await scrape()).text);
    expect(check?.output).toBe('');
    expect(check?.status).toBe(0);
  });

  it('moves the pool gauges as connections are taken and queries wait', async () => {
    const database = getDb();
    const idle = await pool();
    expect(idle.inUse).toBe(0);
    expect(idle.waiting).toBe(0);
    if (database.kind === 'pglite') expect(idle.idle).toBe(1);

    // Transactions held open until released: on PostgreSQL each takes a pool connection (the
    // test database's pool has 5); on the embedded database the first holds it, the rest queue.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holders = Array.from({ length: 6 }, () =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        await gate;
      }),
    );
    try {
      // PostgreSQL: five connections in use, the sixth transaction waiting; PGlite: one, five queued.
      const expected = database.kind === 'pglite' ? { inUse: 1, idle: 0, waiting: 5 } : { inUse: 5, idle: 0, waiting: 1 };
      const deadline = Date.now() + 10_000;
      let busy = await pool();
      while (Date.now() < deadline && JSON.stringify(busy) !== JSON.stringify(expected)) {
        await new Promise((r) => setTimeout(r, 20));
        busy = await pool();
      }
      expect(busy).toEqual(expected);
    } finally {
      release();
      await Promise.all(holders);
    }
    const after = await pool();
    expect(after.inUse).toBe(0);
    expect(after.waiting).toBe(0);
  });

  it('records a real job’s success, and its failure (logged with the job) when its table is gone', async () => {
    const database = getDb();
    const jobs = startIngestJobs(database.db, { retentionDays: 30, intervalSeconds: 3600, jobs: appMetrics(app).jobs });
    const value = async (name: string) => select((await scrape()).series, name, { job: 'sample_pruning' })[0]?.value;
    try {
      await jobs.runOnce(); // the first pass, started at once
      expect(await value('yunwang_job_last_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
      expect(await value('yunwang_job_interval_seconds')).toBe(3600);
      expect(await value('yunwang_job_failures_total')).toBe(0);
      const succeeded = await value('yunwang_job_last_success_timestamp_seconds');

      await database.db.execute(sql`alter table node_samples rename to node_samples_away`);
      try {
        await jobs.runOnce();
      } finally {
        await database.db.execute(sql`alter table node_samples_away rename to node_samples`);
      }
      expect(await value('yunwang_job_failures_total')).toBe(1);
      expect(await value('yunwang_job_last_success_timestamp_seconds')).toBe(succeeded);
      const failure = logs.records().find((r) => r.job === 'sample_pruning');
      expect(failure).toMatchObject({ level: 'error', job: 'sample_pruning' });
      expect(String((failure?.err as { message?: string } | undefined)?.message)).toContain('node_samples');
    } finally {
      await jobs.stop();
    }
  });
});
