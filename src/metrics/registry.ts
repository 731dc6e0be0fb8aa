import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PoolState } from '../db/client.ts';
import { indicatorKeys } from '../indicators/definitions.ts';
import { lastRollupCheck } from '../indicators/rollups/check.ts';
import type { IngestItem } from '../ingest/schemas.ts';
import type { BuildInfo } from '../kernel/build-info.ts';
import { type AlertingMetrics, type AlertingSnapshot, registerAlertingMetrics } from './alerting.ts';
import { registerBusinessGauges } from './business.ts';
import type { JobMonitor } from './jobs.ts';
import { registerRuntimeMetrics } from './runtime.ts';
import type { BusinessSnapshot } from './sources.ts';
import { registerWorkOrderMetrics, type WorkOrdersSnapshot } from './work-orders.ts';

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
  /** Likewise: the indicator, cloud, node and agent gauges. */
  business?(): Promise<BusinessSnapshot>;
  /** Likewise: open alerts and the notification queue (src/metrics/alerting.ts). */
  alerting?(): Promise<AlertingSnapshot>;
  /** Likewise: work orders by state and priority, and breaches (src/metrics/work-orders.ts). */
  workOrders?(): Promise<WorkOrdersSnapshot>;
}

/** Outcome of one agent batch at POST /api/v1/ingest/batches. */
export const ingestResults = ['accepted', 'duplicate', 'rejected', 'throttled'] as const;
export type IngestResult = (typeof ingestResults)[number];
/** The item kinds of a batch (src/ingest/schemas.ts); one missing here fails the typecheck, not the count. */
const everyItemKind = { node_sample: true, tenant: true, workload_seen: true, exchange_volume: true } satisfies Record<
  IngestItem['kind'],
  true
>;
export const ingestItemKinds = Object.keys(everyItemKind) as IngestItem['kind'][];

export interface IngestMetrics {
  batch(result: IngestResult): void;
  items(kind: string, result: IngestResult, count: number): void;
}

/** yunwang's own health: what it runs, its database pool, its background jobs. */
export interface OwnHealth {
  build: BuildInfo;
  pool?: () => PoolState;
  /** Made on the same registry before the sources (their refreshes are a job). */
  jobs: JobMonitor;
}

export interface AppMetrics {
  registry: Registry;
  ingest: IngestMetrics;
  alerting: AlertingMetrics;
  /** The server's background jobs run through this (src/metrics/jobs.ts). */
  jobs: JobMonitor;
  /** Records one answered HTTP request; `route` must be a route pattern, never a raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

// Label values come from allow-lists only, never free text.
const allowedIndicators: ReadonlySet<string> = new Set(indicatorKeys);
const regionCode = /^\d{6}$/;
const allowed = (s: TargetSample) => allowedIndicators.has(s.indicator) && regionCode.test(s.region);
const httpMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * yunwang's one Prometheus registry and every metric on it (the table is in README.md, "Prometheus & Grafana"):
 * the business gauges, ingest and request metrics, and its own health (process and Node
 * runtime, build, database pool, background jobs).
 */
export function createMetricsRegistry(registry: Registry, sources: MetricsSources, own: OwnHealth): AppMetrics {
  registerRuntimeMetrics(registry, { build: own.build, pool: own.pool });
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
  if (sources.business) registerBusinessGauges(registry, sources.business);
  new Gauge({
    name: 'yunwang_rollup_mismatches',
    help: 'Rows where the indicator rollups and a recount from the items disagreed at the last check (after start-up); 0 is healthy, repair with yunwang rollups rebuild.',
    registers: [registry],
    collect() {
      this.reset();
      const check = lastRollupCheck();
      if (check) this.set(check.mismatches);
    },
  });

  const batches = new Counter({
    name: 'yunwang_ingest_batches_total',
    help: 'Agent batches received at POST /api/v1/ingest/batches, by result.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const items = new Counter({
    name: 'yunwang_ingest_items_total',
    help: 'Items of the agent batches that could be read, by item kind and batch result.',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  // Pre-initialised: rate() and alerts see a 0, not a missing series, before the first error.
  for (const result of ingestResults) {
    batches.inc({ result }, 0);
    for (const kind of ingestItemKinds) items.inc({ kind, result }, 0);
  }
  const itemKinds: ReadonlySet<string> = new Set(ingestItemKinds);

  const alerting = registerAlertingMetrics(registry, sources.alerting);
  registerWorkOrderMetrics(registry, sources.workOrders);

  const requests = new Histogram({
    name: 'yunwang_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  return {
    registry,
    ingest: {
      batch: (result) => batches.inc({ result }),
      items: (kind, result, count) => {
        if (itemKinds.has(kind) && count > 0) items.inc({ kind, result }, count);
      },
    },
    alerting,
    jobs: own.jobs,
    observeRequest: (method, route, status, seconds) =>
      requests.observe({ method: httpMethods.has(method) ? method : 'OTHER', route, status: String(status) }, seconds),
  };
}
