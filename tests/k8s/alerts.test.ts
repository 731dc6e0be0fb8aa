/**
 * The alerts of k8s/base/monitoring/prometheusrule.yaml: `promtool check rules` and
 * `promtool test rules` with k8s/tests/prometheus-rules.test.yaml, a test that fires and one
 * that stays quiet for every alert, and only the metric families of the /metrics contract.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { describeWithTool, repoRoot } from './kube.ts';

const execFileAsync = promisify(execFile);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}
interface Group {
  name: string;
  rules: Rule[];
}
interface PromtoolTests {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const ruleFile = path.join(repoRoot, 'k8s/base/monitoring/prometheusrule.yaml');
const testFile = path.join(repoRoot, 'k8s/tests/prometheus-rules.test.yaml');
const groups = (parse(await readFile(ruleFile, 'utf8')) as { spec: { groups: Group[] } }).spec.groups;
const alerts = groups.flatMap((g) => g.rules).filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const promtoolTests = parse(await readFile(testFile, 'utf8')) as PromtoolTests;

/** The families of the /metrics contract (issue #5); a histogram also has _bucket, _sum and _count. */
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
];
const histograms = ['yunwang_http_request_duration_seconds'];
const allowed = new Set([...contractFamilies, ...histograms.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`])]);

describe('alert rules (static)', () => {
  it('has the alerts the issue names, each with a severity and a summary', () => {
    const names = alerts.map((a) => a.alert);
    for (const name of ['YunwangAgentStale', 'YunwangNodeDown', 'YunwangIngestErrors', 'YunwangIndicatorBehindTarget']) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
    for (const a of alerts) expect(['critical', 'warning', 'info'], a.alert).toContain(a.labels?.severity);
  });

  it('reads only metric families of the /metrics contract', () => {
    for (const rule of alerts) {
      const metrics = rule.expr.match(/\byunwang_[a-z_]+/g) ?? [];
      expect(metrics.length, rule.alert).toBeGreaterThan(0);
      for (const metric of metrics) expect(allowed.has(metric), `${rule.alert} reads ${metric}`).toBe(true);
    }
  });

  it('has a promtool test in which each alert fires, and one in which it stays quiet', () => {
    const cases = promtoolTests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts) {
      expect(
        cases.some((c) => c.alertname === alert && c.exp_alerts.length > 0),
        `${alert} fires in no test`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alertname === alert && c.exp_alerts.length === 0),
        `${alert} has no test where it stays quiet`,
      ).toBe(true);
    }
    // No test names an alert that does not exist.
    for (const c of cases) expect(alerts.map((a) => a.alert)).toContain(c.alertname);
  });
});

describeWithTool('promtool', 'apt-get install -y prometheus', 'alert rules (promtool)', (promtool) => {
  let dir: string;
  const promtoolRun = (args: string[]) =>
    execFileAsync(promtool, args, { cwd: dir }).then(
      ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
  const writeRules = (rules: Group[]) => writeFile(path.join(dir, promtoolTests.rule_files[0] as string), stringify({ groups: rules }));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-promtool-'));
    await copyFile(testFile, path.join(dir, 'tests.yaml'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('promtool check rules accepts the PrometheusRule groups', async () => {
    await writeRules(groups);
    const result = await promtoolRun(['check', 'rules', promtoolTests.rule_files[0] as string]);
    expect(result.output).toContain(`SUCCESS: ${groups.flatMap((g) => g.rules).length} rules found`);
    expect(result.ok).toBe(true);
  });

  it('promtool test rules passes k8s/tests/prometheus-rules.test.yaml', async () => {
    await writeRules(groups);
    const result = await promtoolRun(['test', 'rules', 'tests.yaml']);
    console.log(result.output.trim());
    expect(result.ok, result.output).toBe(true);
  });

  it.each(alerts.map((a) => a.alert))('the promtool tests fail when %s never fires', async (name) => {
    const broken = groups.map((g) => ({ ...g, rules: g.rules.map((r) => (r.alert === name ? { ...r, expr: 'vector(1) == 0' } : r)) }));
    await writeRules(broken);
    const result = await promtoolRun(['test', 'rules', 'tests.yaml']);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(`alertname: ${name}`);
  });

  it.each(alerts.map((a) => a.alert))('the promtool tests fail when %s always fires', async (name) => {
    const broken = groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => (r.alert === name ? { ...r, expr: 'vector(1)', for: '0s' } : r)),
    }));
    await writeRules(broken);
    const result = await promtoolRun(['test', 'rules', 'tests.yaml']);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(`alertname: ${name}`);
  });
});
