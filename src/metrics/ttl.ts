/**
 * A value recomputed at most once per `ttlMs`, and at most once at a time, that a reader never
 * waits for after the first computation: once it is older than `ttlMs`, the reader gets the
 * value it has and a refresh starts behind it (stale-while-revalidate). So a scrape costs the
 * registry nothing even right after a write; the gauges are at most one interval (plus the
 * refresh) old. A failed refresh keeps the old value and is tried again by the next reader.
 */
export function refreshedEvery<T>(ttlMs: number, compute: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let cached: { at: number; value: T } | null = null;
  let inFlight: Promise<T> | null = null;
  const refresh = () => {
    const started = now();
    inFlight ??= compute()
      .then((value) => {
        cached = { at: started, value };
        return value;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  return () => {
    if (!cached) return refresh();
    if (now() - cached.at >= ttlMs) refresh().catch(() => {});
    return Promise.resolve(cached.value);
  };
}
