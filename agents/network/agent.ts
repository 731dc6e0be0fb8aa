import type { NetworkAgentConfig, NodeTarget } from '../client/config.ts';
import type { AgentMetrics } from '../client/metrics.ts';
import type { NodeSampleItem } from '../client/protocol.ts';
import { runPool } from './pool.ts';
import { type ProbeResult, probeHttp, probeTcp } from './probe.ts';

export type Prober = (node: NodeTarget, timeoutMs: number) => Promise<ProbeResult>;

export const defaultProber: Prober = (node, timeoutMs) =>
  node.method === 'tcp' ? probeTcp(node.address, timeoutMs) : probeHttp(node.address, timeoutMs);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
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
  const latencies = config.nodes.map((): number[] => []);
  const finished = config.nodes.map(() => 0);
  const tasks: (() => Promise<void>)[] = [];
  for (let attempt = 0; attempt < config.attempts; attempt++) {
    config.nodes.forEach((node, i) => {
      tasks.push(async () => {
        let result: ProbeResult;
        try {
          result = await prober(node, config.timeout_ms);
        } catch (error) {
          result = { ok: false, error: (error as Error).message };
        }
        if (result.ok && result.latencyMs !== undefined) latencies[i]?.push(result.latencyMs);
        finished[i] = Date.now();
      });
    });
  }
  await runPool(tasks, config.concurrency);
  return config.nodes.map((node, i) => {
    const ok = latencies[i] ?? [];
    const up = ok.length > 0;
    return {
      kind: 'node_sample',
      node: node.code,
      at: new Date(finished[i] ?? Date.now()).toISOString(),
      up,
      latency_ms: up ? Math.round(median(ok) * 1000) / 1000 : null,
      loss: (config.attempts - ok.length) / config.attempts,
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
