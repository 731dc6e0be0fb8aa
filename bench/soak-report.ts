/**
 * The soak's figures: latency percentiles per route, 5xx inside and outside the restart
 * window, resident memory over time, and the verdict against issue 14's bar.
 */
import type { RequestRecord } from './soak-traffic.ts';

export interface Window {
  startMs: number;
  endMs: number;
}

export interface RssSample {
  atMs: number;
  mib: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** A request touches the window when any part of it ran inside it. */
export const inWindow = (r: RequestRecord, w: Window) => r.endMs >= w.startMs && r.startMs <= w.endMs;

export interface RouteFigures {
  route: string;
  who: string;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  ok: number;
  clientErrors: number;
  serverErrorsInWindow: number;
  serverErrorsOutside: number;
  noAnswerInWindow: number;
  noAnswerOutside: number;
}

/**
 * Latency is over the answered requests outside the restart window (inside it, a request
 * waits for the database by design); errors are counted over all of them.
 */
export function routeFigures(records: RequestRecord[], who: Map<string, string>, window: Window, seconds: number): RouteFigures[] {
  const byRoute = new Map<string, RequestRecord[]>();
  for (const r of records) byRoute.set(r.route, [...(byRoute.get(r.route) ?? []), r]);
  return [...byRoute.entries()].map(([route, rs]) => {
    const steady = rs
      .filter((r) => r.status !== 0 && !inWindow(r, window))
      .map((r) => r.endMs - r.startMs)
      .sort((a, b) => a - b);
    const count = (f: (r: RequestRecord) => boolean) => rs.filter(f).length;
    return {
      route,
      who: who.get(route) ?? '',
      requests: rs.length,
      perSecond: rs.length / seconds,
      p50: percentile(steady, 50),
      p95: percentile(steady, 95),
      p99: percentile(steady, 99),
      max: steady.at(-1) ?? Number.NaN,
      ok: count((r) => r.status >= 200 && r.status < 400),
      clientErrors: count((r) => r.status >= 400 && r.status < 500),
      serverErrorsInWindow: count((r) => r.status >= 500 && inWindow(r, window)),
      serverErrorsOutside: count((r) => r.status >= 500 && !inWindow(r, window)),
      noAnswerInWindow: count((r) => r.status === 0 && inWindow(r, window)),
      noAnswerOutside: count((r) => r.status === 0 && !inWindow(r, window)),
    };
  });
}

export interface RssFigures {
  warmupEndMs: number;
  baselineMiB: number;
  finalMiB: number;
  growth: number;
  minMiB: number;
  maxMiB: number;
  peakAfterWarmupMiB: number;
}

/**
 * Growth after warm-up: the median of the last tenth of the run against the median of
 * the tenth right after warm-up (the first quarter), so a single GC swing does not decide it.
 */
export function rssFigures(samples: RssSample[], durationMs: number): RssFigures {
  const warmupEndMs = durationMs / 4;
  const tenth = durationMs / 10;
  const between = (from: number, to: number) => samples.filter((s) => s.atMs >= from && s.atMs <= to).map((s) => s.mib);
  const baselineMiB = median(between(warmupEndMs, warmupEndMs + tenth));
  const finalMiB = median(between(durationMs - tenth, durationMs));
  const all = samples.map((s) => s.mib);
  return {
    warmupEndMs,
    baselineMiB,
    finalMiB,
    growth: (finalMiB - baselineMiB) / baselineMiB,
    minMiB: Math.min(...all),
    maxMiB: Math.max(...all),
    peakAfterWarmupMiB: Math.max(...between(warmupEndMs, durationMs)),
  };
}

export const ms = (n: number) => (Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function routeTable(figures: RouteFigures[]): string[] {
  const lines = [
    '| route | as | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | 2xx/3xx | 4xx | 5xx in window | 5xx outside | no answer in / outside |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const f of figures) {
    lines.push(
      `| \`${f.route}\` | ${f.who} | ${fmt(f.requests)} | ${f.perSecond.toFixed(2)} | ${ms(f.p50)} | ${ms(f.p95)} | ${ms(f.p99)} | ${ms(f.max)} | ${fmt(f.ok)} | ${fmt(f.clientErrors)} | ${f.serverErrorsInWindow} | ${f.serverErrorsOutside} | ${f.noAnswerInWindow} / ${f.noAnswerOutside} |`,
    );
  }
  return lines;
}

/** The RSS curve as a compact row of (minute, MiB) points, one per sampling bucket. */
export function rssCurve(samples: RssSample[], buckets: number): string {
  if (samples.length === 0) return '';
  const last = samples.at(-1)?.atMs ?? 0;
  const width = last / buckets;
  const points: string[] = [];
  for (let b = 0; b < buckets; b++) {
    const inBucket = samples.filter((s) => s.atMs >= b * width && s.atMs < (b + 1) * width).map((s) => s.mib);
    const at = Math.round((b * width) / 1000);
    if (inBucket.length > 0) points.push(`${Math.floor(at / 60)}:${String(at % 60).padStart(2, '0')} ${Math.round(median(inBucket))}`);
  }
  return points.join(' · ');
}
