/**
 * Milliseconds on the monotonic clock, as performance.now() gives them (sub-millisecond, not
 * moved by changes to the wall clock), from another origin. Not performance.now(): on Node 24
 * the global `performance` loads perf_hooks and its timing modules on first use, ~0.4 MiB
 * resident in an agent held to half again a bare Node process (bench/INGEST.md).
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}
