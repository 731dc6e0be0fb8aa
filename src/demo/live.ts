import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { rootActor } from '../identity/actor.ts';
import { issueAgentToken } from '../ingest/agents.ts';
import type { IngestItem } from '../ingest/schemas.ts';
import { type DemoTenant, nodeSample, tenantItems } from './live-samples.ts';

/** The demo's simulated agents, their cloud, and how many nodes the network agent probes. */
export const demoNetworkAgent = 'demo-network-agent';
export const demoCloudAgent = 'demo-cloud-agent';
export const demoLiveCloud = 'GXCLOUD';
const probedNodes = 12;
/** On the first round: 5 minutes of history, so the down node is past node_down's 2 minutes at once. */
const backfillRounds = 10;
const backfillStepMs = 30_000;

export interface DemoLiveOptions {
  /** The app itself: batches go through the real ingest route (token, validation, scope, metrics). */
  app: { request(path: string, init?: RequestInit): Response | Promise<Response> };
  db: Db;
  intervalSeconds: number;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface DemoLiveAgents {
  /** One round now (after the round in hand, if any). */
  runOnce(): Promise<void>;
  /** No more rounds; resolves once the round in hand is over. */
  stop(): Promise<void>;
}

interface SimulatedAgent {
  name: string;
  token: string;
  /** The next batch number; from the clock at start, so a restart never reuses one. */
  seq: number;
  /** Rounds reported so far (backfill included): drives the flapping node and the jitter. */
  round: number;
}

interface Prepared {
  network: SimulatedAgent | null;
  cloud: SimulatedAgent | null;
  nodes: string[];
  tenants: DemoTenant[];
  backfilled: boolean;
}

/**
 * Backbone nodes and the province's and cities' own nodes (those /metrics exports one by one),
 * in code order: the province and the first cities, the same on every start.
 */
async function demoNodes(db: Db): Promise<string[]> {
  const rows = await queryRows<{ code: string }>(
    db,
    sql`select n.code from network_nodes n join regions r on r.code = n.region_code
        where n.commissioned and (n.tier = 'backbone' or r.level in ('province', 'city'))
        order by n.code limit ${probedNodes}`,
  );
  return rows.map((r) => r.code);
}

async function demoTenants(db: Db, cloud: string): Promise<DemoTenant[]> {
  const rows = await queryRows<{
    external_id: string;
    department: string;
    vcpu: number;
    memory_gib: number;
    storage_gib: number;
    workload_count: number;
  }>(
    db,
    sql`select t.external_id, d.code as department, t.vcpu_quota::float8 as vcpu, t.memory_quota_gib::float8 as memory_gib,
               t.storage_quota_gib::float8 as storage_gib, t.workload_count
        from cloud_tenants t join clouds c on c.id = t.cloud_id join departments d on d.id = t.department_id
        where c.code = ${cloud} order by t.external_id`,
  );
  return rows.map((r) => ({
    externalId: r.external_id,
    department: r.department,
    quota: { vcpu: r.vcpu, memory_gib: r.memory_gib, storage_gib: r.storage_gib },
    workloadCount: r.workload_count,
  }));
}

/**
 * Demo mode's live data (演示实时数据): a simulated network agent probing a dozen demo nodes
 * (one down, one flapping, one lossy, the rest healthy) and a simulated cloud agent reporting
 * the tenants of one demo cloud (one at 90 % of its vCPU quota). They are agents like any
 * other: a token issued by the server (rotated on each start, never logged) and batches
 * through POST /api/v1/ingest/batches, so the alert engine, /metrics and the console see
 * exactly what real agents would give them. A failed round is logged and tried again.
 */
export function startDemoLiveAgents(options: DemoLiveOptions): DemoLiveAgents {
  const { app, db, intervalSeconds } = options;
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  const actor = rootActor('demo-live');
  let prepared: Prepared | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Rounds run one after another: the timer's and runOnce()'s never overlap.
  let inHand: Promise<void> = Promise.resolve();

  const agent = async (name: string, kind: 'network' | 'cloud', cloud?: string): Promise<SimulatedAgent> => {
    const issued = await issueAgentToken(db, { name, kind, cloud }, actor);
    return { name, token: issued.token, seq: Date.now(), round: 0 };
  };

  const prepare = async (): Promise<Prepared> => {
    const nodes = await demoNodes(db);
    const tenants = await demoTenants(db, demoLiveCloud);
    const [cloud] = await queryRows<{ code: string }>(db, sql`select code from clouds where code = ${demoLiveCloud}`);
    return {
      nodes,
      tenants,
      network: nodes.length > 0 ? await agent(demoNetworkAgent, 'network') : null,
      cloud: cloud && tenants.length > 0 ? await agent(demoCloudAgent, 'cloud', demoLiveCloud) : null,
      backfilled: false,
    };
  };

  /** Sends one batch; false (logged, without the token) when the API did not apply it. */
  const send = async (sender: SimulatedAgent, items: IngestItem[]): Promise<boolean> => {
    const seq = sender.seq++;
    const body = { agent: sender.name, seq, sent_at: now().toISOString(), next_report_seconds: intervalSeconds, items };
    const res = await app.request('/api/v1/ingest/batches', {
      method: 'POST',
      headers: { Authorization: `Bearer ${sender.token}`, 'Content-Type': 'application/json', 'User-Agent': 'yunwang-agent/demo' },
      body: JSON.stringify(body),
    });
    if (res.ok) return true;
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    log(`demo live agent ${sender.name}: batch ${seq} answered ${res.status}${problem.detail ? `: ${problem.detail}` : ''}`);
    // Its token was rotated or revoked elsewhere (say `yunwang token create`): issue a new one next round.
    if (res.status === 401) prepared = null;
    return false;
  };

  const probeRound = (network: SimulatedAgent, nodes: string[], at: Date) => {
    const items = nodes.map((code, i) => nodeSample(code, i, network.round, at));
    network.round++;
    return send(network, items);
  };

  const round = async (): Promise<void> => {
    prepared ??= await prepare();
    const state = prepared;
    const at = now();
    if (state.network) {
      // Oldest first, each its own batch, as a real agent would have sent them.
      if (!state.backfilled) {
        let ok = true;
        for (let k = backfillRounds; k >= 1 && ok; k--) {
          ok = await probeRound(state.network, state.nodes, new Date(at.getTime() - k * backfillStepMs));
        }
        state.backfilled = ok;
      }
      await probeRound(state.network, state.nodes, at);
    }
    if (state.cloud) {
      await send(state.cloud, tenantItems(demoLiveCloud, state.tenants, state.cloud.round, at));
      state.cloud.round++;
    }
  };

  const queue = (): Promise<void> => {
    inHand = inHand.then(() =>
      round().catch((error: Error) => {
        log(`demo live agents: round failed, trying again next round: ${error.message}`);
      }),
    );
    return inHand;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void queue().then(schedule), intervalSeconds * 1000);
    timer.unref();
  };
  void queue().then(schedule);

  return {
    runOnce: queue,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inHand;
    },
  };
}
