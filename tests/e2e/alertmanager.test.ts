/**
 * Prometheus alerts reach yunwang's one list through a real Alertmanager: a real Prometheus
 * (/usr/bin/prometheus) evaluates the PrometheusRules shipped under k8s/ against a real
 * yunwang, sends what fires to a real Alertmanager (/usr/bin/prometheus-alertmanager, Debian's
 * package), whose webhook receiver — configured as k8s/ ships it, with a bearer token of an
 * `alertmanager` agent — posts to POST /api/v1/alerts/alertmanager. A node probed down fires
 * YunwangNodeDown, which must appear in GET /api/v1/alerts, and resolve when the node is back.
 *
 * The rules are the shipped ones with their `for` durations set to 0 s, so the test does not
 * wait five minutes. Without either program the test is skipped with the reason; with CI=true
 * that skip is a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import type { Database } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { issueAgentToken } from '../../src/ingest/agents.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { waitFor } from '../helpers/agents.ts';
import { type ApiClient, apiClient, serverTarget } from '../helpers/api.ts';
import { type ApiServer, startApiServer } from '../helpers/api-server.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { requireProgram } from '../helpers/exposition.ts';
import { newAgent, sample, type TestAgent } from '../helpers/ingest.ts';
import { freePort } from '../helpers/ports.ts';

const PROMETHEUS = '/usr/bin/prometheus';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const root = fileURLToPath(new URL('../..', import.meta.url));
const missing =
  requireProgram(PROMETHEUS, 'apt-get install -y prometheus') ?? requireProgram(ALERTMANAGER, 'apt-get install -y prometheus-alertmanager');

interface RuleGroup {
  name: string;
  rules: Record<string, unknown>[];
}

/** The rule groups of every PrometheusRule under k8s/, `for` set to 0 s. */
function shippedRuleGroups(): RuleGroup[] {
  const dir = path.join(root, 'k8s');
  const groups: RuleGroup[] = [];
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      const object = doc.toJS() as { kind?: string; spec?: { groups?: RuleGroup[] } } | null;
      if (object?.kind !== 'PrometheusRule') continue;
      for (const group of object.spec?.groups ?? []) {
        groups.push({ ...group, rules: group.rules.map((r) => (r.alert ? { ...r, for: '0s' } : r)) });
      }
    }
  }
  return groups;
}

/** Starts a program, keeping the tail of its output for failure messages. */
function start(program: string, args: string[]): { child: ChildProcess; log: () => string } {
  let log = '';
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    log = `${log}${chunk.toString()}`.slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, log: () => log };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  await exited;
}

describe.skipIf(missing)(`Prometheus → Alertmanager → yunwang${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let database: Database;
  let api: ApiServer;
  /** The API over HTTP, on the server's socket. */
  let client: ApiClient;
  let dir: string;
  let prometheus: ReturnType<typeof start> | undefined;
  let alertmanager: ReturnType<typeof start> | undefined;
  let network: TestAgent;
  let reader: TestCaller;
  let seq = 0;
  const nodeCode = 'N-450100';

  const probe = async (up: boolean) => {
    const res = await client.post(
      '/api/v1/ingest/batches',
      {
        agent: network.name,
        seq: ++seq,
        sent_at: new Date().toISOString(),
        next_report_seconds: 30,
        items: [sample(nodeCode, new Date().toISOString(), up ? {} : { up: false, latency_ms: null, loss: 1 })],
      },
      { headers: { Authorization: `Bearer ${network.token}` } },
    );
    expect(res.status, res.text).toBe(200);
  };
  const prometheusAlerts = async () => {
    const res = await client.as(reader).get<{
      items: { state: string; subject: { code: string }; region: string | null; severity: string; details: Record<string, unknown> }[];
    }>('/api/v1/alerts?rule=prometheus&limit=100');
    expect(res.status).toBe(200);
    return res.body.items.filter((a) => a.subject.code === 'YunwangNodeDown');
  };

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    await loadDivisions(database.db);
    api = await startApiServer(database, { YUNWANG_METRICS_CACHE_SECONDS: 1 });
    client = apiClient(serverTarget(api.url));
    reader = await callerWith(database.db, ['ops']);
    // The node the rule watches: a city-level metro node (the bounded set /metrics exposes).
    const created = await client
      .as(await callerWith(database.db, ['ops']))
      .post('/api/v1/network-nodes', { code: nodeCode, name: '南宁市城域节点', region_code: '450100', tier: 'metro', commissioned: true });
    expect(created.status, created.text).toBe(201);
    network = await newAgent(database, 'network');
    const { token } = await issueAgentToken(database.db, { name: 'alertmanager-test', kind: 'alertmanager' }, rootActor('test'));

    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-alertmanager-'));
    const [promPort, amPort] = [await freePort(), await freePort()];
    await writeFile(path.join(dir, 'rules.yml'), stringify({ groups: shippedRuleGroups() }));
    // Like k8s/base/monitoring's receiver: the webhook with the token as bearer credentials.
    await writeFile(
      path.join(dir, 'alertmanager.yml'),
      stringify({
        route: { receiver: 'yunwang', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
        receivers: [
          {
            name: 'yunwang',
            webhook_configs: [
              {
                url: `${api.url}/api/v1/alerts/alertmanager`,
                send_resolved: true,
                http_config: { authorization: { type: 'Bearer', credentials: token } },
              },
            ],
          },
        ],
      }),
    );
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(dir, 'rules.yml')],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [{ job_name: 'yunwang', metrics_path: '/metrics', static_configs: [{ targets: [`127.0.0.1:${api.port}`] }] }],
      }),
    );
    alertmanager = start(ALERTMANAGER, [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    prometheus = start(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);
    await waitFor(
      `Alertmanager ready (log: ${alertmanager.log()})`,
      async () => (await fetch(`http://127.0.0.1:${amPort}/-/ready`).catch(() => null))?.ok === true,
      30_000,
      250,
    );
  }, 120_000);

  afterAll(async () => {
    await stop(prometheus?.child);
    await stop(alertmanager?.child);
    await api?.stop();
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows a firing Prometheus alert in GET /api/v1/alerts, and resolves it', async () => {
    await probe(false);
    const firing = await waitFor(
      `YunwangNodeDown in yunwang (prometheus: ${prometheus?.log()}; alertmanager: ${alertmanager?.log()})`,
      async () => {
        await probe(false);
        const found = (await prometheusAlerts()).find((a) => a.state === 'firing');
        return found ?? false;
      },
      60_000,
      1000,
    );
    expect(firing).toMatchObject({ severity: 'critical', region: '450100' });
    expect((firing.details.labels as Record<string, string>).node).toBe(nodeCode);

    await probe(true);
    await waitFor(
      'YunwangNodeDown resolved in yunwang',
      async () => {
        await probe(true);
        return (await prometheusAlerts()).some((a) => a.state === 'resolved');
      },
      60_000,
      1000,
    );
    expect((await prometheusAlerts()).filter((a) => a.state === 'firing')).toEqual([]);
  });
});
