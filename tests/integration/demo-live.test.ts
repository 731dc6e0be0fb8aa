/**
 * Demo mode's live agents (src/demo/live.ts) through the real ingest route: after one round
 * each of a dozen demo nodes has the simulated network agent's vantage — the down one down
 * for minutes already (so node_down can fire at once), the lossy one at 30 % loss — and the
 * demo cloud has exactly one tenant at 90 % of its vCPU quota, in its own department.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { queryRows } from '../../src/db/raw.ts';
import { type DemoLiveAgents, demoCloudAgent, demoLiveCloud, demoNetworkAgent, startDemoLiveAgents } from '../../src/demo/live.ts';
import { nodeRole } from '../../src/demo/live-samples.ts';
import { loadDemoData } from '../../src/demo/load.ts';
import { silentLogger } from '../../src/kernel/log.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { describeEachBackend } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };

interface Vantage {
  code: string;
  up: boolean;
  loss: number;
  latency_ms: number | null;
  /** Unix milliseconds (raw rows give timestamps as strings on one driver, dates on the other). */
  since: number;
  at: number;
}

describeEachBackend('demo live agents', (getDb) => {
  let app: App;
  let live: DemoLiveAgents;
  const logged: string[] = [];

  const vantages = () =>
    queryRows<Vantage>(
      getDb().db,
      sql`select n.code, v.up, v.loss::float8 as loss, v.latency_ms::float8 as latency_ms, (extract(epoch from v.since) * 1000)::float8 as since,
                 (extract(epoch from v.at) * 1000)::float8 as at
          from node_vantages v join network_nodes n on n.id = v.node_id join agents a on a.id = v.agent_id
          where a.name = ${demoNetworkAgent} order by n.code`,
    );
  const receipts = async (agent: string) => {
    const [row] = await queryRows<{ n: number; max: string }>(
      getDb().db,
      sql`select count(*)::int as n, max(b.seq)::text as max from ingest_batches b join agents a on a.id = b.agent_id where a.name = ${agent}`,
    );
    return { count: row?.n ?? 0, maxSeq: BigInt(row?.max ?? '0') };
  };

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    await loadDemoData(db, { scale: 0.2 });
    app = createApp({ database: getDb(), config, logger: silentLogger });
    // An hour between timer rounds: the test drives the rounds itself.
    live = startDemoLiveAgents({ app, db, intervalSeconds: 3600, log: (line) => logged.push(line) });
  }, 120_000);
  afterAll(() => live?.stop());

  it('probes a dozen demo nodes: one down for minutes already, one lossy, the rest reporting', async () => {
    await live.runOnce();
    expect(logged).toEqual([]);
    const rows = await vantages();
    expect(rows).toHaveLength(12);
    // The province's and the cities' own nodes (exported one by one on /metrics), spread over cities.
    expect(new Set(rows.map((r) => r.code.slice(0, 6))).size).toBeGreaterThan(5);

    const byRole = (role: string) => rows.filter((_, i) => nodeRole(i) === role);
    const [down] = byRole('down');
    expect(down?.up).toBe(false);
    expect(down?.loss).toBe(1);
    expect(down?.since).toBeLessThanOrEqual(Date.now() - 4 * 60_000);
    const [lossy] = byRole('lossy');
    expect(lossy?.up).toBe(true);
    expect(lossy?.loss).toBeCloseTo(0.3, 5);
    expect(lossy?.latency_ms).toBeGreaterThanOrEqual(300);
    for (const healthy of byRole('healthy')) {
      expect(healthy.up).toBe(true);
      expect(healthy.latency_ms).toBeGreaterThanOrEqual(5);
      expect(healthy.latency_ms).toBeLessThanOrEqual(40);
    }
    // The network state the console reads moved too.
    const [node] = await queryRows<{ live_state: string }>(
      getDb().db,
      sql`select live_state from network_nodes where code = ${down?.code}`,
    );
    expect(node?.live_state).toBe('down');
  });

  it('reports the demo cloud’s tenants in their own departments, one at 90 % of its vCPU quota', async () => {
    const tenants = await queryRows<{ external_id: string; share: number; memory: number; storage: number; moved: boolean }>(
      getDb().db,
      sql`select t.external_id, t.vcpu_used / t.vcpu_quota as share, t.memory_used_gib / nullif(t.memory_quota_gib, 0) as memory,
                 t.storage_used_gib / nullif(t.storage_quota_gib, 0) as storage, t.created_at <> t.updated_at as moved
          from cloud_tenants t join clouds c on c.id = t.cloud_id
          where c.code = ${demoLiveCloud} and t.last_report_at is not null and t.vcpu_quota > 0 order by t.external_id`,
    );
    expect(tenants.length).toBeGreaterThan(1);
    const hot = tenants.filter((t) => t.share >= 0.85);
    expect(hot).toHaveLength(1);
    expect(hot[0]?.share).toBeCloseTo(0.9, 3);
    expect(tenants.every((t) => (t.memory ?? 0) < 0.85 && (t.storage ?? 0) < 0.85)).toBe(true);
    // No tenant changed department (that is audited as tenant.update).
    const [moves] = await queryRows<{ n: number }>(
      getDb().db,
      sql`select count(*)::int as n from audit_log where action = 'tenant.update' and actor = ${`agent:${demoCloudAgent}`}`,
    );
    expect(moves?.n).toBe(0);
  });

  it('sends each round with a new seq, applied rather than acknowledged as a duplicate', async () => {
    const before = await receipts(demoNetworkAgent);
    const cloudBefore = await receipts(demoCloudAgent);
    const latest = (await vantages()).map((v) => v.at);
    await live.runOnce();
    expect(logged).toEqual([]);
    const after = await receipts(demoNetworkAgent);
    expect(after.count).toBe(before.count + 1);
    expect(after.maxSeq).toBe(before.maxSeq + 1n);
    expect((await receipts(demoCloudAgent)).count).toBe(cloudBefore.count + 1);
    const moved = (await vantages()).map((v) => v.at);
    for (const [i, at] of moved.entries()) expect(at).toBeGreaterThanOrEqual(latest[i] as number);
    const [batches] = await queryRows<{ n: number }>(
      getDb().db,
      sql`select count(*)::int as n from agents where name in (${demoNetworkAgent}, ${demoCloudAgent}) and last_seen_at is not null`,
    );
    expect(batches?.n).toBe(2);
  });
});
