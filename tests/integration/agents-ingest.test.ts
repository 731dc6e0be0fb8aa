import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agents/client/config.ts';
import { startAgent } from '../../agents/client/runner.ts';
import { cloudAgent } from '../../agents/cloud/program.ts';
import { networkAgent } from '../../agents/network/program.ts';
import type { App } from '../../src/app.ts';
import { createApp } from '../../src/app.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { issueAgentToken } from '../../src/ingest/agents.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { fastAgent, metricValue, writeAgentConfig } from '../helpers/agents.ts';
import { type ApiServer, startApiServer, testAppConfig } from '../helpers/api-server.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { type FakeKubernetes, sampleCluster, startFakeKubernetes } from '../helpers/fake-kubernetes.ts';
import { call, homeOf, type Json, newCloud, signInCast, uid } from '../helpers/ingest.ts';
import { startTargets, type Targets } from '../helpers/targets.ts';

/** The two agents, built from their configuration files, against the real API on a socket. */
describeEachBackend('agents deliver to the ingest API', (getDb) => {
  let api: ApiServer;
  let app: App;
  let dir: string;
  let targets: Targets;
  let kube: FakeKubernetes;

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    api = await startApiServer(getDb());
    app = createApp({ database: getDb(), config: testAppConfig });
    await signInCast(app, getDb().db);
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-agents-'));
    targets = await startTargets();
    kube = await startFakeKubernetes(sampleCluster());
  });
  afterAll(async () => {
    await api.stop();
    await targets.close();
    await kube.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('network-agent --once probes every node and the API shows each node’s state, latency and loss', async () => {
    const nodes = [
      { code: uid('TCP'), address: targets.tcpUp, method: 'tcp' },
      { code: uid('HTTP'), address: targets.httpUp, method: 'http' },
      { code: uid('HTTP503'), address: targets.http503, method: 'http' },
      { code: uid('CLOSED'), address: targets.closed, method: 'tcp' },
    ];
    for (const n of nodes) {
      const a = await call(app, 'POST', '/api/v1/network-nodes', {
        code: n.code,
        name: n.code,
        region_code: '450102',
        tier: 'metro',
        probe_address: n.address,
      });
      expect(a.status).toBe(201);
    }
    const name = uid('network');
    const { token } = await issueAgentToken(getDb().db, { name, kind: 'network' }, rootActor('test'));
    const file = await writeAgentConfig(dir, name, {
      ...fastAgent,
      api_url: api.url,
      token,
      name,
      spool_dir: path.join(dir, name),
      nodes,
      attempts: 2,
      timeout_ms: 1000,
    });
    const agent = await startAgent({
      kind: 'network',
      config: networkAgent.load(file),
      collect: networkAgent.collector(networkAgent.load(file)),
      once: true,
      log: () => {},
    });
    expect(await agent.done).toBe(0);

    const states = [];
    for (const n of nodes) states.push((await call(app, 'GET', `/api/v1/network-nodes/${n.code}`)).body);
    expect(states.map((s) => [s.live_state, s.loss])).toEqual([
      ['up', 0],
      ['up', 0],
      ['down', 1],
      ['down', 1],
    ]);
    expect(states[0]?.latency_ms).toEqual(expect.any(Number));
    expect((await call(app, 'GET', `/api/v1/agents/${name}`)).body).toMatchObject({
      status: 'reporting',
      version: '0.1.0',
      next_report_seconds: 1,
    });
    const text = await agent.metrics.registry.metrics();
    expect(metricValue(text, 'yunwang_agent_batches_sent_total', '{outcome="applied"}')).toBe(1);
    expect(metricValue(text, 'yunwang_agent_probe_targets', '{state="down"}')).toBe(2);
  });

  it('cloud-agent --once reports its cloud’s tenants with quota and usage, and verifies a migrated system', async () => {
    const cloud = await newCloud(app);
    for (const code of ['GX-GAT', 'GX-RST']) {
      const exists = await call(app, 'GET', `/api/v1/departments/${code}`);
      if (exists.status === 404)
        await call(app, 'POST', '/api/v1/departments', {
          code,
          name: code,
          region_code: '450000',
          kind: 'government',
          parent_code: homeOf(app),
        });
    }
    const system = await call(app, 'POST', '/api/v1/systems', {
      code: 'GX-SYS-0001',
      name: '公安门户',
      department_code: 'GX-GAT',
      state: 'migrated',
      cloud_code: cloud.code,
      tenant: 'gx-gat-prod',
    });
    expect(system.status).toBe(201);

    const name = uid('cloud');
    const { token } = await issueAgentToken(getDb().db, { name, kind: 'cloud', cloud: String(cloud.code) }, rootActor('test'));
    const kubeconfig = path.join(dir, `${name}-kubeconfig.yaml`);
    await kube.writeKubeconfig(kubeconfig);
    const file = await writeAgentConfig(dir, name, {
      ...fastAgent,
      api_url: api.url,
      token,
      name,
      spool_dir: path.join(dir, name),
      cloud: cloud.code,
      kubeconfig,
    });
    const config = loadAgentConfig('cloud', file);
    const agent = await startAgent({ kind: 'cloud', config, collect: cloudAgent.collector(config), once: true, log: () => {} });
    expect(await agent.done).toBe(0);

    const tenants = (await call(app, 'GET', `/api/v1/tenants?cloud=${cloud.code}`)).body.items as Json[];
    expect(
      tenants.map((t) => [
        t.external_id,
        t.department_code,
        t.vcpu_quota,
        t.vcpu_used,
        t.memory_quota_gib,
        t.storage_used_gib,
        t.workload_count,
      ]),
    ).toEqual([
      ['gx-gat-prod', 'GX-GAT', 12, 4.5, 64, 120, 3],
      ['gx-gat-test', 'GX-GAT', 0, 0, 0, 0, 0],
      ['gx-rst', 'GX-RST', 8, 0, 14.901, 0, 1],
    ]);
    expect(tenants.every((t) => typeof t.last_report_at === 'string')).toBe(true);
    expect((await call(app, 'GET', '/api/v1/systems/GX-SYS-0001')).body.verified_at).toEqual(expect.any(String));
    expect((await call(app, 'GET', `/api/v1/agents?kind=cloud&cloud=${cloud.code}`)).body.items).toEqual([
      expect.objectContaining({ name, status: 'reporting' }),
    ]);
  });
});
