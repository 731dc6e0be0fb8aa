import type { NetworkAgentConfig, NodeTarget } from '../client/config.ts';
import type { AgentMetrics } from '../client/metrics.ts';
import type { NodeSampleItem } from '../client/protocol.ts';
import { forEachPooled } from './pool.ts';
import { type HttpTarget, httpTarget, type ProbeResult, probeHttpTarget, probeTcp } from './probe.ts';

export type Prober = (node: NodeTarget, timeoutMs: number) => Promise<ProbeResult>;

/** A prober that works out each HTTP target's request once, not on every attempt. */
export function createProber(): Prober {
  const plans = new WeakMap<NodeTarget, HttpTarget>();
  return (node, timeoutMs) => {
    if (node.method === 'tcp') return probeTcp(node.address, timeoutMs);
    let plan = plans.get(node);
    if (!plan) {
      plan = httpTarget(node.address);
      plans.set(node, plan);
    }
    return probeHttpTarget(plan, timeoutMs);
  };
}

export const defaultProber: Prober = createProber();

const median = (xs: Float64Array) => {
  const s = xs.sort();
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/**
 * One probe round: `attempts` probes of every node through one bounded pool, attempt by
 * attempt (all nodes' first attempt, then the second…) so one node's attempts are spread
 * over the round. Up when any attempt succeeds; loss is the failed share; latency is the
 * median of the successes.
 */
export async function probeRound(
  config: Pick<NetworkAgentConfig, 'nodes' | 'attempts' | 'timeout_ms' | 'concurrency'>,
  prober: Prober = defaultProber,
): Promise<NodeSampleItem[]> {
  const { nodes, attempts } = config;
  // Per node: its successful latencies packed in `attempts` slots, how many, and when its last attempt ended.
  const latencies = new Float64Array(nodes.length * attempts);
  const successes = new Uint8Array(nodes.length);
  const finished = new Float64Array(nodes.length);
  await forEachPooled(nodes.length * attempts, config.concurrency, async (task) => {
    const i = task % nodes.length;
    const node = nodes[i] as NodeTarget;
    let result: ProbeResult;
    try {
      result = await prober(node, config.timeout_ms);
    } catch (error) {
      result = { ok: false, error: (error as Error).message };
    }
    if (result.ok && result.latencyMs !== undefined) latencies[i * attempts + (successes[i] as number)++] = result.latencyMs;
    finished[i] = Date.now();
  });
  return nodes.map((node, i) => {
    const ok = successes[i] as number;
    const up = ok > 0;
    return {
      kind: 'node_sample',
      node: node.code,
      at: new Date(finished[i] || Date.now()).toISOString(),
      up,
      latency_ms: up ? Math.round(median(latencies.subarray(i * attempts, i * attempts + ok)) * 1000) / 1000 : null,
      loss: (attempts - ok) / attempts,
    };
  });
}

/** The network agent's collect function for the runner. */
export function networkCollector(config: NetworkAgentConfig, prober: Prober = defaultProber) {
  return async (metrics: AgentMetrics): Promise<NodeSampleItem[]> => {
    const samples = await probeRound(config, prober);
    const states = { up: 0, degraded: 0, down: 0 };
    for (const s of samples) states[!s.up ? 'down' : s.loss > 0 ? 'degraded' : 'up']++;
    for (const [state, n] of Object.entries(states)) metrics.probeTargets.set({ state }, n);
    return samples;
  };
}
