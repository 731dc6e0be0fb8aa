/**
 * GET /metrics on an app with demo data and some agent traffic: the business gauges add up to
 * the official figures (computeIndicators), live node and agent state is exported for the
 * bounded set of nodes only, the ingest counters count each outcome, the request histogram is
 * labelled by route pattern, and promtool finds nothing to complain about in the output.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, appMetrics, createApp } from '../../src/app.ts';
import { queryRows } from '../../src/db/raw.ts';
import { alertRuleKeys, alertSeverities, channelKinds } from '../../src/db/schema/enums.ts';
import { loadDemoData } from '../../src/demo/load.ts';
import { indicatorKeys } from '../../src/indicators/definitions.ts';
import { resolveScope } from '../../src/indicators/scope.ts';
import { computeIndicators } from '../../src/indicators/service.ts';
import { computeFigures, resolvePeriod } from '../../src/interconnection/service.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { apiClient, fromAddress } from '../helpers/api.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { PROMTOOL, parseExposition, promtoolCheck, requireProgram, type Series, select, sum } from '../helpers/exposition.ts';
import { newAgent, sample, sendBatch, type TestAgent, tenant } from '../helpers/ingest.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
const noPromtool = requireProgram(PROMTOOL, 'apt-get install -y prometheus');
const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();

describeEachBackend('/metrics', (getDb) => {
  let app: App;
  let network: TestAgent;
  let cloudAgent: TestAgent;
  let department: string;

  const scrape = async (target: App = app): Promise<{ text: string; series: Series[] }> => {
    const { status, text } = await apiClient(target).get('/metrics');
    expect(status, text).toBe(200);
    return { text, series: parseExposition(text) };
  };

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    await loadDemoData(db, { scale: 0.2 });
    // A 1 s cache: each test below can wait it out and see what it just did.
    app = createApp({ database: getDb(), config: { ...config, YUNWANG_METRICS_CACHE_SECONDS: 1 } });
    network = await newAgent(getDb(), 'network');
    cloudAgent = await newAgent(getDb(), 'cloud', 'GXCLOUD');
    const [dept] = await queryRows<{ code: string }>(db, sql`select code from departments order by code limit 1`);
    department = dept?.code as string;

    const ok = async (answer: Promise<{ status: number; body: unknown }>) => {
      const a = await answer;
      expect(a.status, JSON.stringify(a.body)).toBe(200);
    };
    // Backbone up, a city node down, a county node (not exported one by one) up.
    await ok(
      sendBatch(app, network, [
        sample('N-450000-BB1', iso(), { latency_ms: 4.2 }),
        sample('N-450100', iso(), { up: false, latency_ms: null, loss: 1 }),
        sample('N-450102', iso()),
      ]),
    );
    await ok(sendBatch(app, network, [sample('N-450000-BB2', iso(), { latency_ms: 7 })], { seq: 1 })); // a duplicate
    expect((await sendBatch(app, network, [sample('NO-SUCH-NODE', iso())])).status).toBe(422); // rejected
    await ok(sendBatch(app, cloudAgent, [tenant('GXCLOUD', 'metrics-test-tenant', department, iso())], { interval: 60 }));
  }, 180_000);

  it('splits every indicator into a partition of the province: the sum over region is the official province figure', async () => {
    const { series } = await scrape();
    const province = await computeIndicators(getDb().db, { scope: '450000' });
    for (const key of indicatorKeys) {
      const official = province.indicators.find((i) => i.key === key);
      const numerators = select(series, 'yunwang_indicator_numerator', { indicator: key });
      expect(numerators.length, key).toBeGreaterThan(0);
      expect([sum(numerators), sum(select(series, 'yunwang_indicator_denominator', { indicator: key }))], key).toEqual([
        official?.numerator,
        official?.denominator,
      ]);
    }
    // 对接完成率 splits by the departments' level; the others do not.
    const levels = new Set(select(series, 'yunwang_indicator_numerator', { indicator: 'service_integration' }).map((s) => s.labels.level));
    expect([...levels].sort()).toEqual(expect.arrayContaining(['city', 'county', 'province']));
    expect(new Set(select(series, 'yunwang_indicator_numerator', { indicator: 'cloud_migration' }).map((s) => s.labels.level))).toEqual(
      new Set(['all']),
    );
    // The regions: the 14 cities and the province's own level.
    const regions = new Set(series.filter((s) => s.name.startsWith('yunwang_indicator_')).map((s) => s.labels.region));
    expect(regions.size).toBe(15);
    expect([...regions].every((r) => /^45\d\d00$/.test(r ?? ''))).toBe(true);

    const nanning = await computeIndicators(getDb().db, { scope: '450100' });
    for (const f of nanning.indicators) {
      const ratio = select(series, 'yunwang_indicator_ratio', { indicator: f.key, region: '450100' });
      expect(
        ratio.map((s) => s.value),
        f.key,
      ).toEqual(f.ratio === null ? [] : [f.ratio]);
    }
    const ownLevel = await computeIndicators(getDb().db, { scope: '450000', self: true });
    const pending = ownLevel.indicators.find((i) => i.key === 'cloud_migration')?.pending;
    expect(select(series, 'yunwang_pending_items', { kind: 'systems', region: '450000' }).map((s) => s.value)).toEqual([pending]);
    const allPending = province.indicators.find((i) => i.key === 'private_network_interconnection')?.pending;
    expect(sum(select(series, 'yunwang_pending_items', { kind: 'private_networks' }))).toBe(allPending);
    const centresPending = province.indicators.find((i) => i.key === 'data_centre_consolidation')?.pending;
    expect(centresPending).toBeGreaterThan(0);
    expect(sum(select(series, 'yunwang_pending_items', { kind: 'data_centres' }))).toBe(centresPending);
    expect(select(series, 'yunwang_region_info', { region: '450100' }).map((s) => s.labels.name)).toEqual(['南宁市']);
  });

  it('exports the interconnection figures per region: services and volumes sum to the province’s', async () => {
    const { series } = await scrape();
    const { db } = getDb();
    const [from, to] = await resolvePeriod(db, {});
    const province = await computeFigures(db, await resolveScope(db, '450000', false), from, to);
    // The demo's services are published and counted: the figures are not zero.
    expect(province.services).toBeGreaterThan(10);
    expect(province.volume_total).toBeGreaterThan(100_000);
    // A service has one provider, so services and volumes partition over the regions.
    expect(sum(select(series, 'yunwang_interface_services'))).toBe(province.services);
    expect(sum(select(series, 'yunwang_exchange_volume'))).toBe(province.volume_total);
    const nanning = await computeFigures(db, await resolveScope(db, '450100', false), from, to);
    const value = (name: string) => select(series, name, { region: '450100' }).map((s) => s.value);
    expect(value('yunwang_interconnection_systems_served')).toEqual([nanning.systems_served]);
    expect(value('yunwang_interconnection_connected_units')).toEqual([nanning.connected_units]);
    expect(value('yunwang_exchange_volume_daily_average')).toEqual([nanning.volume_daily_average]);
    expect(new Set(select(series, 'yunwang_interface_services').map((s) => s.labels.region)).size).toBe(15);
  });

  it('exports clouds, nodes and agents as the database holds them, one node at a time only for backbone and city nodes', async () => {
    const { series } = await scrape();
    const value = (name: string, labels: Record<string, string>) => select(series, name, labels).map((s) => s.value);
    const [gx] = await queryRows<{ tenants: number; vcpu: number; memory: number }>(
      getDb().db,
      sql`select count(*)::int as tenants, sum(t.vcpu_quota)::float8 as vcpu, sum(t.memory_used_gib)::float8 as memory
          from cloud_tenants t join clouds c on c.id = t.cloud_id where c.code = 'GXCLOUD'`,
    );
    expect(value('yunwang_cloud_tenants', { cloud: 'GXCLOUD' })).toEqual([gx?.tenants]);
    expect(value('yunwang_cloud_quota_vcpu', { cloud: 'GXCLOUD' })[0]).toBeCloseTo(gx?.vcpu ?? Number.NaN, 3);
    expect(value('yunwang_cloud_usage_memory_bytes', { cloud: 'GXCLOUD' })[0]).toBeCloseTo((gx?.memory ?? 0) * 1024 ** 3, -3);
    // One unit per metric name: no family mixes vCPUs and bytes under a `resource` label.
    for (const what of ['quota', 'usage', 'capacity']) {
      for (const unit of ['vcpu', 'memory_bytes', 'storage_bytes']) {
        const family = select(series, `yunwang_cloud_${what}_${unit}`);
        expect(family.length, `yunwang_cloud_${what}_${unit}`).toBeGreaterThan(0);
        expect(family.every((s) => Object.keys(s.labels).join() === 'cloud')).toBe(true);
      }
    }
    expect(series.some((s) => 'resource' in s.labels)).toBe(false);
    expect(value('yunwang_cloud_info', { cloud: 'GXCLOUD' })).toEqual([1]);

    expect(value('yunwang_network_node_up', { node: 'N-450000-BB1', region: '450000', tier: 'backbone' })).toEqual([1]);
    expect(value('yunwang_network_node_latency_seconds', { node: 'N-450000-BB1' })[0]).toBeCloseTo(0.0042, 6);
    expect(value('yunwang_network_node_up', { node: 'N-450100', region: '450100', tier: 'metro' })).toEqual([0]);
    expect(value('yunwang_network_node_latency_seconds', { node: 'N-450100' })).toEqual([]);
    // Bounded: a county node is counted, never exported by name; nor is a node never probed.
    expect(value('yunwang_network_node_up', { node: 'N-450102' })).toEqual([]);
    expect(value('yunwang_network_node_up', { node: 'N-450000-BB2' })).toEqual([]);

    const [nodes] = await queryRows<{ n: number }>(getDb().db, sql`select count(*)::int as n from network_nodes where commissioned`);
    expect(sum(select(series, 'yunwang_network_nodes'))).toBe(nodes?.n);
    expect(value('yunwang_network_nodes', { region: '450100', tier: 'metro', state: 'up' })[0]).toBeGreaterThanOrEqual(1); // N-450102
    expect(value('yunwang_network_nodes', { region: '450000', tier: 'backbone', state: 'down' })).toEqual([0]);

    const seen = value('yunwang_agent_last_seen_timestamp_seconds', { agent: network.name, kind: 'network' })[0] ?? 0;
    expect(Math.abs(seen - Date.now() / 1000)).toBeLessThan(120);
    expect(value('yunwang_agent_interval_seconds', { agent: cloudAgent.name, kind: 'cloud' })).toEqual([60]);
  });

  it('counts ingest batches and items by result, throttled included', async () => {
    const throttling = createApp({ database: getDb(), config: { ...config, YUNWANG_INGEST_MAX_IN_FLIGHT: 1 } });
    const answers = await Promise.all(
      [1, 2, 3].map((n) => sendBatch(throttling, network, [sample('N-450000-BB1', iso(n))], { seq: 1000 + n })),
    );
    expect(answers.map((a) => a.status).sort()).toContain(429);
    const throttled = answers.filter((a) => a.status === 429).length;
    const { series: mine } = await scrape(throttling);
    expect(select(mine, 'yunwang_ingest_batches_total', { result: 'throttled' }).map((s) => s.value)).toEqual([throttled]);
    expect(select(mine, 'yunwang_ingest_batches_total', { result: 'accepted' }).map((s) => s.value)).toEqual([3 - throttled]);

    const { series } = await scrape();
    const batches = Object.fromEntries(select(series, 'yunwang_ingest_batches_total').map((s) => [s.labels.result, s.value]));
    expect(batches).toEqual({ accepted: 2, duplicate: 1, rejected: 1, throttled: 0 });
    const items = (kind: string, result: string) => select(series, 'yunwang_ingest_items_total', { kind, result }).map((s) => s.value);
    expect(items('node_sample', 'accepted')).toEqual([3]);
    expect(items('node_sample', 'duplicate')).toEqual([1]);
    expect(items('node_sample', 'rejected')).toEqual([1]);
    expect(items('tenant', 'accepted')).toEqual([1]);
    expect(items('workload_seen', 'throttled')).toEqual([0]);
  });

  it('times requests by route pattern, never by raw path', async () => {
    await apiClient(app).get('/api/v1/systems/SYS-NOT-A-LABEL');
    await apiClient(app).get('/no/such/page/12345');
    const { text, series } = await scrape();
    const routes = new Set(select(series, 'yunwang_http_request_duration_seconds_count').map((s) => s.labels.route));
    expect(routes).toContain('/api/v1/systems/:code');
    expect(routes).toContain('/api/v1/ingest/batches');
    expect(routes).toContain('(unmatched)');
    expect(text).not.toContain('SYS-NOT-A-LABEL');
    expect(text).not.toContain('12345');
    const systems = select(series, 'yunwang_http_request_duration_seconds_count', { route: '/api/v1/systems/:code', method: 'GET' });
    expect(systems.map((s) => s.labels.status)).toEqual(['401']);
  });

  it('exports open alerts for every rule × severity × state, the notification queue, and what the engine and deliverer record', async () => {
    const first = await scrape();
    const alerts = select(first.series, 'yunwang_alerts');
    expect(alerts).toHaveLength(alertRuleKeys.length * alertSeverities.length * 2);
    expect(new Set(alerts.map((s) => s.labels.state))).toEqual(new Set(['firing', 'acknowledged']));
    expect(select(first.series, 'yunwang_notifications_total')).toHaveLength(channelKinds.length * 3);
    expect(sum(select(first.series, 'yunwang_notifications_total'))).toBe(0);

    const { db } = getDb();
    const alert = (n: number, rule: string, severity: string, state: string) =>
      sql`(${`metrics-test-${n}`}, ${rule}, ${severity}, ${state}, 'node', ${`N-${n}`}, 'node', 'down', now(), now())`;
    await db.execute(sql`insert into alerts (fingerprint, rule, severity, state, subject_kind, subject_code, subject_name, summary, started_at, last_changed_at)
      values ${sql.join([alert(1, 'node_down', 'critical', 'firing'), alert(2, 'node_down', 'critical', 'firing'), alert(3, 'tenant_quota', 'warning', 'acknowledged'), alert(4, 'node_down', 'critical', 'resolved')], sql`, `)}`);
    const [channel] = await queryRows<{ id: number }>(
      db,
      sql`insert into notification_channels (name, kind, url) values ('metrics-test', 'webhook', 'http://127.0.0.1:9/hook') returning id`,
    );
    await db.execute(sql`insert into notifications (channel_id, state, reason, next_attempt_at)
      select ${channel?.id}, s, 'firing', now() from unnest(array['queued', 'failed', 'sent', 'dead']) as s`);
    appMetrics(app).alerting.notification('dingtalk', 'sent');
    appMetrics(app).alerting.notification('email', 'dead');
    appMetrics(app).alerting.evaluation(0.042);

    // Refreshed behind the scrapes: wait out the 1 s cache, then the refresh it triggers (one
    // already running may have read the alerts but not yet the notifications).
    let series = first.series;
    const settled = () => sum(select(series, 'yunwang_alerts')) === 3 && sum(select(series, 'yunwang_notification_queue_depth')) === 2;
    for (let i = 0; i < 40 && !settled(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      series = (await scrape()).series;
    }
    const value = (name: string, labels: Record<string, string> = {}) => select(series, name, labels).map((s) => s.value);
    expect(value('yunwang_alerts', { rule: 'node_down', severity: 'critical', state: 'firing' })).toEqual([2]);
    expect(value('yunwang_alerts', { rule: 'tenant_quota', severity: 'warning', state: 'acknowledged' })).toEqual([1]);
    expect(value('yunwang_notification_queue_depth')).toEqual([2]);
    expect(value('yunwang_notifications_total', { channel_kind: 'dingtalk', outcome: 'sent' })).toEqual([1]);
    expect(value('yunwang_notifications_total', { channel_kind: 'email', outcome: 'dead' })).toEqual([1]);
    expect(value('yunwang_alert_evaluation_duration_seconds_count')).toEqual([1]);
    expect(value('yunwang_alert_evaluation_duration_seconds_sum')[0]).toBeCloseTo(0.042, 6);
  });

  it.skipIf(noPromtool)(`passes promtool check metrics without a warning${noPromtool ? ` — skipped: ${noPromtool}` : ''}`, async () => {
    const { text } = await scrape();
    const check = promtoolCheck(text);
    expect(check?.output).toBe('');
    expect(check?.status).toBe(0);
  });

  it('asks for the bearer token when YUNWANG_METRICS_TOKEN is set', async () => {
    const token = 'a-long-random-scrape-secret';
    const guarded = apiClient(createApp({ database: getDb(), config: { ...config, YUNWANG_METRICS_TOKEN: token } }));
    const bare = await guarded.get('/metrics');
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toContain('Bearer');
    expect(bare.body.code).toBe('unauthorized');
    expect((await guarded.as({ headers: { Authorization: 'Bearer wrong-token-of-some-length' } }).get('/metrics')).status).toBe(401);
    expect((await guarded.as({ headers: { Authorization: `Bearer ${token}` } }).get('/metrics')).status).toBe(200);
  });

  it('without a token answers only this machine: a peer on the network gets 403 problem+json', async () => {
    const app = createApp({ database: getDb(), config });
    const from = (address: string) => apiClient(fromAddress(app, address));
    const remote = await from('10.20.30.40').get('/metrics', { headers: { 'X-Forwarded-For': '127.0.0.1' } });
    expect(remote.status).toBe(403);
    expect(remote.type).toContain('application/problem+json');
    expect((await from('127.0.0.1').get('/metrics')).status).toBe(200);
    expect((await from('::ffff:127.0.0.1').get('/metrics')).status).toBe(200);
  });
});
