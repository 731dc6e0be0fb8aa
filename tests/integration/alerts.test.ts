/**
 * The alert engine on a real database, with an injected clock: samples go through the real
 * ingest API, the engine runs its real cycle at a chosen `now`, and the alerts are read back
 * through the real alerts API.
 */
import { beforeAll, expect, it } from 'vitest';
import { runEvaluationCycle } from '../../src/alerts/engine.ts';
import type { AlertChange, AlertNotifier } from '../../src/alerts/lifecycle.ts';
import { type App, createApp } from '../../src/app.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { issueAgentToken } from '../../src/ingest/agents.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { callerWith } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';
import {
  call,
  type Json,
  newAgent,
  newCloud,
  newDepartment,
  newNode,
  sample,
  sendBatch,
  signInCast,
  tenant,
  uid,
} from '../helpers/ingest.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
const engine = { reopenMinutes: 10, retentionDays: 400 };
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const later = (ms: number) => new Date(Date.now() + ms);

/** Keeps what the engine hands the outbox, to tell muted from told. */
function recordingNotifier(): AlertNotifier & { changes: AlertChange[] } {
  const changes: AlertChange[] = [];
  return {
    changes,
    enqueue: async (_db, batch) => {
      changes.push(...batch);
      return batch.length;
    },
    repeats: async () => 0,
  };
}

