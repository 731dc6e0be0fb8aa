import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  agentKinds,
  alertRuleKeys,
  alertSeverities,
  type ChannelKind,
  channelKinds,
  nodeLiveStates,
  nodeTiers,
} from '../db/schema/enums.ts';
import { indicatorKeys } from '../indicators/definitions.ts';
import { classificationLabels } from '../vocabulary/records.ts';
import { type AlertingSnapshot, openAlertStates } from './alerting.ts';
import { type BusinessSnapshot, cloudResources } from './sources.ts';
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
/** The item kinds of a batch (src/ingest/schemas.ts). */
export const ingestItemKinds = ['node_sample', 'tenant', 'workload_seen'] as const;

export interface IngestMetrics {
  batch(result: IngestResult): void;
  items(kind: string, result: IngestResult, count: number): void;
}

/** What happened to one notification delivery attempt; `dead` = given up after the last attempt. */
export const notificationOutcomes = ['sent', 'failed', 'dead'] as const;
export type NotificationOutcome = (typeof notificationOutcomes)[number];

/** Called by the alert engine and the notification deliverer. */
export interface AlertingMetrics {
  notification(kind: ChannelKind, outcome: NotificationOutcome): void;
  /** One evaluation of every rule, in seconds. */
  evaluation(seconds: number): void;
}

export interface AppMetrics {
  registry: Registry;
  ingest: IngestMetrics;
  alerting: AlertingMetrics;
  /** Records one answered HTTP request; `route` must be a route pattern, never a raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

// Label values come from allow-lists only, never free text.
const allowedIndicators: ReadonlySet<string> = new Set(indicatorKeys);
const regionCode = /^\d{6}$/;
const allowed = (s: TargetSample) => allowedIndicators.has(s.indicator) && regionCode.test(s.region);
const httpMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * yunwang's one Prometheus registry and every metric on it (the table is in README.md, "Prometheus & Grafana").
 * No default process metrics: prom-client's fail `promtool check metrics`.
 */
export function createMetricsRegistry(sources: MetricsSources): AppMetrics {
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
  if (sources.business) registerBusinessGauges(registry, sources.business);

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
    observeRequest: (method, route, status, seconds) =>
      requests.observe({ method: httpMethods.has(method) ? method : 'OTHER', route, status: String(status) }, seconds),
  };
}

function registerBusinessGauges(registry: Registry, snapshot: () => Promise<BusinessSnapshot>) {
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (set: (labels: Record<L, string>, value: number) => void, s: BusinessSnapshot) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        fill((labels, value) => this.set(labels, value), s);
      },
    });

  gauge(
    'yunwang_region_info',
    'The province and its cities: division code and name, always 1 (join on region).',
    ['region', 'name'],
    (set, s) => {
      for (const r of s.regions) set({ region: r.code, name: r.name }, 1);
    },
  );
  for (const [name, pick, what] of [
    ['yunwang_indicator_numerator', 'numerator', 'Items done of'],
    ['yunwang_indicator_denominator', 'denominator', 'Items counted by'],
  ] as const) {
    gauge(
      name,
      `${what} an official indicator, per city (450000: the province-level departments) and department level.`,
      ['indicator', 'region', 'level'],
      (set, s) => {
        for (const i of s.indicators) set({ indicator: i.indicator, region: i.region, level: i.level }, i[pick]);
      },
    );
  }
  gauge(
    'yunwang_indicator_ratio',
    'Numerator over denominator of an official indicator per region (0-1); absent when nothing is counted.',
    ['indicator', 'region'],
    (set, s) => {
      for (const r of s.ratios) set({ indicator: r.indicator, region: r.region }, r.ratio);
    },
  );
  gauge(
    'yunwang_pending_items',
    `Items awaiting classification (${classificationLabels.pending.zh}), in no denominator, per city (450000: the province-level departments).`,
    ['kind', 'region'],
    (set, s) => {
      for (const p of s.pending) set({ kind: p.kind, region: p.region }, p.count);
    },
  );
  gauge(
    'yunwang_cloud_info',
    'The government clouds: code and kind (provincial, industry, city), always 1.',
    ['cloud', 'kind'],
    (set, s) => {
      for (const c of s.clouds) set({ cloud: c.cloud, kind: c.kind }, 1);
    },
  );
  gauge('yunwang_cloud_tenants', 'Tenants (departments’ projects or namespaces) on each cloud.', ['cloud'], (set, s) => {
    for (const c of s.clouds) set({ cloud: c.cloud }, c.tenants);
  });
  for (const [name, pick, what] of [
    ['yunwang_cloud_quota', 'quota', 'Quota granted to the tenants'],
    ['yunwang_cloud_usage', 'usage', 'Resources used by the tenants'],
    ['yunwang_cloud_capacity', 'capacity', 'Capacity registered for the cloud'],
  ] as const) {
    gauge(name, `${what} of each cloud: vcpu in cores, memory_bytes and storage_bytes in bytes.`, ['cloud', 'resource'], (set, s) => {
      for (const c of s.clouds) for (const resource of cloudResources) set({ cloud: c.cloud, resource }, c[pick][resource]);
    });
  }
  gauge(
    'yunwang_network_nodes',
    'Commissioned extranet nodes per city (450000: the province’s own), tier and live state.',
    ['region', 'tier', 'state'],
    (set, s) => {
      // Every combination, zeros included: "nodes down" reads 0, not no data.
      const counts = new Map(s.nodeCounts.map((c) => [`${c.region}|${c.tier}|${c.state}`, c.count]));
      for (const r of s.regions)
        for (const tier of nodeTiers)
          for (const state of nodeLiveStates) set({ region: r.code, tier, state }, counts.get(`${r.code}|${tier}|${state}`) ?? 0);
    },
  );
  gauge(
    'yunwang_network_node_up',
    'Backbone and province- or city-level node reachable (1) or down or silent (0), from its latest probe.',
    ['node', 'region', 'tier'],
    (set, s) => {
      for (const n of s.nodes) set({ node: n.node, region: n.region, tier: n.tier }, n.up ? 1 : 0);
    },
  );
  gauge(
    'yunwang_network_node_latency_seconds',
    'Latest probe latency of the backbone and province- or city-level nodes that are up.',
    ['node', 'region', 'tier'],
    (set, s) => {
      for (const n of s.nodes) if (n.latencySeconds !== null) set({ node: n.node, region: n.region, tier: n.tier }, n.latencySeconds);
    },
  );
  const kinds: ReadonlySet<string> = new Set(agentKinds);
  gauge(
    'yunwang_agent_last_seen_timestamp_seconds',
    'When each agent (token not revoked) last delivered a batch, in Unix seconds.',
    ['agent', 'kind'],
    (set, s) => {
      for (const a of s.agents) if (kinds.has(a.kind)) set({ agent: a.agent, kind: a.kind }, a.lastSeenSeconds);
    },
  );
  gauge(
    'yunwang_agent_interval_seconds',
    'The push interval each agent declared in its last batch; silent for 3 times this means stale.',
    ['agent', 'kind'],
    (set, s) => {
      for (const a of s.agents)
        if (kinds.has(a.kind) && a.intervalSeconds !== null) set({ agent: a.agent, kind: a.kind }, a.intervalSeconds);
    },
  );
}

