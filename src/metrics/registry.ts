import { Gauge, Registry } from 'prom-client';
import { indicatorKeys } from '../indicators/definitions.ts';

/** One target-gauge sample: an indicator of the province or a city. */
export interface TargetSample {
  indicator: string;
  /** A province or city division code. */
  region: string;
  /** The target in force today, 0–1. */
  target: number;
  /** target − actual, 0–1: positive = behind; absent when the figure has no denominator. */
  gap: number | null;
}

export interface MetricsSources {
  /** Served from a short-lived cache: a scrape must not rescan the registry. */
  targetSamples(): Promise<TargetSample[]>;
}

// Label values come from allow-lists only, never ids or free text.
const allowedIndicators: ReadonlySet<string> = new Set(indicatorKeys);
const regionCode = /^\d{6}$/;
const allowed = (s: TargetSample) => allowedIndicators.has(s.indicator) && regionCode.test(s.region);

/**
 * yunwang's one Prometheus registry and every metric on it. No default process metrics:
 * prom-client's fail `promtool check metrics`.
 */
export function createMetricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'yunwang_target_ratio',
    help: 'Target in force today for an indicator (0-1), for the province and each city.',
    labelNames: ['indicator', 'region'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of (await sources.targetSamples()).filter(allowed)) this.set({ indicator: s.indicator, region: s.region }, s.target);
    },
  });
  new Gauge({
    name: 'yunwang_target_gap_ratio',
    help: 'Target in force today minus the actual ratio (0-1); positive means behind the trajectory.',
    labelNames: ['indicator', 'region'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of (await sources.targetSamples()).filter(allowed)) {
        if (s.gap !== null) this.set({ indicator: s.indicator, region: s.region }, s.gap);
      }
    },
  });
  return registry;
}
