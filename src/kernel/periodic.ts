export interface PeriodicJob<T, A extends unknown[]> {
  /** One pass now, or the pass already running (tests, and the first pass at start). */
  runOnce(...args: A): Promise<T>;
  /** No more passes; resolves once the pass in hand is over. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` now and then every interval, never two at once: a pass still running when the
 * next is due is not doubled. `pass` handles its own errors (a database restarting must not
 * end the job). The timer does not keep the process alive.
 */
export function startPeriodic<T, A extends unknown[]>(intervalMs: number, pass: (...args: A) => Promise<T>): PeriodicJob<T, A> {
  let running: Promise<T> | undefined;
  let stopped = false;
  const runOnce = (...args: A) => {
    running ??= pass(...args).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runOnce(...([] as unknown as A));
  }, intervalMs);
  timer.unref();
  void runOnce(...([] as unknown as A));
  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
