import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { hashToken, issueAgentToken, revokeAgentToken } from '../../src/ingest/agents.ts';
import { markSilentNodes, pruneSamples } from '../../src/ingest/samples.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { readRegistryVersion } from '../../src/registry/version.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';
import {
  call,
  type Json,
  newAgent,
  newCloud,
  newDepartment,
  newNode,
  newSystem,
  problemOf,
  sample,
  sendBatch,
  signInCast,
  type TestAgent,
  tenant,
} from '../helpers/ingest.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_INGEST_MAX_ITEMS: 50 };
const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();

describeEachBackend('ingest API', (getDb) => {
  let app: App;
  let cloud: Json;
  let department: Json;
  let network: TestAgent;
  let cloudAgent: TestAgent;

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config });
    await signInCast(app, getDb().db);
    cloud = await newCloud(app);
    department = await newDepartment(app);
    network = await newAgent(getDb(), 'network');
    cloudAgent = await newAgent(getDb(), 'cloud', String(cloud.code));
  });

  const samplesOf = async (code: unknown) => {
    const a = await call(app, 'GET', `/api/v1/network-nodes/${code}/samples?from=${encodeURIComponent(iso(3600_000))}`);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    return a.body.items as Json[];
  };
  const batchCount = async (agent: TestAgent) =>
    (
      await queryRows<{ n: number }>(
        getDb(),
        sql`select count(*)::int as n from ingest_batches b join agents a on a.id = b.agent_id where a.name = ${agent.name}`,
      )
    )[0]?.n;

  describe('authentication', () => {
    it('answers 401 without a token, with a wrong one and with a revoked one', async () => {
      const body = { agent: network.name, seq: 1, sent_at: iso(), next_report_seconds: 30, items: [] };
      const none = await call(app, 'POST', '/api/v1/ingest/batches', body);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      const wrong = await call(app, 'POST', '/api/v1/ingest/batches', body, { Authorization: 'Bearer ywa_not-a-token' });
      expect(wrong.status).toBe(401);
      expect(problemOf(wrong).code).toBe('unauthorized');

      const agent = await newAgent(getDb(), 'network');
      expect((await sendBatch(app, agent, [])).status).toBe(200);
      await revokeAgentToken(getDb().db, agent.name, rootActor('test'));
      expect((await sendBatch(app, agent, [])).status).toBe(401);
    });

    it('refuses a token used for another agent name with 403', async () => {
      const a = await call(
        app,
        'POST',
        '/api/v1/ingest/batches',
        { agent: 'someone-else', seq: 1, sent_at: iso(), next_report_seconds: 30, items: [] },
        { Authorization: `Bearer ${network.token}` },
      );
      expect(a.status).toBe(403);
      expect(problemOf(a).errors?.[0]?.field).toBe('agent');
    });

    it('rotating a token stops the old one; the trail never holds a token or its hash', async () => {
      const agent = await newAgent(getDb(), 'network');
      const rotated = await issueAgentToken(getDb().db, { name: agent.name, kind: 'network' }, rootActor('test'));
      expect(rotated.created).toBe(false);
      expect((await sendBatch(app, agent, [])).status).toBe(401);
      expect((await sendBatch(app, { ...agent, token: rotated.token }, [])).status).toBe(200);

      const trail = await queryRows<{ action: string; text: string }>(
        getDb(),
        sql`select action, coalesce(before::text, '') || coalesce(after::text, '') as text from audit_log where entity_kind = 'agent' and entity_code = ${agent.name} order by id`,
      );
      expect(trail.map((r) => r.action)).toEqual(['agent.create', 'agent.token.issue', 'agent.token.rotate']);
      for (const row of trail) {
        expect(row.text).not.toContain(rotated.token);
        expect(row.text).not.toContain(hashToken(rotated.token));
        expect(row.text).not.toContain(agent.token);
      }
    });

    it('refuses to change an agent kind or cloud by issuing again', async () => {
      await expect(
        issueAgentToken(getDb().db, { name: network.name, kind: 'cloud', cloud: String(cloud.code) }, rootActor('test')),
      ).rejects.toThrow(/exists as a network agent/);
      await expect(issueAgentToken(getDb().db, { name: 'x-cloud', kind: 'cloud' }, rootActor('test'))).rejects.toThrow(/needs --cloud/);
    });
  });

  describe('node samples', () => {
    it('stores the latest state and the history, and the agent is seen', async () => {
      const node = await newNode(app);
      const at = iso(1000);
      const a = await sendBatch(app, network, [sample(String(node.code), at, { latency_ms: 7.5 })]);
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      expect(a.body).toMatchObject({ agent: network.name, status: 'applied', items: 1, node_samples: 1 });

      const one = await call(app, 'GET', `/api/v1/network-nodes/${node.code}`);
      expect(one.body).toMatchObject({ live_state: 'up', latency_ms: 7.5, loss: 0, last_sample_at: at });
      expect(await samplesOf(node.code)).toEqual([{ at, up: true, latency_ms: 7.5, loss: 0, agent: network.name }]);

      const agent = await call(app, 'GET', `/api/v1/agents/${network.name}`);
      expect(agent.body).toMatchObject({
        name: network.name,
        kind: 'network',
        status: 'reporting',
        version: '9.9.9',
        next_report_seconds: 30,
      });
    });

    it('derives degraded and down, and a replayed older sample joins the history without rolling the state back', async () => {
      const node = await newNode(app);
      const code = String(node.code);
      expect((await sendBatch(app, network, [sample(code, iso(2000), { loss: 1 / 3 })])).status).toBe(200);
      expect((await call(app, 'GET', `/api/v1/network-nodes/${code}`)).body.live_state).toBe('degraded');
      expect((await sendBatch(app, network, [sample(code, iso(1000), { up: false, latency_ms: null, loss: 1 })])).status).toBe(200);
      expect((await call(app, 'GET', `/api/v1/network-nodes/${code}`)).body.live_state).toBe('down');
      expect((await sendBatch(app, network, [sample(code, iso(60_000))])).status).toBe(200);
      expect((await call(app, 'GET', `/api/v1/network-nodes/${code}`)).body.live_state).toBe('down');
      expect((await samplesOf(code)).map((s) => s.up)).toEqual([true, true, false]);
    });

    it('acknowledges a replayed (agent, seq) as a duplicate and applies nothing twice', async () => {
      const node = await newNode(app);
      const items = [sample(String(node.code), iso(500))];
      const first = await sendBatch(app, network, items);
      const before = await batchCount(network);
      const again = await sendBatch(app, network, [sample(String(node.code), iso(100))], { seq: first.body.seq as number });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'duplicate', seq: first.body.seq });
      expect(await samplesOf(node.code)).toHaveLength(1);
      expect(await batchCount(network)).toBe(before);
    });

    it('refuses the whole batch with 422 naming each bad item by index and field, and applies none of it', async () => {
      const node = await newNode(app);
      const code = String(node.code);
      const seq = ++network.seq;
      const bad = await sendBatch(
        app,
        network,
        [
          sample(code, iso(300)),
          sample(code, iso(200), { latency_ms: -1 }),
          { kind: 'teleport', node: code },
          sample(code, 'yesterday'),
          sample(code, iso(100), { up: true, loss: 1 }),
        ],
        { seq },
      );
      expect(bad.status).toBe(422);
      expect(problemOf(bad).code).toBe('validation_failed');
      const where = (problemOf(bad).errors ?? []).map((e) => [e.index, e.field]);
      expect(where).toEqual(
        expect.arrayContaining([
          [1, 'latency_ms'],
          [2, 'kind'],
          [3, 'at'],
          [4, 'loss'],
        ]),
      );
      expect(where.some(([index]) => index === 0)).toBe(false);
      expect(await samplesOf(code)).toEqual([]);

      const unknown = await sendBatch(app, network, [sample(code, iso(300)), sample('NO-SUCH-NODE', iso(300))], { seq });
      expect(unknown.status).toBe(422);
      expect(problemOf(unknown).errors).toEqual([{ index: 1, field: 'node', message: 'unknown network node "NO-SUCH-NODE"' }]);
      expect(await samplesOf(code)).toEqual([]);

      // Refused batches consume nothing: the same seq, fixed, is applied.
      const fixed = await sendBatch(app, network, [sample(code, iso(300))], { seq });
      expect(fixed.body).toMatchObject({ status: 'applied', seq });
    });

    it('applies concurrent batches from agents probing the same nodes, without deadlocks', async () => {
      const nodes: string[] = [];
      for (let i = 0; i < 30; i++) nodes.push(String((await newNode(app)).code));
      const agents = [await newAgent(getDb(), 'network'), await newAgent(getDb(), 'network'), await newAgent(getDb(), 'network')];
      const answers = await Promise.all(
        agents.flatMap((agent, a) =>
          [0, 1].map((r) =>
            sendBatch(
              app,
              agent,
              [...nodes].reverse().map((code, i) => sample(code, iso(10_000 - r * 1000 - a * 100 - i))),
              { seq: r + 1 },
            ),
          ),
        ),
      );
      expect(answers.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 200]);
      const [stored] = await queryRows<{ n: number }>(
        getDb(),
        sql`select count(*)::int as n from node_samples s join network_nodes n on n.id = s.node_id where n.code = any(${sql.param(nodes)}::text[])`,
      );
      expect(stored?.n).toBe(6 * nodes.length);
    });

    it('refuses samples dated in the future beyond clock skew', async () => {
      const node = await newNode(app);
      const a = await sendBatch(app, network, [sample(String(node.code), new Date(Date.now() + 3600_000).toISOString())]);
      expect(a.status).toBe(422);
      expect(problemOf(a).errors?.[0]).toMatchObject({ index: 0, field: 'at' });
    });

    it('returns a node’s samples in a range, and refuses a reversed range', async () => {
      const node = await newNode(app);
      const code = String(node.code);
      const times = [iso(50_000), iso(40_000), iso(30_000)];
      for (const at of times) expect((await sendBatch(app, network, [sample(code, at)])).status).toBe(200);
      const part = await call(
        app,
        'GET',
        `/api/v1/network-nodes/${code}/samples?from=${encodeURIComponent(times[1] as string)}&to=${encodeURIComponent(iso())}`,
      );
      expect((part.body.items as Json[]).map((s) => s.at)).toEqual(times.slice(1));
      const limited = await call(app, 'GET', `/api/v1/network-nodes/${code}/samples?from=${encodeURIComponent(iso(60_000))}&limit=2`);
      expect(limited.body).toMatchObject({ truncated: true });
      const reversed = await call(
        app,
        'GET',
        `/api/v1/network-nodes/${code}/samples?from=${encodeURIComponent(iso())}&to=${encodeURIComponent(iso(60_000))}`,
      );
      expect(reversed.status).toBe(422);
      expect((await call(app, 'GET', '/api/v1/network-nodes/NO-SUCH/samples')).status).toBe(404);
    });
  });

  describe('scope', () => {
    it('a network agent reports node samples only', async () => {
      const a = await sendBatch(app, network, [tenant(String(cloud.code), 'ns-a', String(department.code), iso())]);
      expect(a.status).toBe(403);
      expect(problemOf(a).errors).toEqual([expect.objectContaining({ index: 0, field: 'kind' })]);
    });

    it('a cloud agent reports its own cloud only, and no node samples', async () => {
      const node = await newNode(app);
      const other = await newCloud(app);
      const a = await sendBatch(app, cloudAgent, [
        tenant(String(cloud.code), 'ns-mine', String(department.code), iso()),
        tenant(String(other.code), 'ns-theirs', String(department.code), iso()),
        sample(String(node.code), iso()),
      ]);
      expect(a.status).toBe(403);
      expect(problemOf(a).code).toBe('forbidden');
      expect((problemOf(a).errors ?? []).map((e) => [e.index, e.field])).toEqual([
        [1, 'cloud'],
        [2, 'kind'],
      ]);
      const tenants = await call(app, 'GET', `/api/v1/tenants?cloud=${cloud.code}&q=ns-mine`);
      expect(tenants.body.total).toBe(0);
    });
  });

  describe('tenants and workloads', () => {
    it('upserts tenants with quota and usage, audits the first sighting, and never rolls back to an older report', async () => {
      const external = `ns-${Date.now()}`;
      const first = await sendBatch(app, cloudAgent, [tenant(String(cloud.code), external, String(department.code), iso(2000))]);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body).toMatchObject({ tenants: 1 });
      const newer = iso(1000);
      await sendBatch(app, cloudAgent, [
        tenant(String(cloud.code), external, String(department.code), newer, { usage: { vcpu: 8, memory_gib: 30, storage_gib: 200 } }),
      ]);
      await sendBatch(app, cloudAgent, [
        tenant(String(cloud.code), external, String(department.code), iso(5000), { usage: { vcpu: 1, memory_gib: 1, storage_gib: 1 } }),
      ]);
      const list = await call(app, 'GET', `/api/v1/tenants?cloud=${cloud.code}&q=${external}`);
      expect(list.body.items).toEqual([
        expect.objectContaining({
          cloud_code: cloud.code,
          external_id: external,
          department_code: department.code,
          vcpu_quota: 16,
          vcpu_used: 8,
          memory_quota_gib: 64,
          memory_used_gib: 30,
          storage_quota_gib: 500,
          storage_used_gib: 200,
          workload_count: 3,
          last_report_at: newer,
        }),
      ]);
      const trail = await queryRows<{ action: string; actor: string }>(
        getDb(),
        sql`select action, actor from audit_log where entity_kind = 'tenant' and entity_code = ${`${cloud.code}/${external}`}`,
      );
      expect(trail).toEqual([{ action: 'tenant.discover', actor: `agent:${cloudAgent.name}` }]);
    });

    it('refuses an unknown department and a tenant twice in one batch', async () => {
      const a = await sendBatch(app, cloudAgent, [
        tenant(String(cloud.code), 'ns-x', 'NO-SUCH-DEPT', iso()),
        tenant(String(cloud.code), 'ns-y', String(department.code), iso()),
        tenant(String(cloud.code), 'ns-y', String(department.code), iso()),
      ]);
      expect(a.status).toBe(422);
      expect((problemOf(a).errors ?? []).map((e) => [e.index, e.field])).toEqual([
        [0, 'department'],
        [2, 'external_id'],
      ]);
    });

    it('verifies a migrated system seen in the tenant it names, and nothing else; the registry version stays', async () => {
      const owner = String(department.code);
      const migrated = await newSystem(app, {
        department_code: owner,
        state: 'migrated',
        cloud_code: cloud.code,
        tenant: 'ns-gov',
      });
      const elsewhere = await newSystem(app, { department_code: owner, state: 'migrated', cloud_code: cloud.code, tenant: 'ns-other' });
      const notYet = await newSystem(app, { department_code: owner, state: 'migrating', cloud_code: cloud.code, tenant: 'ns-gov' });
      const version = await readRegistryVersion(getDb().db);
      const seenAt = iso(1000);
      const workload = (system: unknown) => ({
        kind: 'workload_seen',
        cloud: cloud.code,
        tenant: 'ns-gov',
        system,
        workload: `Deployment/${system}`,
        at: seenAt,
      });
      const a = await sendBatch(app, cloudAgent, [
        tenant(String(cloud.code), 'ns-gov', owner, seenAt),
        workload(migrated.code),
        workload(elsewhere.code),
        workload(notYet.code),
        workload('NO-SUCH-SYSTEM'),
      ]);
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      expect(a.body).toMatchObject({ workloads_seen: 4, systems_verified: 1 });
      expect((await call(app, 'GET', `/api/v1/systems/${migrated.code}`)).body.verified_at).toBe(seenAt);
      expect((await call(app, 'GET', `/api/v1/systems/${elsewhere.code}`)).body.verified_at).toBeNull();
      expect((await call(app, 'GET', `/api/v1/systems/${notYet.code}`)).body.verified_at).toBeNull();
      expect(await readRegistryVersion(getDb().db)).toBe(version);
      const trail = await queryRows<{ actor: string }>(
        getDb(),
        sql`select actor from audit_log where action = 'system.verify' and entity_code = ${migrated.code}`,
      );
      expect(trail).toEqual([{ actor: `agent:${cloudAgent.name}` }]);
    });
  });

  describe('limits', () => {
    it('refuses more items than the limit and a body over the limit with 413', async () => {
      const node = await newNode(app);
      const many = Array.from({ length: 51 }, (_, i) => sample(String(node.code), iso(i * 1000)));
      const a = await sendBatch(app, network, many);
      expect(a.status).toBe(413);
      expect(problemOf(a).errors?.[0]?.field).toBe('items');

      const small = createApp({ database: getDb(), config: { ...config, YUNWANG_INGEST_BODY_LIMIT_BYTES: 2048 } });
      const big = await sendBatch(
        small,
        network,
        Array.from({ length: 40 }, (_, i) => sample(String(node.code), iso(i * 1000))),
      );
      expect(big.status).toBe(413);
    });

    it('answers 429 with Retry-After beyond the batches in flight', async () => {
      const node = await newNode(app);
      const narrow = createApp({ database: getDb(), config: { ...config, YUNWANG_INGEST_MAX_IN_FLIGHT: 1 } });
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => sendBatch(narrow, network, [sample(String(node.code), iso(i * 1000))])),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses).toContain(200);
      expect(statuses).toContain(429);
      const refused = answers.find((a) => a.status === 429);
      expect(refused?.headers.get('retry-after')).toBe('1');
      expect(problemOf(refused as (typeof answers)[number]).code).toBe('too_many_requests');
    });
  });

  describe('staleness and retention', () => {
    it('a node and an agent silent for 3× the declared interval read as unknown, and the job stores it', async () => {
      const node = await newNode(app);
      const agent = await newAgent(getDb(), 'network');
      expect((await sendBatch(app, agent, [sample(String(node.code), iso(5000))], { interval: 1 })).status).toBe(200);
      // 5 s ago with a 1 s interval: past 3 × 1 s already.
      expect((await call(app, 'GET', `/api/v1/network-nodes/${node.code}`)).body.live_state).toBe('unknown');
      expect((await call(app, 'GET', `/api/v1/agents/${agent.name}`)).body.status).toBe('reporting');
      await getDb().db.execute(sql`update agents set last_seen_at = now() - interval '4 seconds' where name = ${agent.name}`);
      expect((await call(app, 'GET', `/api/v1/agents/${agent.name}`)).body.status).toBe('unknown');
      const silent = await call(app, 'GET', '/api/v1/agents?status=unknown&kind=network&limit=1000');
      expect((silent.body.items as Json[]).map((a) => a.name)).toContain(agent.name);

      expect(await markSilentNodes(getDb().db)).toBeGreaterThanOrEqual(1);
      const [stored] = await queryRows<{ live_state: string }>(
        getDb(),
        sql`select live_state from network_nodes where code = ${node.code}`,
      );
      expect(stored?.live_state).toBe('unknown');
    });

    it('prunes samples and batch receipts past the retention period', async () => {
      const node = await newNode(app);
      const agent = await newAgent(getDb(), 'network');
      const old = new Date(Date.now() - 31 * 24 * 3600_000).toISOString();
      expect((await sendBatch(app, agent, [sample(String(node.code), old), sample(String(node.code), iso(1000))])).status).toBe(200);
      await getDb().db.execute(
        sql`update ingest_batches set received_at = ${old} where agent_id = (select id from agents where name = ${agent.name})`,
      );
      const pruned = await pruneSamples(getDb().db, 30);
      expect(pruned.samples).toBeGreaterThanOrEqual(1);
      expect(pruned.batches).toBeGreaterThanOrEqual(1);
      const left = await call(
        app,
        'GET',
        `/api/v1/network-nodes/${node.code}/samples?from=${encodeURIComponent(new Date(Date.now() - 40 * 24 * 3600_000).toISOString())}`,
      );
      expect((left.body.items as Json[]).length).toBe(1);
    });
  });

  it('lists agents with their scope', async () => {
    const a = await call(app, 'GET', `/api/v1/agents?kind=cloud&cloud=${cloud.code}`);
    expect(a.status).toBe(200);
    expect(a.body.items).toEqual([expect.objectContaining({ name: cloudAgent.name, kind: 'cloud', cloud_code: cloud.code })]);
    expect((await call(app, 'GET', '/api/v1/agents/NO-SUCH-AGENT')).status).toBe(404);
  });

  it('documents the ingest endpoint with its bearer scheme', async () => {
    const doc = await call(app, 'GET', '/openapi.json');
    const paths = doc.body.paths as Json;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/api/v1/ingest/batches', '/api/v1/agents', '/api/v1/network-nodes/{code}/samples']),
    );
    expect(JSON.stringify((doc.body.components as Json).securitySchemes)).toContain('bearer');
  });
});
