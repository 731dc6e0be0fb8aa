/**
 * Calls `run(0)` … `run(count - 1)` with at most `concurrency` in flight, in that order;
 * resolves when all are done. Nothing per task is allocated up front, so a round of
 * thousands of probes costs no array of closures.
 */
export async function forEachPooled(count: number, concurrency: number, run: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await run(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
}

/**
 * Runs tasks with at most `concurrency` in flight, in the order given; resolves when all
 * are done. Results keep the tasks' order.
 */
export async function runPool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  await forEachPooled(tasks.length, concurrency, async (i) => {
    results[i] = await (tasks[i] as () => Promise<T>)();
  });
  return results;
}