describeEachBackend('alert engine', (getDb) => {
  let app: App;

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config });
    await signInCast(app, getDb().db);
  });

  const alertsOf = async (query: string) => {
    const a = await call(app, 'GET', `/api/v1/alerts?${query}`);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    return a.body.items as Json[];
  };
  // The engine runs minutes ahead of the real clock: agents that must not fall silent meanwhile declare 10 minutes.
  const send = (agent: Parameters<typeof sendBatch>[1], items: unknown[]) => sendBatch(app, agent, items, { interval: 600 });
  const cycle = (now: Date, notifier?: AlertNotifier) => runEvaluationCycle(getDb().db, { ...engine, notifier }, now);

  it('fires node_down only when every agent probing the node says down, after `for`', async () => {
    const node = await newNode(app);
    const [a, b] = [await newAgent(getDb(), 'network'), await newAgent(getDb(), 'network')];
    // a has seen it down for 5 minutes; b still reaches it.
    expect((await send(a, [sample(String(node.code), ago(300_000), { up: false, latency_ms: null, loss: 1 })])).status).toBe(200);
    expect((await send(a, [sample(String(node.code), ago(1000), { up: false, latency_ms: null, loss: 1 })])).status).toBe(200);
    expect((await send(b, [sample(String(node.code), ago(1000))])).status).toBe(200);
    await cycle(later(0));
    expect(await alertsOf(`node=${node.code}`)).toEqual([]);

    // b loses it too: down by quorum, but not yet for 2 minutes.
    expect((await send(b, [sample(String(node.code), ago(0), { up: false, latency_ms: null, loss: 1 })])).status).toBe(200);
    const pending = await cycle(later(30_000));
    expect(pending.pending).toBeGreaterThanOrEqual(1);
    expect(await alertsOf(`node=${node.code}`)).toEqual([]);

    const result = await cycle(later(125_000));
    expect(result.evaluated).toBe(true);
    const [alert] = await alertsOf(`node=${node.code}`);
    expect(alert).toMatchObject({
      rule: 'node_down',
      severity: 'critical',
      state: 'firing',
      subject: { kind: 'node', code: node.code, name: node.name },
      region: '450102',
      occurrences: 1,
      silenced_by: null,
      inhibited_by: null,
    });
    // Started when the last agent's down streak began, not when the engine looked.
    expect(Date.parse(String(alert?.started_at))).toBeLessThan(Date.now());
    expect(String(alert?.summary)).toContain(String(node.name));
  });

  it('keeps, marks and does not notify node alerts that only a silent agent saw', async () => {
    const notifier = recordingNotifier();
    const node = await newNode(app);
    const lonely = await newAgent(getDb(), 'network');
    // The agent declares a 1-second interval: ten seconds on, it has been silent for ten intervals.
    const lost = (at: string) => sample(String(node.code), at, { up: false, latency_ms: null, loss: 1 });
    await sendBatch(app, lonely, [lost(ago(240_000)), lost(ago(5_000))], { interval: 1 });
    await cycle(later(10_000), notifier);
    const [silent] = await alertsOf(`rule=agent_silent&state=firing&limit=1000`).then((items) =>
      items.filter((i) => (i.subject as Json).code === lonely.name),
    );
    expect(silent).toMatchObject({ rule: 'agent_silent', severity: 'critical', state: 'firing' });
    const [down] = await alertsOf(`node=${node.code}`);
    expect(down).toMatchObject({ rule: 'node_down', state: 'firing', inhibited_by: silent?.id });
    expect(notifier.changes.map((c) => c.alertId)).toContain(silent?.id);
    expect(notifier.changes.map((c) => c.alertId)).not.toContain(down?.id);

    // The agent comes back and still sees the node down: no longer inhibited, now told.
    await sendBatch(app, lonely, [lost(ago(0))], { interval: 30 });
    const back = recordingNotifier();
    await cycle(later(11_000), back);
    const [again] = await alertsOf(`node=${node.code}`);
    expect(again).toMatchObject({ id: down?.id, inhibited_by: null, state: 'firing' });
    expect(back.changes).toContainEqual(expect.objectContaining({ alertId: down?.id, reason: 'firing' }));
    const detail = await call(app, 'GET', `/api/v1/alerts/${down?.id}`);
    expect((detail.body.events as Json[]).map((e) => e.type)).toEqual(['fired', 'inhibited', 'uninhibited']);
  });

  it('reopens a flapping alert within the reopen window instead of raising another', async () => {
    const node = await newNode(app);
    const agent = await newAgent(getDb(), 'network');
    const down = (at: string) => sample(String(node.code), at, { up: false, latency_ms: null, loss: 1 });
    await send(agent, [down(ago(200_000)), down(ago(1000))]);
    await cycle(later(0));
    const [first] = await alertsOf(`node=${node.code}`);
    expect(first).toMatchObject({ state: 'firing', occurrences: 1 });

    await send(agent, [sample(String(node.code), ago(500))]);
    await cycle(later(1000));
    expect((await alertsOf(`node=${node.code}`))[0]).toMatchObject({ id: first?.id, state: 'resolved' });

    // Down again; held for `for` (2 min) within the 10-minute window: the same alert, twice.
    await send(agent, [down(ago(0))]);
    await cycle(later(60_000));
    expect((await alertsOf(`node=${node.code}`))[0]).toMatchObject({ state: 'resolved' });
    await cycle(later(125_000));
    const items = await alertsOf(`node=${node.code}`);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: first?.id, state: 'firing', occurrences: 2, resolved_at: null });
    const detail = await call(app, 'GET', `/api/v1/alerts/${first?.id}`);
    expect((detail.body.events as Json[]).map((e) => e.type)).toEqual(['fired', 'resolved', 'reopened']);
  });

  it('silences by region with its descendants, records the silenced alert and does not notify it', async () => {
    const node = await newNode(app, { region_code: '450103' });
    const elsewhere = await newNode(app, { region_code: '450203' });
    const agent = await newAgent(getDb(), 'network');
    const ops = await callerWith(getDb().db, ['ops']);
    const created = await call(
      app,
      'POST',
      '/api/v1/silences',
      { matchers: { region: '450100', rule: 'node_down' }, ends_at: later(3_600_000).toISOString(), reason: '南宁市机房割接 cut-over' },
      ops.headers,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const down = (code: unknown, at: string) => sample(String(code), at, { up: false, latency_ms: null, loss: 1 });
    await sendBatch(app, agent, [down(node.code, ago(200_000)), down(elsewhere.code, ago(200_000))]);
    await sendBatch(app, agent, [down(node.code, ago(100)), down(elsewhere.code, ago(100))]);
    const notifier = recordingNotifier();
    await cycle(later(2000), notifier);
    const [muted] = await alertsOf(`node=${node.code}`);
    const [loud] = await alertsOf(`node=${elsewhere.code}`);
    expect(muted).toMatchObject({ state: 'firing', silenced_by: created.body.id });
    expect(loud).toMatchObject({ state: 'firing', silenced_by: null });
    expect(notifier.changes.map((c) => c.alertId)).toContain(loud?.id);
    expect(notifier.changes.map((c) => c.alertId)).not.toContain(muted?.id);

    // Expiring the silence unmutes at once.
    const expired = await call(app, 'DELETE', `/api/v1/silences/${created.body.id}`, undefined, ops.headers);
    expect(expired.status).toBe(200);
    expect((await alertsOf(`node=${node.code}`))[0]).toMatchObject({ silenced_by: null });
    const again = await call(app, 'DELETE', `/api/v1/silences/${created.body.id}`, undefined, ops.headers);
    expect(again.status).toBe(409);
  });

  it('refuses silences without matchers, with unknown codes, or already over', async () => {
    const ops = await callerWith(getDb().db, ['ops']);
    const post = (body: Json) => call(app, 'POST', '/api/v1/silences', body, ops.headers);
    const end = later(3_600_000).toISOString();
    expect((await post({ matchers: {}, ends_at: end, reason: 'x' })).status).toBe(422);
    const unknown = await post({ matchers: { node: 'NO-SUCH-NODE' }, ends_at: end, reason: 'x' });
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(unknown.body)).toContain('matchers.node');
    expect((await post({ matchers: { rule: 'node_down' }, ends_at: ago(1000), reason: 'x' })).status).toBe(422);
    expect((await post({ matchers: { rule: 'node_down' }, reason: 'x' })).status).toBe(422);
    const weekly = await post({
      matchers: { region: '450100' },
      recurrence: { weekdays: [0], start: '23:00', end: '01:00' },
      reason: '每周日维护',
    });
    expect(weekly.status, JSON.stringify(weekly.body)).toBe(201);
    expect(weekly.body.recurrence).toMatchObject({ timezone: 'Asia/Shanghai' });
    expect((await call(app, 'DELETE', `/api/v1/silences/${weekly.body.id}`, undefined, ops.headers)).status).toBe(200);
  });

  it('raises tenant_quota at 85 % and escalates it to critical at 95 %; a department user sees its own tenant alerts only', async () => {
    const cloud = await newCloud(app);
    const department = await newDepartment(app);
    const other = await newDepartment(app);
    const agent = await newAgent(getDb(), 'cloud', String(cloud.code));
    const at = (ms: number) => ago(ms);
    const use = (vcpu: number) => ({ usage: { vcpu, memory_gib: 10, storage_gib: 10 } });
    const ownId = uid('tenant');
    const otherId = uid('tenant');
    await sendBatch(app, agent, [
      tenant(String(cloud.code), ownId, String(department.code), at(1000), use(14.4)),
      tenant(String(cloud.code), otherId, String(other.code), at(1000), use(15)),
    ]);
    await cycle(later(0));
    await cycle(later(301_000));
    const fingerprint = `tenant_quota:${cloud.code}/${ownId}`;
    let [own] = (await alertsOf('rule=tenant_quota&limit=1000')).filter((a) => a.fingerprint === fingerprint);
    expect(own).toMatchObject({ severity: 'warning', state: 'firing', subject: { kind: 'tenant' } });
    expect(String(own?.summary)).toContain('vcpu 90.0%');

    await sendBatch(app, agent, [tenant(String(cloud.code), ownId, String(department.code), at(0), use(15.5))]);
    await cycle(later(302_000));
    [own] = (await alertsOf('rule=tenant_quota&limit=1000')).filter((a) => a.fingerprint === fingerprint);
    expect(own).toMatchObject({ severity: 'critical', occurrences: 1 });
    const detail = await call(app, 'GET', `/api/v1/alerts/${own?.id}`);
    expect((detail.body.events as Json[]).map((e) => e.type)).toEqual(['fired', 'escalated']);

    const clerk = await callerWith(getDb().db, ['department'], { department: String(department.code) });
    const seen = await call(app, 'GET', '/api/v1/alerts?limit=1000', undefined, clerk.headers);
    expect(seen.status).toBe(200);
    const codes = (seen.body.items as Json[]).map((a) => (a.subject as Json).code);
    expect(codes).toContain(`${cloud.code}/${ownId}`);
    expect(codes).not.toContain(`${cloud.code}/${otherId}`);
    expect(
      (seen.body.items as Json[]).every(
        (a) => a.rule === 'tenant_quota' || a.rule === 'system_unverified' || a.rule === 're_review_overdue',
      ),
    ).toBe(true);
    const [theirs] = (await alertsOf('rule=tenant_quota&limit=1000')).filter(
      (a) => (a.subject as Json).code === `${cloud.code}/${otherId}`,
    );
    expect((await call(app, 'GET', `/api/v1/alerts/${theirs?.id}`, undefined, clerk.headers)).status).toBe(404);
  });

  it('lets ops acknowledge a firing alert once, with a note, and nobody else', async () => {
    const node = await newNode(app);
    const agent = await newAgent(getDb(), 'network');
    await send(agent, [
      sample(String(node.code), ago(200_000), { up: false, latency_ms: null, loss: 1 }),
      sample(String(node.code), ago(0), { up: false, latency_ms: null, loss: 1 }),
    ]);
    await cycle(later(1000));
    const [alert] = await alertsOf(`node=${node.code}`);
    const ops = await callerWith(getDb().db, ['ops']);
    const leader = await callerWith(getDb().db, ['leader']);
    const path = `/api/v1/alerts/${alert?.id}/acknowledge`;
    expect((await call(app, 'POST', path, { note: '已派人' }, leader.headers)).status).toBe(403);
    expect((await call(app, 'POST', path, { note: '' }, ops.headers)).status).toBe(422);
    const taken = await call(app, 'POST', path, { note: '已联系南宁运维现场处理' }, ops.headers);
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body).toMatchObject({ state: 'acknowledged', acknowledged_by: ops.name });
    expect((taken.body.events as Json[]).at(-1)).toMatchObject({ type: 'acknowledged', actor: ops.name, note: '已联系南宁运维现场处理' });
    const twice = await call(app, 'POST', path, { note: 'me too' }, ops.headers);
    expect(twice.status).toBe(409);
    expect(JSON.stringify(twice.body)).toContain(ops.name);
    // Still down: stays acknowledged across cycles; the audit trail has the acknowledgement.
    await cycle(later(2000));
    expect((await alertsOf(`node=${node.code}`))[0]).toMatchObject({ state: 'acknowledged' });
    const auditor = await callerWith(getDb().db, ['auditor']);
    const audit = await call(app, 'GET', '/api/v1/audit?action=alert.acknowledge&limit=100', undefined, auditor.headers);
    expect(JSON.stringify(audit.body)).toContain(`node_down:${node.code}`);
  });

  it("changes a rule's thresholds and refuses ones it does not have", async () => {
    const ops = await callerWith(getDb().db, ['ops']);
    const put = (rule: string, body: Json) => call(app, 'PUT', `/api/v1/alert-rules/${rule}`, body, ops.headers);
    expect((await put('node_degraded', { thresholds: { latency_ms: 250 }, for_seconds: 60 })).body).toMatchObject({
      thresholds: { latency_ms: 250, loss_ratio: 0.2 },
      for_seconds: 60,
      updated_by: ops.name,
    });
    expect((await put('node_degraded', { thresholds: { bogus: 1 } })).status).toBe(422);
    expect((await put('node_degraded', { thresholds: { loss_ratio: 5 } })).status).toBe(422);
    expect((await put('no_such_rule', { enabled: false })).status).toBe(404);
    const list = await call(app, 'GET', '/api/v1/alert-rules', undefined, ops.headers);
    expect((list.body.items as Json[]).map((r) => r.rule)).toContain('system_unverified');
    await put('node_degraded', { thresholds: { latency_ms: 300 }, for_seconds: 120 });
  });

  it("receives Alertmanager's webhook with an alertmanager token only", async () => {
    const name = uid('am');
    const { token } = await issueAgentToken(getDb().db, { name, kind: 'alertmanager' }, rootActor('test'));
    const network = await newAgent(getDb(), 'network');
    const payload = (status: 'firing' | 'resolved') => ({
      version: '4',
      groupKey: '{}:{alertname="YunwangApiDown"}',
      status,
      receiver: 'yunwang',
      groupLabels: { alertname: 'YunwangApiDown' },
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://127.0.0.1:9093',
      alerts: [
        {
          status,
          labels: { alertname: 'YunwangApiDown', severity: 'critical', region: '450100', instance: 'api-1' },
          annotations: { summary: 'yunwang API down' },
          startsAt: ago(60_000),
          endsAt: status === 'resolved' ? ago(0) : '0001-01-01T00:00:00Z',
          generatorURL: 'http://127.0.0.1:9090/graph',
          fingerprint: 'a1b2c3d4e5f60718',
        },
      ],
    });
    const post = (status: 'firing' | 'resolved', auth: string) =>
      call(app, 'POST', '/api/v1/alerts/alertmanager', payload(status), { Authorization: `Bearer ${auth}` });
    expect((await post('firing', network.token)).status).toBe(401);
    expect((await post('firing', 'ywa_nope')).status).toBe(401);
    expect((await post('firing', token)).body).toMatchObject({ firing: 1, resolved: 0 });
    const [alert] = (await alertsOf('rule=prometheus&limit=1000')).filter((a) => a.fingerprint === 'prometheus:a1b2c3d4e5f60718');
    expect(alert).toMatchObject({
      severity: 'critical',
      state: 'firing',
      subject: { kind: 'prometheus', code: 'YunwangApiDown' },
      region: '450100',
    });
    // The engine leaves Prometheus alerts to Alertmanager.
    await cycle(later(3000));
    expect((await call(app, 'GET', `/api/v1/alerts/${alert?.id}`)).body).toMatchObject({ state: 'firing' });
    expect((await post('resolved', token)).body).toMatchObject({ resolved: 1 });
    expect((await call(app, 'GET', `/api/v1/alerts/${alert?.id}`)).body).toMatchObject({ state: 'resolved' });
    const bad = await call(app, 'POST', '/api/v1/alerts/alertmanager', { version: '3', alerts: [] }, { Authorization: `Bearer ${token}` });
    expect(bad.status).toBe(422);
  });
});