function registerAlertingMetrics(registry: Registry, snapshot?: () => Promise<AlertingSnapshot>): AlertingMetrics {
  const rules: ReadonlySet<string> = new Set(alertRuleKeys);
  const severities: ReadonlySet<string> = new Set(alertSeverities);
  new Gauge({
    name: 'yunwang_alerts',
    help: 'Open alerts by rule, severity and state (firing or acknowledged); every combination exported, zeros included.',
    labelNames: ['rule', 'severity', 'state'] as const,
    registers: [registry],
    async collect() {
      const s = snapshot ? await snapshot() : { alerts: [] };
      const counts = new Map(s.alerts.map((a) => [`${a.rule}|${a.severity}|${a.state}`, a.count]));
      this.reset();
      // Every series from the start: "critical alerts firing" reads 0, not no data.
      for (const rule of rules)
        for (const severity of severities)
          for (const state of openAlertStates) this.set({ rule, severity, state }, counts.get(`${rule}|${severity}|${state}`) ?? 0);
    },
  });
  new Gauge({
    name: 'yunwang_notification_queue_depth',
    help: 'Notifications waiting for delivery: queued, or failed and waiting for a retry.',
    registers: [registry],
    async collect() {
      this.set(snapshot ? (await snapshot()).queueDepth : 0);
    },
  });
  const notifications = new Counter({
    name: 'yunwang_notifications_total',
    help: 'Notification delivery attempts by channel kind and outcome (sent, failed and to be retried, dead).',
    labelNames: ['channel_kind', 'outcome'] as const,
    registers: [registry],
  });
  for (const channel_kind of channelKinds) for (const outcome of notificationOutcomes) notifications.inc({ channel_kind, outcome }, 0);
  const evaluations = new Histogram({
    name: 'yunwang_alert_evaluation_duration_seconds',
    help: 'Time one evaluation of every alert rule took.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const kinds: ReadonlySet<string> = new Set(channelKinds);
  const outcomes: ReadonlySet<string> = new Set(notificationOutcomes);
  return {
    notification: (kind, outcome) => {
      if (kinds.has(kind) && outcomes.has(outcome)) notifications.inc({ channel_kind: kind, outcome });
    },
    evaluation: (seconds) => {
      if (Number.isFinite(seconds) && seconds >= 0) evaluations.observe(seconds);
    },
  };
}
