/** The refresh behind /metrics' business gauges: a reader waits only for the very first value. */

import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerJobMetrics } from '../../src/metrics/jobs.ts';
import { refreshedEvery } from '../../src/metrics/ttl.ts';
import { parseExposition, select } from '../helpers/exposition.ts';
import { captureLogs } from '../helpers/logs.ts';

describe('refreshedEvery', () => {
  it('computes once, serves it within the interval, then serves it once more while refreshing behind', async () => {
    const jobs = registerJobMetrics(new Registry(), captureLogs().logger);
    let clock = 0;
    let computed = 0;
    let release: (() => void) | undefined;
    const read = refreshedEvery(
      30_000,
      () =>
        new Promise<number>((resolve) => {
          computed++;
          release = () => resolve(computed);
        }),
      { now: () => clock, jobs },
    );
    const first = Promise.all([read(), read()]);
    release?.();
    expect(await first).toEqual([1, 1]);
    expect(computed).toBe(1);

    clock = 29_999;
    expect(await read()).toBe(1);
    expect(computed).toBe(1);

    clock = 30_000;
    expect(await read()).toBe(1); // the old value, at once
    expect(await read()).toBe(1); // the refresh under way is not started twice
    expect(computed).toBe(2);
    release?.();
    await new Promise((r) => setImmediate(r));
    expect(await read()).toBe(2);
  });

  it('keeps the last value when a refresh fails, and tries again on the next read; each failure is logged and counted', async () => {
    const registry = new Registry();
    const logs = captureLogs();
    const jobs = registerJobMetrics(registry, logs.logger);
    let clock = 0;
    let fail = false;
    let calls = 0;
    const read = refreshedEvery(
      1000,
      async () => {
        calls++;
        if (fail) throw new Error('database down');
        return calls;
      },
      { now: () => clock, jobs },
    );
    expect(await read()).toBe(1);
    fail = true;
    clock = 1000;
    expect(await read()).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(await read()).toBe(1);
    expect(calls).toBe(3);
    // The two failed refreshes behind the reads: logged with the error, counted, not thrown at a reader.
    const failures = logs.records().filter((r) => r.job === 'metrics_refresh' && r.level === 'error');
    expect(failures).toHaveLength(2);
    expect((failures[0]?.err as { message?: string } | undefined)?.message).toBe('database down');
    const series = parseExposition(await registry.metrics());
    expect(select(series, 'yunwang_job_failures_total', { job: 'metrics_refresh' })[0]?.value).toBe(2);
    expect(select(series, 'yunwang_job_interval_seconds', { job: 'metrics_refresh' })[0]?.value).toBe(1);
    fail = false;
    await new Promise((r) => setImmediate(r));
    expect(await read()).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(await read()).toBe(4);
  });
});
