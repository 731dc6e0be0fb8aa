/** The refresh behind /metrics' business gauges: a reader waits only for the very first value. */
import { describe, expect, it } from 'vitest';
import { refreshedEvery } from '../../src/metrics/ttl.ts';

describe('refreshedEvery', () => {
  it('computes once, serves it within the interval, then serves it once more while refreshing behind', async () => {
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
      () => clock,
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

  it('keeps the last value when a refresh fails, and tries again on the next read', async () => {
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
      () => clock,
    );
    expect(await read()).toBe(1);
    fail = true;
    clock = 1000;
    expect(await read()).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(await read()).toBe(1);
    expect(calls).toBe(3);
    fail = false;
    await new Promise((r) => setImmediate(r));
    expect(await read()).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(await read()).toBe(4);
  });
});
