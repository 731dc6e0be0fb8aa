/** The one wrapper every background job runs through (src/metrics/jobs.ts), on a real registry. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { jobNames, registerJobMetrics, startMonitoredJob } from '../../src/metrics/jobs.ts';
import { parseExposition, promtoolCheck, select } from '../helpers/exposition.ts';
import { captureLogs } from '../helpers/logs.ts';

const read = async (registry: Registry, name: string, job: string) =>
  select(parseExposition(await registry.metrics()), name, { job })[0]?.value;

describe('job monitor', () => {
  it('exports every job from the start: no success yet, no failure, not scheduled', async () => {
    const registry = new Registry();
    registerJobMetrics(registry, captureLogs().logger);
    const series = parseExposition(await registry.metrics());
    for (const name of ['yunwang_job_last_success_timestamp_seconds', 'yunwang_job_failures_total', 'yunwang_job_interval_seconds']) {
      expect(
        select(series, name)
          .map((s) => s.labels.job)
          .sort(),
      ).toEqual([...jobNames].sort());
      expect(select(series, name).every((s) => s.value === 0)).toBe(true);
    }
  });

  it('sets the last-success time and observes the duration on success', async () => {
    const registry = new Registry();
    const logs = captureLogs();
    const jobs = registerJobMetrics(registry, logs.logger);
    const before = Date.now() / 1000;
    expect(await jobs.run('sample_pruning', async () => 42)).toBe(42);
    expect(await read(registry, 'yunwang_job_last_success_timestamp_seconds', 'sample_pruning')).toBeGreaterThanOrEqual(Math.floor(before));
    expect(await read(registry, 'yunwang_job_duration_seconds_count', 'sample_pruning')).toBe(1);
    expect(await read(registry, 'yunwang_job_failures_total', 'sample_pruning')).toBe(0);
    expect(logs.lines).toEqual([]);
  });

  it('counts, logs and rethrows a failure, leaving the last-success time as it was', async () => {
    const registry = new Registry();
    const logs = captureLogs();
    const jobs = registerJobMetrics(registry, logs.logger);
    await expect(jobs.run('alert_evaluation', () => Promise.reject(new Error('database restarting')))).rejects.toThrow(
      'database restarting',
    );
    expect(await read(registry, 'yunwang_job_failures_total', 'alert_evaluation')).toBe(1);
    expect(await read(registry, 'yunwang_job_duration_seconds_count', 'alert_evaluation')).toBe(1);
    expect(await read(registry, 'yunwang_job_last_success_timestamp_seconds', 'alert_evaluation')).toBe(0);
    const [line] = logs.records();
    expect(line).toMatchObject({ level: 'error', job: 'alert_evaluation', err: { type: 'Error', message: 'database restarting' } });
  });

  it('runs a periodic job through the monitor: interval exported, a failed pass resolves to the fallback and the next succeeds', async () => {
    const registry = new Registry();
    const logs = captureLogs();
    const jobs = registerJobMetrics(registry, logs.logger);
    let calls = 0;
    const job = startMonitoredJob(
      jobs,
      'sla_watch',
      3600,
      async () => {
        calls++;
        if (calls === 1) throw new Error('first pass fails');
        return 'done';
      },
      'failed',
    );
    try {
      expect(await job.runOnce()).toBe('failed'); // the first pass, started at once
      expect(await job.runOnce()).toBe('done');
    } finally {
      await job.stop();
    }
    expect(await read(registry, 'yunwang_job_interval_seconds', 'sla_watch')).toBe(3600);
    expect(await read(registry, 'yunwang_job_failures_total', 'sla_watch')).toBe(1);
    expect(await read(registry, 'yunwang_job_last_success_timestamp_seconds', 'sla_watch')).toBeGreaterThan(0);
    expect(logs.records().map((r) => [r.level, r.job])).toEqual([['error', 'sla_watch']]);
    const check = promtoolCheck(await registry.metrics());
    if (check) expect(check.output).toBe('');
  });
});
