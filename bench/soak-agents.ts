/**
 * The soak's network agents: the real agent client (its spool, its sender, its retries)
 * run in this process with a collector that, instead of probing, makes samples whose
 * number is known exactly — so losses and duplicates can be counted in the database.
 */
import path from 'node:path';
import type { NodeSampleItem } from '../agents/client/protocol.ts';
import { type RunningAgent, startAgent } from '../agents/client/runner.ts';

/** Each sample's serial number rides in `latency_ms` (0–600,000 is valid), unique per agent. */
export const maxSerial = 600_000;

export interface SoakAgent {
  name: string;
  nodes: string[];
  /** Samples handed to the agent so far: serials 0 … generated − 1. */
  generated: number;
  running: RunningAgent;
}

export interface AgentCounters {
  applied: number;
  duplicate: number;
  retried: number;
  spooled: number;
  dropped: number;
  deadLettered: number;
}

/** Starts an agent that reports `nodes` every `intervalSeconds` while `producing()` holds. */
export async function startSoakAgent(options: {
  apiUrl: string;
  name: string;
  token: string;
  nodes: string[];
  intervalSeconds: number;
  dir: string;
  producing: () => boolean;
}): Promise<SoakAgent> {
  const agent: SoakAgent = { name: options.name, nodes: options.nodes, generated: 0, running: undefined as unknown as RunningAgent };
  agent.running = await startAgent({
    kind: 'network',
    config: {
      api_url: options.apiUrl,
      token: options.token,
      name: options.name,
      interval_seconds: options.intervalSeconds,
      spool_dir: path.join(options.dir, options.name),
      spool_max_bytes: 256 * 1024 ** 2,
      spool_max_age_hours: 72,
      max_batch_items: 1000,
      request_timeout_seconds: 15,
      backoff_initial_ms: 1000,
      // Shorter than the default 60 s, so the spool drains within the soak after the restart.
      backoff_max_ms: 10_000,
      metrics_enabled: false,
      metrics_host: '127.0.0.1',
      metrics_port: 0,
    },
    collect: async () => {
      // Once production stops, rounds are empty: the agent still says it is alive.
      if (!options.producing()) return [];
      const at = new Date().toISOString();
      return options.nodes.map((node): NodeSampleItem => {
        const serial = agent.generated++;
        if (serial > maxSerial) throw new Error(`agent ${options.name} ran out of serials: lower the rate or the duration`);
        return { kind: 'node_sample', node, at, up: true, latency_ms: serial, loss: 0 };
      });
    },
    log: () => {},
  });
  return agent;
}

export async function agentCounters(agent: SoakAgent): Promise<AgentCounters> {
  const { metrics } = agent.running;
  const value = async (counter: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> }, label?: string) =>
    (await counter.get()).values.filter((v) => label === undefined || v.labels.outcome === label).reduce((sum, v) => sum + v.value, 0);
  return {
    applied: await value(metrics.sent, 'applied'),
    duplicate: await value(metrics.sent, 'duplicate'),
    retried: await value(metrics.retried),
    spooled: await value(metrics.spooled),
    dropped: await value(metrics.dropped),
    deadLettered: await value(metrics.deadLettered),
  };
}

/** Waits until every agent's spool is empty (true) or the deadline passes (false). */
export async function drainAgents(agents: SoakAgent[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (agents.every((a) => a.running.spool.stats().batches === 0)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}
