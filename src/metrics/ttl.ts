/**
 * A value computed at most once per `ttlMs`, and at most once at a time: scrapes that arrive
 * while it is being computed wait for that computation instead of starting their own.
 */
export function cachedFor<T>(ttlMs: number, compute: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let cached: { at: number; value: T } | null = null;
  let inFlight: Promise<T> | null = null;
  return () => {
    const t = now();
    if (cached && t - cached.at < ttlMs) return Promise.resolve(cached.value);
    inFlight ??= compute()
      .then((value) => {
        cached = { at: t, value };
        return value;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
}
