import { Gauge, type Registry } from 'prom-client';
import { agentKinds, nodeLiveStates, nodeTiers } from '../db/schema/enums.ts';
import { classificationLabels } from '../vocabulary/records.ts';
import { type BusinessSnapshot, cloudResources } from './sources.ts';

/** One sample of a gauge: its labels and its value. */
type Sample<L extends string> = [labels: Record<L, string>, value: number];

/**
 * The business gauges: regions, indicators, clouds, nodes and agents, each read from one
 * snapshot (src/metrics/sources.ts) that a scrape reuses while it is fresh.
 */
export function registerBusinessGauges(registry: Registry, snapshot: () => Promise<BusinessSnapshot>): void {
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    samples: (s: BusinessSnapshot) => readonly Sample<L>[],
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        for (const [labels, value] of samples(s)) this.set(labels, value);
      },
    });

  gauge('yunwang_region_info', 'The province and its cities: division code and name, always 1 (join on region).', ['region', 'name'], (s) =>
    s.regions.map((r) => [{ region: r.code, name: r.name }, 1]),
  );
  for (const [name, pick, what] of [
    ['yunwang_indicator_numerator', 'numerator', 'Items done of'],
    ['yunwang_indicator_denominator', 'denominator', 'Items counted by'],
  ] as const) {
    gauge(
      name,
      `${what} an official indicator, per city (450000: the province-level departments) and department level.`,
      ['indicator', 'region', 'level'],
      (s) => s.indicators.map((i) => [{ indicator: i.indicator, region: i.region, level: i.level }, i[pick]]),
    );
  }
  gauge(
    'yunwang_indicator_ratio',
    'Numerator over denominator of an official indicator per region (0-1); absent when nothing is counted.',
    ['indicator', 'region'],
    (s) => s.ratios.map((r) => [{ indicator: r.indicator, region: r.region }, r.ratio]),
  );
  gauge(
    'yunwang_pending_items',
    `Items awaiting classification (${classificationLabels.pending.zh}), in no denominator, per city (450000: the province-level departments).`,
    ['kind', 'region'],
    (s) => s.pending.map((p) => [{ kind: p.kind, region: p.region }, p.count]),
  );
  gauge('yunwang_cloud_info', 'The government clouds: code and kind (provincial, industry, city), always 1.', ['cloud', 'kind'], (s) =>
    s.clouds.map((c) => [{ cloud: c.cloud, kind: c.kind }, 1]),
  );
  gauge('yunwang_cloud_tenants', 'Tenants (departments’ projects or namespaces) on each cloud.', ['cloud'], (s) =>
    s.clouds.map((c) => [{ cloud: c.cloud }, c.tenants]),
  );
  // One unit per metric name: yunwang_cloud_{quota,usage,capacity}_{vcpu,memory_bytes,storage_bytes}.
  const units: Record<(typeof cloudResources)[number], string> = {
    vcpu: 'vCPUs (cores)',
    memory_bytes: 'memory in bytes',
    storage_bytes: 'storage in bytes',
  };
  for (const [pick, what] of [
    ['quota', 'Quota granted to the tenants'],
    ['usage', 'Resources used by the tenants'],
    ['capacity', 'Capacity registered for the cloud'],
  ] as const) {
    for (const resource of cloudResources) {
      gauge(`yunwang_cloud_${pick}_${resource}`, `${what} of each cloud: ${units[resource]}.`, ['cloud'], (s) =>
        s.clouds.map((c) => [{ cloud: c.cloud }, c[pick][resource]]),
      );
    }
  }
  gauge(
    'yunwang_network_nodes',
    'Commissioned extranet nodes per city (450000: the province’s own), tier and live state.',
    ['region', 'tier', 'state'],
    (s) => {
      // Every combination, zeros included: "nodes down" reads 0, not no data.
      const counts = new Map(s.nodeCounts.map((c) => [`${c.region}|${c.tier}|${c.state}`, c.count]));
      return s.regions.flatMap((r) =>
        nodeTiers.flatMap((tier) =>
          nodeLiveStates.map(
            (state): Sample<'region' | 'tier' | 'state'> => [
              { region: r.code, tier, state },
              counts.get(`${r.code}|${tier}|${state}`) ?? 0,
            ],
          ),
        ),
      );
    },
  );
  gauge(
    'yunwang_network_node_up',
    'Backbone and province- or city-level node reachable (1) or down or silent (0), from its latest probe.',
    ['node', 'region', 'tier'],
    (s) => s.nodes.map((n) => [{ node: n.node, region: n.region, tier: n.tier }, n.up ? 1 : 0]),
  );
  gauge(
    'yunwang_network_node_latency_seconds',
    'Latest probe latency of the backbone and province- or city-level nodes that are up.',
    ['node', 'region', 'tier'],
    (s) =>
      s.nodes.flatMap((n) => (n.latencySeconds === null ? [] : [[{ node: n.node, region: n.region, tier: n.tier }, n.latencySeconds]])),
  );
  // 互联互通, per city (450000: the province-level departments); cumulative from the first count to today.
  const perRegion = (name: string, help: string, pick: (i: BusinessSnapshot['interconnection'][number]) => number) =>
    gauge(name, help, ['region'], (s) => s.interconnection.map((i) => [{ region: i.region }, pick(i)]));
  perRegion(
    'yunwang_interface_services',
    'Interface services (接口服务) published today whose provider system is in the region (450000: province-level departments).',
    (i) => i.services,
  );
  perRegion(
    'yunwang_interconnection_systems_served',
    'Systems consuming at least one of the region’s published interface services today (a system may count in several regions).',
    (i) => i.systemsServed,
  );
  perRegion(
    'yunwang_interconnection_connected_units',
    'Departments (接入单位) owning a provider or a consumer system of the region’s published interface services today.',
    (i) => i.connectedUnits,
  );
  perRegion(
    'yunwang_exchange_volume',
    'Exchanges (信息交换量) of the region’s published interface services, summed from the first daily count to today.',
    (i) => i.volume,
  );
  perRegion(
    'yunwang_exchange_volume_daily_average',
    'Exchanges of the region’s published interface services per day, from the first daily count to today.',
    (i) => i.dailyAverage,
  );
  const kinds: ReadonlySet<string> = new Set(agentKinds);
  const known = (s: BusinessSnapshot) => s.agents.filter((a) => kinds.has(a.kind));
  gauge(
    'yunwang_agent_last_seen_timestamp_seconds',
    'When each agent (token not revoked) last delivered a batch, in Unix seconds.',
    ['agent', 'kind'],
    (s) => known(s).map((a) => [{ agent: a.agent, kind: a.kind }, a.lastSeenSeconds]),
  );
  gauge(
    'yunwang_agent_interval_seconds',
    'The push interval each agent declared in its last batch; silent for 3 times this means stale.',
    ['agent', 'kind'],
    (s) => known(s).flatMap((a) => (a.intervalSeconds === null ? [] : [[{ agent: a.agent, kind: a.kind }, a.intervalSeconds]])),
  );
}
