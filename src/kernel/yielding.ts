/**
 * Long passes over an import's rows, and runs of database queries (PGlite executes each one
 * synchronously on this thread), must let other requests in: `/livez` and a sign-in are to be
 * answered within a second while an import runs (issue 14, item 3).
 */

/** Waits for the event loop: setImmediate runs after pending I/O and timers that are due. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A yielder for a loop: call it once per unit of work (a row, a query), and every `sliceMs`
 * of work it waits for the event loop, so a pass holds the thread at most about that long.
 */
export function yieldEvery(sliceMs = 10): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await yieldToEventLoop();
    since = performance.now();
  };
}

/**
 * Runs `fn` over `items` with at most `limit` at once; results in input order. Each step
 * yields to the event loop: the embedded database answers through promise callbacks alone,
 * and without the yield a background freeze would starve every HTTP request until it ends.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
      await yieldToEventLoop();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
