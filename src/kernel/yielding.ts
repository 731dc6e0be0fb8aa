/**
 * Work that holds this thread — passes over an import's rows, runs of embedded-database
 * statements (PGlite executes each synchronously here), a month's freeze — goes in turns: a
 * slice of a few milliseconds, then the event loop runs (sockets, timers) before the next, so
 * `/livez` and a sign-in are answered while it goes on (issue 14, item 3; issue 19, item 4).
 * Tasks waiting for a turn get one each, first come first served, one per loop iteration:
 * otherwise several jobs yielding at once would run their slices back to back in the same
 * iteration, and a request arriving meanwhile would wait for them all.
 */
/**
 * How long a turn holds the thread before the next task (or the next loop pass) gets it. Short,
 * because a request arriving meanwhile waits for the turn in hand plus whatever statement it
 * ends on: with 5 ms turns, /livez's p99 under 20 connections was 21–23 ms in the first
 * seconds after ready; with 2 ms, 15–21 ms (median 17, bench/STARTUP.md), and the demo's
 * freeze takes as long (20–21 s).
 */
export const turnMs = 2;

const waiting: (() => void)[] = [];
let pumping = false;
let turnStarted = performance.now();

function nextTurn(): void {
  turnStarted = performance.now();
  waiting.shift()?.();
  // Set during the check phase, this immediate runs in the next iteration: after its I/O.
  if (waiting.length > 0) setImmediate(nextTurn);
  else pumping = false;
}

/** Waits for a turn: after the event loop has run, and after the tasks already waiting. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (pumping) return;
    pumping = true;
    setImmediate(nextTurn);
  });
}

/** Whether the task running has held the thread for `ms` since its turn began. */
export const turnHeld = (ms: number): boolean => performance.now() - turnStarted >= ms;

/**
 * A yielder for a loop: call it once per unit of work (a row, a query), and once its turn has
 * held the thread for `sliceMs` it waits for the next, so a pass holds the thread at most
 * about that long.
 */
export function yieldEvery(sliceMs = turnMs): () => Promise<void> {
  return async () => {
    if (turnHeld(sliceMs)) await yieldToEventLoop();
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
