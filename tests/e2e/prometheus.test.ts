/**
 * No empty or broken panel, no alert on a metric that does not exist: a real Prometheus
 * (/usr/bin/prometheus, started here with its own temp storage, 1 s scrape interval) scrapes
 * a real yunwang on a socket, with the demo data loaded (scale 0.2) and the demo's own live
 * agents reporting over HTTP (12 nodes, one down, one lossy; the GXCLOUD tenants), plus a
 * duplicate and a refused batch. Then every PromQL expression shipped with the project goes to Prometheus's
 * /api/v1/query:
 *
 * - every `expr` of every panel of the committed dashboards/json/*.json, the Grafana variables
 *   replaced by concrete values ($city=450100, $indicator=cloud_migration, $province=450000,
 *   $job=yunwang-api, $__rate_interval=1m): each must evaluate AND return at least one series
 *   (Prometheus loads the PrometheusRule's groups, so the recorded series the panels read exist);
 * - every dashboard variable's label_values() query: it must list at least one value;
 * - every rule of every `kind: PrometheusRule` under k8s/ (picked up whenever that folder
 *   holds them), plus the example alerts of the metrics contract: a recording rule must
 *   return data. An alert is a condition that is normally false, so an empty answer is
 *   right for it; what must hold is that the expression is valid (Prometheus accepts it)
 *   and that what it compares exists: the left-hand side of its first top-level comparison
 *   (`time() - last_seen > 3 * interval` → `time() - last_seen`) must return data, and for
 *   `absent(x)` the x. An alert with neither, and an empty answer, fails: it cannot be
 *   shown to watch anything.
 *
 * Without prometheus the test is skipped with the reason; with CI=true that skip is a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtoolRuleFile, ruleSource } from '../../k8s/rules.ts';
import type { Database } from '../../src/db/client.ts';
import { startDemoLiveAgents } from '../../src/demo/live.ts';
import { loadDemoData } from '../../src/demo/load.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { waitFor } from '../helpers/agents.ts';
import { type ApiClient, apiClient, serverTarget } from '../helpers/api.ts';
import { type ApiServer, startApiServer } from '../helpers/api-server.ts';
import { callerWith } from '../helpers/auth.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { requireProgram } from '../helpers/exposition.ts';
import { newAgent, sample, type TestAgent } from '../helpers/ingest.ts';
import { freePort } from '../helpers/ports.ts';
import {
  absentArgument,
  comparedOperand,
  dashboardQueries,
  prometheusRuleQueries,
  type ShippedQuery,
  substituteVariables,
} from '../helpers/promql.ts';

const PROMETHEUS = '/usr/bin/prometheus';
const root = fileURLToPath(new URL('../..', import.meta.url));
const missing = requireProgram(PROMETHEUS, 'apt-get install -y prometheus');

/** What a dashboard's variables stand for in this test. */
const variables = {
  city: '450100',
  province: '450000',
  indicator: 'cloud_migration',
  job: 'yunwang-api',
  __rate_interval: '1m',
  __interval: '15s',
  __range: '5m',
};

/** The example alerts of the metrics contract (README.md, "Prometheus & Grafana"), checked like the k8s rules. */
const contractAlerts: ShippedQuery[] = [
  {
    where: 'contract: YunwangAgentStale',
    expr: 'time() - yunwang_agent_last_seen_timestamp_seconds > 3 * yunwang_agent_interval_seconds',
    kind: 'alert',
  },
  { where: 'contract: YunwangNodeDown', expr: 'yunwang_network_node_up == 0', kind: 'alert' },
  { where: 'contract: YunwangIngestErrors', expr: 'sum(rate(yunwang_ingest_batches_total{result="rejected"}[5m])) > 0', kind: 'alert' },
  { where: 'contract: YunwangIndicatorBehindTarget', expr: 'yunwang_target_gap_ratio > 0.05', kind: 'alert' },
];

