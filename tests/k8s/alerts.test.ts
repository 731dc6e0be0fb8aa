/**
 * The rules of k8s/base/monitoring/prometheusrule.yaml: `promtool check rules` and
 * `promtool test rules k8s/tests/*.yaml`, a test that fires and one that stays quiet for every
 * alert, a promtool test of every recording rule and a dashboard that reads it, only the metric
 * families of the /metrics contract (issues #5 and #19), a runbook in docs/runbooks/ for every
 * alert, and `absent()` alerts that carry the job they miss.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderDashboards } from '../../dashboards/src/index.ts';
import { promtoolRuleFile, promtoolRules, ruleSource } from '../../k8s/rules.ts';
import { describeWithTool, repoRoot } from './kube.ts';

const execFileAsync = promisify(execFile);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Group {
  name: string;
  rules: Rule[];
}
interface PromtoolTests {
  rule_files: string[];
  tests: {
    alert_rule_test?: { alertname: string; exp_alerts: { exp_labels?: Record<string, string> }[] }[];
    promql_expr_test?: { expr: string }[];
  }[];
}

const testsDir = path.join(repoRoot, 'k8s/tests');
const ruleText = await readFile(ruleSource, 'utf8');
const groups = (parse(ruleText) as { spec: { groups: Group[] } }).spec.groups;
const rules = groups.flatMap((g) => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const records = rules.filter((r): r is Rule & { record: string } => r.record !== undefined);
const testFiles = (await readdir(testsDir)).filter((f) => f.endsWith('.yaml')).sort();
const promtoolTests = await Promise.all(testFiles.map(async (f) => parse(await readFile(path.join(testsDir, f), 'utf8')) as PromtoolTests));
const alertCases = promtoolTests.flatMap((t) => t.tests.flatMap((c) => c.alert_rule_test ?? []));
const exprCases = promtoolTests.flatMap((t) => t.tests.flatMap((c) => c.promql_expr_test ?? []));

/** The families of the /metrics contract (issues #5 and #19); a histogram also has _bucket, _sum and _count. */
const contractFamilies = [
  'yunwang_target_ratio',
  'yunwang_target_gap_ratio',
  'yunwang_indicator_numerator',
  'yunwang_indicator_denominator',
  'yunwang_indicator_ratio',
  'yunwang_pending_items',
  'yunwang_cloud_tenants',
  'yunwang_cloud_quota_vcpu',
  'yunwang_cloud_quota_memory_bytes',
  'yunwang_cloud_quota_storage_bytes',
  'yunwang_cloud_usage_vcpu',
  'yunwang_cloud_usage_memory_bytes',
  'yunwang_cloud_usage_storage_bytes',
  'yunwang_network_nodes',
  'yunwang_network_node_up',
  'yunwang_network_node_latency_seconds',
  'yunwang_agent_last_seen_timestamp_seconds',
  'yunwang_agent_interval_seconds',
  'yunwang_ingest_batches_total',
  'yunwang_ingest_items_total',
  'yunwang_build_info',
  'yunwang_db_pool_connections',
  'yunwang_db_pool_waiting_requests',
  'yunwang_job_last_success_timestamp_seconds',
  'yunwang_job_failures_total',
  'yunwang_job_interval_seconds',
];
const histograms = ['yunwang_http_request_duration_seconds', 'yunwang_job_duration_seconds'];
const allowed = new Set([
  ...contractFamilies,
  ...histograms.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
  ...records.map((r) => r.record),
  // Prometheus's own series for each target it scrapes: 1 when /metrics answered, else 0.
  'up',
]);
/** yunwang's metric names (recorded ones too) in an expression, and `up` where a rule reads the scrapes themselves. */
const metricsOf = (expr: string) => [...(expr.match(/[a-z_:]*yunwang_[a-z0-9_:]*/g) ?? []), ...(/\bup\{/.test(expr) ? ['up'] : [])];

describe('alert rules (static)', () => {
  it('has the alerts the issues name, each with a severity and a summary', () => {
    const names = alerts.map((a) => a.alert);
    for (const name of [
      'YunwangAgentStale',
      'YunwangNodeDown',
      'YunwangIngestErrors',
      'YunwangIndicatorBehindTarget',
      'YunwangApiServerErrors',
      'YunwangApiTargetDown',
      'YunwangMetricsAbsent',
      'YunwangJobFailing',
      'YunwangJobLate',
      'YunwangDbPoolSaturated',
    ]) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
    for (const a of alerts) {
      expect(['critical', 'warning', 'info'], a.alert).toContain(a.labels?.severity);
      expect(a.annotations?.summary, a.alert).toBeTruthy();
    }
  });

  it('reads only metric families of the /metrics contract, or the recorded series', () => {
    for (const rule of rules) {
      const metrics = metricsOf(rule.expr);
      expect(metrics.length, rule.alert ?? rule.record).toBeGreaterThan(0);
      for (const metric of metrics) expect(allowed.has(metric), `${rule.alert ?? rule.record} reads ${metric}`).toBe(true);
    }
  });

  it('names every recorded series level:metric:operations', () => {
    for (const { record } of records) expect(record).toMatch(/^[a-z_]+:yunwang_[a-z0-9_]+:[a-z0-9_]+$/);
  });

  it('links every alert to a runbook in docs/runbooks/ that exists, and every runbook to an alert', async () => {
    const runbooks = (await readdir(path.join(repoRoot, 'docs/runbooks'))).filter((f) => f.endsWith('.md') && f !== 'README.md');
    for (const a of alerts) {
      // The runbook's path in this repository: no host to guess, and it cannot drift from the file.
      expect(a.annotations?.runbook_url, a.alert).toBe(`docs/runbooks/${a.alert}.md`);
      const file = path.join(repoRoot, a.annotations?.runbook_url ?? '');
      expect(existsSync(file), `${a.alert}: ${a.annotations?.runbook_url} does not exist`).toBe(true);
      const text = await readFile(file, 'utf8');
      expect(text, a.alert).toContain(`# ${a.alert}`);
      for (const section of ['## Meaning', '## Impact', '## Diagnosis', '## Fix', '## Escalation']) {
        expect(text, `${a.alert}: ${section}`).toContain(section);
      }
    }
    expect(runbooks.sort()).toEqual(alerts.map((a) => `${a.alert}.md`).sort());
  });

  it('writes each absent() alert with the job in its selector, and a test shows the job in its labels', () => {
    const absentAlerts = alerts.filter((a) => /\babsent(_over_time)?\s*\(/.test(a.expr));
    expect(absentAlerts.length).toBeGreaterThan(0);
    for (const a of absentAlerts) {
      // absent() keeps only the labels of equality matchers: without job="…" the alert says nothing of whose target it misses.
      expect(a.expr, a.alert).toMatch(/absent(_over_time)?\s*\(\s*\w+\{[^}]*\bjob="[^"]+"/);
      const firing = alertCases.filter((c) => c.alertname === a.alert).flatMap((c) => c.exp_alerts);
      expect(firing.length, a.alert).toBeGreaterThan(0);
      for (const e of firing) expect(e.exp_labels?.job, a.alert).toBeTruthy();
    }
  });

  it('has a promtool test in which each alert fires, and one in which it stays quiet', () => {
    for (const { alert } of alerts) {
      expect(
        alertCases.some((c) => c.alertname === alert && c.exp_alerts.length > 0),
        `${alert} fires in no test`,
      ).toBe(true);
      expect(
        alertCases.some((c) => c.alertname === alert && c.exp_alerts.length === 0),
        `${alert} has no test where it stays quiet`,
      ).toBe(true);
    }
    // No test names an alert that does not exist.
    for (const c of alertCases) expect(alerts.map((a) => a.alert)).toContain(c.alertname);
  });

  it('has a promtool test of every recording rule, and a dashboard that reads it', () => {
    const dashboards = Object.values(renderDashboards()).join('\n');
    for (const { record } of records) {
      expect(
        exprCases.some((c) => c.expr.includes(record)),
        `${record} has no promql_expr_test`,
      ).toBe(true);
      expect(dashboards.includes(record), `no dashboard reads ${record}`).toBe(true);
    }
  });

  it('k8s/tests/rules.yml is the PrometheusRule as promtool reads it (npm run rules)', async () => {
    expect(await readFile(promtoolRules, 'utf8'), 'k8s/tests/rules.yml is stale: run npm run rules').toBe(promtoolRuleFile(ruleText));
    for (const t of promtoolTests) expect(t.rule_files).toEqual(['rules.yml']);
  });
});

describeWithTool('promtool', 'apt-get install -y prometheus', 'alert rules (promtool)', (promtool) => {
  let dir: string;
  const promtoolRun = (args: string[]) =>
    execFileAsync(promtool, args, { cwd: dir }).then(
      ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
  const writeRules = (changed: Group[]) => writeFile(path.join(dir, 'rules.yml'), stringify({ groups: changed }));
  const testAll = () => promtoolRun(['test', 'rules', ...testFiles]);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-promtool-'));
    for (const f of testFiles) await copyFile(path.join(testsDir, f), path.join(dir, f));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('promtool check rules accepts the PrometheusRule groups', async () => {
    await writeRules(groups);
    const result = await promtoolRun(['check', 'rules', 'rules.yml']);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.ok).toBe(true);
  });

  it('promtool test rules k8s/tests/*.yaml passes, run from the repository root as committed', async () => {
    const result = await execFileAsync(promtool, ['test', 'rules', ...testFiles.map((f) => path.join('k8s/tests', f))], {
      cwd: repoRoot,
    }).then(
      ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    console.log(result.output.trim());
    expect(result.ok, result.output).toBe(true);
  });

  it.each(alerts.map((a) => a.alert))('the promtool tests fail when %s never fires', async (name) => {
    const broken = groups.map((g) => ({ ...g, rules: g.rules.map((r) => (r.alert === name ? { ...r, expr: 'vector(1) == 0' } : r)) }));
    await writeRules(broken);
    const result = await testAll();
    expect(result.ok).toBe(false);
    expect(result.output).toContain(`alertname: ${name}`);
  });

  it.each(alerts.map((a) => a.alert))('the promtool tests fail when %s always fires', async (name) => {
    const broken = groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => (r.alert === name ? { ...r, expr: 'vector(1)', for: '0s' } : r)),
    }));
    await writeRules(broken);
    const result = await testAll();
    expect(result.ok).toBe(false);
    expect(result.output).toContain(`alertname: ${name}`);
  });

  it.each(records.map((r) => r.record))('the promtool tests fail when %s records something else', async (name) => {
    const broken = groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => (r.record === name ? { ...r, expr: `(${r.expr}) * 2` } : r)),
    }));
    await writeRules(broken);
    const result = await testAll();
    expect(result.ok).toBe(false);
    expect(result.output).toContain(name);
  });
});