describe('reading the operand an alert compares', () => {
  it('takes the left of the first top-level comparison, inside the first operand of a set operator', () => {
    expect(comparedOperand('time() - a{x=~"b|c"} > 3 * b')).toBe('time() - a{x=~"b|c"}');
    expect(comparedOperand('up == 0')).toBe('up');
    expect(comparedOperand('sum(rate(a{r!="x"}[5m])) > 0 and on() b < 1')).toBe('sum(rate(a{r!="x"}[5m]))');
    expect(comparedOperand('max by (a) (x) >= bool 1')).toBe('max by (a) (x)');
    expect(comparedOperand('sum(x)')).toBeNull();
    expect(absentArgument('absent(up{job="yunwang"})')).toBe('up{job="yunwang"}');
    expect(absentArgument('absent_over_time(up{job="y"}[5m])')).toBe('up{job="y"}');
  });
});

interface QueryAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown[] | [number, string] };
}

describe.skipIf(missing)(`Prometheus scraping yunwang answers every shipped query${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let database: Database;
  let api: ApiServer;
  /** yunwang's API over HTTP, on the server's socket. */
  let client: ApiClient;
  let dir: string;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  let log = '';

  const query = async (expr: string): Promise<QueryAnswer> => {
    const res = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    return (await res.json()) as QueryAnswer;
  };
  const resultCount = (a: QueryAnswer) => {
    if (a.data?.resultType === 'scalar') return 1;
    return Array.isArray(a.data?.result) ? a.data.result.length : 0;
  };

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    await loadDivisions(database.db);
    await loadDemoData(database.db, { scale: 0.2 });
    api = await startApiServer(database, { YUNWANG_METRICS_CACHE_SECONDS: 1 });
    client = apiClient(serverTarget(api.url));

    // The demo's own live agents fill the node, agent and tenant panels, through the real
    // ingest route on the socket; a duplicate and a refused batch fill the ingest panels.
    const demoLive = startDemoLiveAgents({
      app: serverTarget(api.url),
      db: database.db,
      intervalSeconds: 3600,
    });
    await demoLive.runOnce();
    await demoLive.stop();
    const network = await newAgent(database, 'network');
    const post = async (agent: TestAgent, items: unknown[], expected: number, seq: number) => {
      const res = await client.post(
        '/api/v1/ingest/batches',
        { agent: agent.name, seq, sent_at: new Date().toISOString(), next_report_seconds: 30, items },
        { headers: { Authorization: `Bearer ${agent.token}`, 'User-Agent': 'yunwang-agent/9.9.9 (test)' } },
      );
      expect(res.status, res.text).toBe(expected);
    };
    const now = new Date().toISOString();
    await post(network, [sample('N-450100', now)], 200, 1);
    await post(network, [sample('N-450100', now)], 200, 1); // a duplicate
    await post(network, [sample('NO-SUCH-NODE', now)], 422, 2); // refused

    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-prometheus-'));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    // The PrometheusRule's groups, so the recorded series the dashboards read are there; and
    // the job named as the ServiceMonitor names it (the Service's name), as the rules expect.
    await writeFile(path.join(dir, 'rules.yml'), promtoolRuleFile(await readFile(ruleSource, 'utf8')));
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${path.join(dir, 'rules.yml')}`,
        'scrape_configs:',
        '  - job_name: yunwang-api',
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${api.port}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      log = `${log}${chunk.toString()}`.slice(-4000);
    };
    prometheus.stdout?.on('data', keep);
    prometheus.stderr?.on('data', keep);
    // rate() over 1m needs two samples; a few scrapes make sure every series has them.
    await waitFor(
      `Prometheus scraping yunwang (log: ${log})`,
      async () => {
        try {
          const a = await query('count_over_time(up{job="yunwang-api"}[1m]) >= 4 and up{job="yunwang-api"} == 1');
          // …and the rules have recorded from those scrapes.
          const recorded = await query('count_over_time(route_status:yunwang_http_requests:rate5m[1m]) >= 2');
          return resultCount(a) > 0 && resultCount(recorded) > 0;
        } catch {
          return false;
        }
      },
      45_000,
      250,
    );
  }, 240_000);

  afterAll(async () => {
    if (prometheus?.pid && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      process.kill(prometheus.pid, 'SIGTERM');
      await exited;
    }
    await api?.stop();
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('returns data for every panel of every committed dashboard', async () => {
    const panels = dashboardQueries(root);
    expect(panels.length).toBeGreaterThan(30);
    const empty: string[] = [];
    for (const q of panels) {
      const expr = substituteVariables(q.expr, variables);
      const answer = await query(expr);
      expect(answer.status, `${q.where}: ${expr}: ${answer.error}`).toBe('success');
      if (resultCount(answer) === 0) empty.push(`${q.where}: ${expr}`);
    }
    expect(empty, 'panels with no data').toEqual([]);
  });

  it('lists at least one value for every label_values() variable of every dashboard', async () => {
    const dashboardsDir = path.join(root, 'dashboards', 'json');
    const empty: string[] = [];
    for (const file of (await readdir(dashboardsDir)).filter((f) => f.endsWith('.json'))) {
      const { templating } = JSON.parse(await readFile(path.join(dashboardsDir, file), 'utf8')) as {
        templating: { list: { name: string; query?: unknown }[] };
      };
      for (const v of templating.list) {
        const m = /^label_values\((.+),\s*(\w+)\)$/.exec(typeof v.query === 'string' ? v.query : '');
        if (!m) continue;
        const res = await fetch(`${promUrl}/api/v1/series?${new URLSearchParams({ 'match[]': m[1] as string })}`);
        const series = ((await res.json()) as { data?: Record<string, string>[] }).data ?? [];
        const values = new Set(series.map((s) => s[m[2] as string]).filter(Boolean));
        if (values.size === 0) empty.push(`${file}: $${v.name}: ${v.query}`);
        if (v.name in variables) expect(values, `${file}: $${v.name}`).toContain(variables[v.name as keyof typeof variables]);
      }
    }
    expect(empty, 'variables with no values').toEqual([]);
  });

  it('serves the GeoJSON the coverage map draws, with the figures its style rules read', async () => {
    const url = `/geo/guangxi-cities.json?indicator=${variables.indicator}`;
    // Map layers are for signed-in users: the console's session (here a leader's token).
    expect((await client.get(url)).status).toBe(401);
    const leader = await callerWith(database.db, ['leader']);
    const res = await client.as(leader).get<{ features: { properties: { percent?: number | null } }[] }>(url);
    expect(res.status).toBe(200);
    const shapes = res.body;
    expect(shapes.features).toHaveLength(14);
    expect(shapes.features.every((f) => typeof f.properties.percent === 'number')).toBe(true);
  });

  it('accepts every PrometheusRule under k8s/ and the contract alerts, and finds what each one watches', async () => {
    const rules = [...prometheusRuleQueries(root), ...contractAlerts];
    const problems: string[] = [];
    for (const rule of rules) {
      const answer = await query(rule.expr);
      if (answer.status !== 'success') {
        problems.push(`${rule.where}: invalid: ${answer.error}`);
        continue;
      }
      if (resultCount(answer) > 0) continue;
      if (rule.kind !== 'alert') {
        problems.push(`${rule.where}: recording rule returns no data: ${rule.expr}`);
        continue;
      }
      const watched = comparedOperand(rule.expr) ?? absentArgument(rule.expr);
      if (!watched) {
        problems.push(`${rule.where}: empty, and has no comparison or absent() to check what it watches: ${rule.expr}`);
        continue;
      }
      const operand = await query(watched);
      if (operand.status !== 'success' || resultCount(operand) === 0) {
        problems.push(`${rule.where}: what it watches returns no data: ${watched} (${operand.error ?? 'empty'})`);
      }
    }
    expect(problems).toEqual([]);
    // The demo's node that is always down fires YunwangNodeDown: the alerts see the live state.
    expect(resultCount(await query('yunwang_network_node_up{node="N-450300"} == 0'))).toBe(1);
  });
});
