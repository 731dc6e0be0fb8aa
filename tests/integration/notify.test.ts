import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { AlertChange } from '../../src/alerts/lifecycle.ts';
import { AlertItem } from '../../src/alerts/schemas.ts';
import { alertItemsByIds } from '../../src/alerts/views.ts';
import { type App, createApp } from '../../src/app.ts';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { alerts, notificationChannels, notifications } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { loggedJobs } from '../../src/metrics/jobs.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { type DeliveryOutcome, queueDepth, startNotificationDeliverer } from '../../src/notify/deliverer.ts';
import { enqueueNotifications, enqueueRepeats } from '../../src/notify/outbox.ts';
import { ChannelInput } from '../../src/notify/schemas.ts';
import { dingtalkSign } from '../../src/notify/senders.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { type ApiClient, apiClient } from '../helpers/api.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';
import { captureLogs } from '../helpers/logs.ts';
import { newAlert, type Receiver, startReceiver, startSilentReceiver, testClock } from '../helpers/notify.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
const hour = 3600_000;
let counter = 0;
const uid = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

describeEachBackend('notifications', (getDb) => {
  let app: App;
  let api: ApiClient;
  const callers = {} as Record<'ops' | 'sysadmin' | 'leader' | 'department', TestCaller>;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    app = createApp({ database: getDb(), config });
    for (const role of ['ops', 'sysadmin', 'leader'] as const) callers[role] = await callerWith(db, [role]);
    const home = uid('NDEP');
    api = apiClient(app);
    const made = await api
      .as(callers.sysadmin)
      .post('/api/v1/departments', { code: home, name: '通知测试部门', region_code: '450100', kind: 'government' });
    expect(made.status).toBe(201);
    callers.department = await callerWith(db, ['department'], { department: home });
  });

  // Every test starts with no live channel and an empty outbox: enqueue and the deliverer see
  // the whole database, so one test's channels must not catch another's alerts.
  beforeEach(async () => {
    const { db } = getDb();
    await db.delete(notifications);
    await db.update(notificationChannels).set({ deletedAt: new Date() }).where(sql`${notificationChannels.deletedAt} is null`);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  const receiver = async (answer: (n: number) => { status: number; body?: unknown }) => {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  };
  const channel = async (input: Partial<ChannelInput> & Pick<ChannelInput, 'kind' | 'url'>) => {
    const name = input.name ?? uid('ch');
    await createChannel(getDb().db, ChannelInput.parse({ ...input, name }), rootActor('test'));
    const [row] = await getDb().db.select().from(notificationChannels).where(eq(notificationChannels.name, name));
    if (!row) throw new Error('no channel');
    return row;
  };
  const rowsOf = (channelId: number) =>
    getDb().db.select().from(notifications).where(eq(notifications.channelId, channelId)).orderBy(notifications.id);
  const fieldsOf = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);

  describe('channels API', () => {
    const secret = 'hmac-Very-Secret-4711';

    it('lets ops create, change and delete channels; secrets are never returned nor audited', async () => {
      const name = uid('ops-hook');
      const created = await api.as(callers.ops).post('/api/v1/notification-channels', {
        name,
        kind: 'webhook',
        url: 'https://hooks.example.gov.cn/yunwang?token=abcdef123456',
        secret,
        min_severity: 'critical',
        regions: ['450100'],
        rules: ['node_down'],
        group_wait_seconds: 10,
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ name, kind: 'webhook', has_secret: true, min_severity: 'critical', regions: ['450100'] });
      expect(created.body).not.toHaveProperty('secret');
      expect(created.text).not.toContain(secret);
      // The URL's query values are bearer credentials too (a robot's access_token): never echoed.
      expect(created.text).not.toContain('abcdef123456');
      expect(String(created.body.url)).toMatch(/^https:\/\/hooks\.example\.gov\.cn\/yunwang\?token=/);

      const listed = await api.as(callers.sysadmin).get('/api/v1/notification-channels');
      expect(listed.status).toBe(200);
      expect((listed.body.items as { name: string }[]).map((c) => c.name)).toContain(name);
      expect(listed.text).not.toContain(secret);

      const patched = await api.as(callers.ops).patch(`/api/v1/notification-channels/${name}`, {
        secret: 'another-Secret-99',
        rate_per_minute: 5,
      });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body).toMatchObject({ has_secret: true, rate_per_minute: 5 });
      expect(patched.text).not.toContain('another-Secret-99');
      const cleared = await api.as(callers.ops).patch(`/api/v1/notification-channels/${name}`, { secret: null });
      expect(cleared.body).toMatchObject({ has_secret: false });

      // A test message before deletion: the history stays after it.
      const test = await api.as(callers.ops).post(`/api/v1/notification-channels/${name}/test`);
      expect(test.status, test.text).toBe(202);
      expect((await api.as(callers.ops).delete(`/api/v1/notification-channels/${name}`)).status).toBe(204);
      const after = await api.as(callers.ops).get('/api/v1/notification-channels');
      expect((after.body.items as { name: string }[]).map((c) => c.name)).not.toContain(name);
      expect((await api.as(callers.ops).patch(`/api/v1/notification-channels/${name}`, { enabled: false })).status).toBe(404);
      expect((await api.as(callers.ops).delete(`/api/v1/notification-channels/${name}`)).status).toBe(404);
      const history = await api.as(callers.ops).get(`/api/v1/notifications?channel=${name}`);
      expect(history.body).toMatchObject({ total: 1, items: [{ channel: name, channel_kind: 'webhook', reason: 'test' }] });
      // The name stays taken by the deleted channel.
      const again = await api.as(callers.ops).post('/api/v1/notification-channels', { name, kind: 'webhook', url: 'https://x.example/h' });
      expect(again.status).toBe(409);

      const trail = await queryRows<{ action: string; before: unknown; after: unknown }>(
        getDb(),
        sql`select action, before, after from audit_log where entity_kind = 'notification_channel' and entity_code = ${name} order by id`,
      );
      expect(trail.map((e) => e.action)).toEqual([
        'notification_channel.create',
        'notification_channel.update',
        'notification_channel.update',
        'notification_channel.test',
        'notification_channel.delete',
      ]);
      const audited = JSON.stringify(trail);
      expect(audited).not.toContain(secret);
      expect(audited).not.toContain('another-Secret-99');
      // Nor the URL's token: a robot URL's query is a credential.
      expect(audited).not.toContain('abcdef123456');
      expect(trail[0]?.after).toMatchObject({ secret: '(set)', has_secret: true });
      expect(trail[2]?.after).toMatchObject({ secret: null });
    });

    it('refuses roles without alerting rights: leader and department 403, anonymous 401', async () => {
      const body = { name: uid('nope'), kind: 'webhook', url: 'https://x.example/h' };
      for (const caller of [callers.leader, callers.department, callers.sysadmin]) {
        expect((await api.as(caller).post('/api/v1/notification-channels', body)).status).toBe(403);
      }
      for (const caller of [callers.leader, callers.department]) {
        expect((await api.as(caller).get('/api/v1/notification-channels')).status).toBe(403);
        expect((await api.as(caller).get('/api/v1/notifications')).status).toBe(403);
      }
      expect((await api.as(null).get('/api/v1/notification-channels')).status).toBe(401);
      expect((await api.as(callers.sysadmin).get('/api/v1/notifications')).status).toBe(200);
      const name = uid('ro');
      expect((await api.as(callers.ops).post('/api/v1/notification-channels', { ...body, name })).status).toBe(201);
      expect((await api.as(callers.leader).post(`/api/v1/notification-channels/${name}/test`)).status).toBe(403);
      expect((await api.as(callers.sysadmin).delete(`/api/v1/notification-channels/${name}`)).status).toBe(403);
    });

    it('validates each field and names it', async () => {
      const post = (body: Record<string, unknown>) =>
        api.as(callers.ops).post('/api/v1/notification-channels', { name: uid('v'), ...body });
      const cases: [Record<string, unknown>, string][] = [
        [{ kind: 'email', url: 'smtp://mail.example.gov.cn:25' }, 'to'],
        [{ kind: 'webhook', url: 'https://x.example/h', to: ['ops@example.gov.cn'] }, 'to'],
        [{ kind: 'webhook', url: 'smtp://mail.example.gov.cn' }, 'url'],
        [{ kind: 'email', url: 'https://mail.example.gov.cn', to: ['ops@example.gov.cn'] }, 'url'],
        [{ kind: 'email', url: 'smtp://alerts:pa55word@mail.example.gov.cn:25', to: ['ops@example.gov.cn'] }, 'url'],
        [{ kind: 'dingtalk', url: 'ftp://x.example/robot' }, 'url'],
        [{ kind: 'webhook', url: 'https://x.example/h', regions: ['999999'] }, 'regions.0'],
        [{ kind: 'webhook', url: 'https://x.example/h', rules: ['no_such_rule'] }, 'rules.0'],
        [{ kind: 'webhook', url: 'https://x.example/h', min_severity: 'fatal' }, 'min_severity'],
        [{ kind: 'webhook', url: 'https://x.example/h', name: 'bad name!' }, 'name'],
        [{ kind: 'webhook', url: 'https://x.example/h', secret: 'x'.repeat(501) }, 'secret'],
        [{ kind: 'webhook', url: `https://x.example/${'a'.repeat(2000)}` }, 'url'],
        [{ kind: 'pager', url: 'https://x.example/h' }, 'kind'],
        [{ kind: 'email', url: 'smtp://mail.example.gov.cn', to: ['not-an-address'] }, 'to.0'],
      ];
      for (const [body, field] of cases) {
        const answer = await post(body);
        expect(answer.status, `${JSON.stringify(body).slice(0, 200)}: ${answer.text}`).toBe(422);
        expect(answer.body.code).toBe('validation_failed');
        expect(fieldsOf(answer.body), JSON.stringify(body).slice(0, 200)).toContain(field);
      }
      const email = await post({
        kind: 'email',
        url: 'smtp://alerts@mail.example.gov.cn:25',
        to: ['ops@example.gov.cn'],
        secret: 'smtp-pass',
      });
      expect(email.status, email.text).toBe(201);
      expect(email.body).toMatchObject({ kind: 'email', to: ['ops@example.gov.cn'], has_secret: true });
      // Turning it into a webhook without a new http(s) URL is refused, naming the url.
      const patched = await api.as(callers.ops).patch(`/api/v1/notification-channels/${email.body.name}`, { kind: 'webhook' });
      expect(patched.status).toBe(422);
      expect(fieldsOf(patched.body)).toContain('url');
    });
  });

  describe('enqueue', () => {
    it('groups the changes within group_wait into one notification, then opens a new one', async () => {
      const { db } = getDb();
      const ch = await channel({ kind: 'webhook', url: 'https://x.example/h', group_wait_seconds: 30 });
      const t0 = new Date();
      const changes = [await newAlert(db), await newAlert(db, { severity: 'warning' }), await newAlert(db)];
      const [c0, c1, c2] = changes as [AlertChange, AlertChange, AlertChange];
      expect(await enqueueNotifications(db, [c0], t0)).toBe(1);
      expect(await enqueueNotifications(db, [c1], new Date(t0.getTime() + 10_000))).toBe(1);
      expect(await enqueueNotifications(db, [c2], new Date(t0.getTime() + 20_000))).toBe(1);
      let rows = await rowsOf(ch.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.entries).toHaveLength(3);
      expect(rows[0]?.alertIds).toEqual(changes.map((c) => c.alertId));
      expect(rows[0]).toMatchObject({ state: 'queued', attempts: 0, reason: 'firing' });
      expect(rows[0]?.nextAttemptAt.getTime()).toBe(t0.getTime() + 30_000);

      // Past the wait, the next change opens a new group.
      const later = await newAlert(db);
      expect(await enqueueNotifications(db, [{ ...later, reason: 'firing' }], new Date(t0.getTime() + 31_000))).toBe(1);
      rows = await rowsOf(ch.id);
      expect(rows).toHaveLength(2);
      expect(rows[1]?.alertIds).toEqual([later.alertId]);
    });

    it('filters by minimum severity, region with its descendants, and rule', async () => {
      const { db } = getDb();
      const url = 'https://x.example/h';
      const critical = await channel({ kind: 'webhook', url, min_severity: 'critical' });
      const nanning = await channel({ kind: 'webhook', url, regions: ['450100'], min_severity: 'info' });
      const guilin = await channel({ kind: 'webhook', url, regions: ['450300'] });
      const nodeDown = await channel({ kind: 'webhook', url, rules: ['node_down'] });
      const disabled = await channel({ kind: 'webhook', url, enabled: false });

      // 兴宁区 450102 is under 南宁市 450100.
      const degraded = await newAlert(db, { rule: 'node_degraded', severity: 'warning', region: '450102' });
      const down = await newAlert(db, { rule: 'node_down', severity: 'critical', region: '450302' });
      const info = await newAlert(db, { rule: 'node_degraded', severity: 'info', region: '450100' });
      const nowhere = await newAlert(db, { rule: 'node_down', severity: 'critical', region: null });
      // nanning: degraded + info; guilin: down; critical: down + nowhere; nodeDown: down + nowhere.
      expect(await enqueueNotifications(db, [degraded, down, info, nowhere], new Date())).toBe(7);
      const idsOf = async (id: number) => (await rowsOf(id)).flatMap((r) => r.alertIds);
      expect(await idsOf(critical.id)).toEqual([down.alertId, nowhere.alertId]);
      expect(await idsOf(nanning.id)).toEqual([degraded.alertId, info.alertId]);
      expect(await idsOf(guilin.id)).toEqual([down.alertId]);
      expect(await idsOf(nodeDown.id)).toEqual([down.alertId, nowhere.alertId]);
      expect(await idsOf(disabled.id)).toEqual([]);
    });

    it('repeats unacknowledged critical alerts after the repeat interval, only to channels told before', async () => {
      const { db } = getDb();
      const ch = await channel({ kind: 'webhook', url: 'https://x.example/h', repeat_interval_seconds: 3600, group_wait_seconds: 0 });
      const t0 = new Date();
      const firing = await newAlert(db);
      const acknowledged = await newAlert(db);
      const silenced = await newAlert(db);
      const warning = await newAlert(db, { severity: 'warning' });
      await enqueueNotifications(db, [firing, acknowledged, silenced, warning], t0);
      await db
        .update(alerts)
        .set({ state: 'acknowledged', acknowledgedAt: t0, acknowledgedBy: 'ops' })
        .where(eq(alerts.id, acknowledged.alertId));
      await db.update(alerts).set({ silencedBy: 1 }).where(eq(alerts.id, silenced.alertId));
      const neverTold = await newAlert(db);

      expect(await enqueueRepeats(db, new Date(t0.getTime() + 0.5 * hour))).toBe(0);
      expect(await enqueueRepeats(db, new Date(t0.getTime() + 1.5 * hour))).toBe(1);
      const rows = await rowsOf(ch.id);
      expect(rows.at(-1)).toMatchObject({
        reason: 'repeat',
        alertIds: [firing.alertId],
        entries: [{ alert_id: firing.alertId, reason: 'repeat' }],
      });
      expect(rows.flatMap((r) => r.alertIds)).not.toContain(neverTold.alertId);
      // Just repeated: not again until another interval has passed.
      expect(await enqueueRepeats(db, new Date(t0.getTime() + 2 * hour))).toBe(0);
      expect(await enqueueRepeats(db, new Date(t0.getTime() + 2.6 * hour))).toBe(1);
    });
  });

  describe('delivery', () => {
    const outcomes: [string, DeliveryOutcome][] = [];
    let logs = captureLogs();
    beforeEach(() => {
      outcomes.length = 0;
      logs = captureLogs();
    });
    const deliverer = (clock: ReturnType<typeof testClock>, maxAttempts = 5, database: Database = getDb()) =>
      startNotificationDeliverer(database.db, {
        pollSeconds: 3600,
        maxAttempts,
        now: clock.now,
        jobs: loggedJobs(logs.logger),
        onOutcome: (kind, outcome) => outcomes.push([kind, outcome]),
      });

    it('retries a failing receiver and delivers once on the third attempt, with the alerts as the API shows them', async () => {
      const { db } = getDb();
      const hook = await receiver((n) => ({ status: n < 2 ? 500 : 200 }));
      const ch = await channel({ kind: 'webhook', url: hook.url, group_wait_seconds: 0 });
      const clock = testClock();
      const change = await newAlert(db);
      await enqueueNotifications(db, [change], clock.now());
      const d = deliverer(clock);
      try {
        expect(await d.runOnce()).toBe(1);
        expect((await rowsOf(ch.id))[0]).toMatchObject({ state: 'failed', attempts: 1, lastError: 'HTTP 500' });
        // Not due again before its backoff.
        expect(await d.runOnce()).toBe(0);
        clock.advance(2 * hour);
        expect(await d.runOnce()).toBe(1);
        expect((await rowsOf(ch.id))[0]).toMatchObject({ state: 'failed', attempts: 2 });
        clock.advance(2 * hour);
        expect(await d.runOnce()).toBe(1);
        clock.advance(2 * hour);
        expect(await d.runOnce()).toBe(0);
      } finally {
        await d.stop();
      }
      const [row] = await rowsOf(ch.id);
      expect(row).toMatchObject({ state: 'sent', attempts: 3, lastError: null });
      expect(row?.sentAt).not.toBeNull();
      expect(hook.requests).toHaveLength(3);
      expect(hook.accepted()).toHaveLength(1);
      const payload = JSON.parse(hook.accepted()[0]?.body ?? '{}') as {
        version: number;
        reason: string;
        channel: string;
        alerts: unknown[];
      };
      expect(payload).toMatchObject({ version: 1, reason: 'firing', channel: ch.name });
      expect(payload.alerts).toEqual(await alertItemsByIds(db, [change.alertId]));
      expect(AlertItem.array().parse(payload.alerts)[0]).toMatchObject({ id: change.alertId, region_name: '南宁市' });
      expect(outcomes).toEqual([
        ['webhook', 'failed'],
        ['webhook', 'failed'],
        ['webhook', 'sent'],
      ]);
      expect(await queueDepth(db)).toBe(0);
    });

    it('dead-letters after maxAttempts with a short, secret-free last_error (DingTalk errcode ≠ 0 is a failure)', async () => {
      const { db } = getDb();
      const secret = 'SECdingtalk-signing-secret';
      const token = 'robot-access-token-5150';
      const robot = await receiver(() => ({ status: 200, body: { errcode: 130101, errmsg: `send too fast, token ${token}` } }));
      const ch = await channel({ kind: 'dingtalk', url: `${robot.url}?access_token=${token}`, secret, group_wait_seconds: 0 });
      const clock = testClock();
      await enqueueNotifications(db, [await newAlert(db)], clock.now());
      const d = deliverer(clock, 3);
      try {
        for (let i = 0; i < 3; i++) {
          expect(await d.runOnce()).toBe(1);
          clock.advance(2 * hour);
        }
        expect(await d.runOnce()).toBe(0);
      } finally {
        await d.stop();
      }
      const [row] = await rowsOf(ch.id);
      expect(row).toMatchObject({ state: 'dead', attempts: 3 });
      expect(row?.lastError).toContain('errcode 130101');
      expect(row?.lastError).not.toContain(token);
      expect(row?.lastError).not.toContain(secret);
      expect(row?.lastError?.length).toBeLessThanOrEqual(300);
      // Each failed attempt is logged, as a warning naming the channel, and the secrets are in none of them.
      const warnings = logs.records().filter((r) => r.level === 'warn');
      expect(warnings.map((r) => [r.channel_kind, r.attempt])).toEqual([
        ['dingtalk', 1],
        ['dingtalk', 2],
        ['dingtalk', 3],
      ]);
      expect(logs.text()).not.toContain(token);
      expect(logs.text()).not.toContain(secret);
      expect(outcomes.map((o) => o[1])).toEqual(['failed', 'failed', 'dead']);

      // Each request was signed the documented way, and carried a markdown message.
      const first = robot.requests[0];
      const query = new URL(first?.url ?? '', 'http://x').searchParams;
      const timestamp = Number(query.get('timestamp'));
      expect(query.get('access_token')).toBe(token);
      expect(encodeURIComponent(query.get('sign') ?? '')).toBe(dingtalkSign(secret, timestamp));
      const message = JSON.parse(first?.body ?? '{}') as { msgtype: string; markdown: { title: string; text: string } };
      expect(message.msgtype).toBe('markdown');
      expect(message.markdown.title).toContain('【告警 FIRING】');
      expect(message.markdown.text).toContain('/console/alerts?id=');
      expect(message.markdown.text).toContain('南宁市');
    });

    it('keeps the queue across a restart: a new deliverer (on a new connection) delivers, and a dead claim lapses', async () => {
      const { db } = getDb();
      const hook = await receiver(() => ({ status: 204 }));
      const ch = await channel({ kind: 'webhook', url: hook.url, group_wait_seconds: 0 });
      const clock = testClock();
      await enqueueNotifications(db, [await newAlert(db)], clock.now());
      await enqueueNotifications(db, [await newAlert(db)], clock.now());
      // A crashed replica's claim on the first row: it must wait for the claim to lapse.
      const [held] = await rowsOf(ch.id);
      await db
        .update(notifications)
        .set({ claimedUntil: new Date(clock.now().getTime() + 60_000) })
        .where(eq(notifications.id, held?.id ?? 0));
      await deliverer(clock).stop();

      const second = await reopen(getDb());
      try {
        const d = deliverer(clock, 5, second);
        try {
          expect(await d.runOnce()).toBe(1);
          expect(hook.accepted()).toHaveLength(1);
          clock.advance(61_000);
          expect(await d.runOnce()).toBe(1);
        } finally {
          await d.stop();
        }
      } finally {
        if (second.kind === 'postgres') await second.close();
      }
      expect((await rowsOf(ch.id)).map((r) => r.state)).toEqual(['sent', 'sent']);
      expect(hook.accepted()).toHaveLength(2);
    });

    it('holds a channel to its rate: 5 due at 2 a minute → 2 sent, 3 still queued, all sent in the end', async () => {
      const { db } = getDb();
      const hook = await receiver(() => ({ status: 200 }));
      const ch = await channel({ kind: 'webhook', url: hook.url, group_wait_seconds: 0, rate_per_minute: 2 });
      const clock = testClock();
      for (let i = 0; i < 5; i++) await enqueueNotifications(db, [await newAlert(db)], clock.now());
      expect(await rowsOf(ch.id)).toHaveLength(5);
      const d = deliverer(clock);
      try {
        expect(await d.runOnce()).toBe(2);
        let rows = await rowsOf(ch.id);
        expect(rows.filter((r) => r.state === 'sent')).toHaveLength(2);
        expect(rows.filter((r) => r.state === 'queued' && r.attempts === 0)).toHaveLength(3);
        expect(await queueDepth(db)).toBe(3);
        expect(await d.runOnce()).toBe(0);
        clock.advance(61_000);
        expect(await d.runOnce()).toBe(2);
        clock.advance(61_000);
        expect(await d.runOnce()).toBe(1);
        rows = await rowsOf(ch.id);
        expect(rows.every((r) => r.state === 'sent')).toBe(true);
      } finally {
        await d.stop();
      }
      expect(hook.accepted()).toHaveLength(5);
    });

    it('gives up on a receiver that does not answer within the send timeout, and retries it later', async () => {
      const { db } = getDb();
      // Never answers: the request hangs until the deliverer abandons it.
      const silent = await startSilentReceiver();
      const ch = await channel({ kind: 'webhook', url: silent.url, group_wait_seconds: 0 });
      const clock = testClock();
      await enqueueNotifications(db, [await newAlert(db)], clock.now());
      const d = startNotificationDeliverer(db, { pollSeconds: 3600, maxAttempts: 5, now: clock.now, sendTimeoutSeconds: 0.3 });
      const started = Date.now();
      try {
        expect(await d.runOnce()).toBe(1);
      } finally {
        await d.stop();
        await silent.close();
      }
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await rowsOf(ch.id))[0]).toMatchObject({ state: 'failed', attempts: 1, lastError: 'no answer within 0.3 s' });
    });

    it('sends a test message queued through the API, and WeCom gets markdown', async () => {
      const robot = await receiver(() => ({ status: 200, body: { errcode: 0, errmsg: 'ok' } }));
      const ch = await channel({ kind: 'wecom', url: `${robot.url}?key=wecom-key-1`, group_wait_seconds: 0 });
      const queued = await api.as(callers.ops).post(`/api/v1/notification-channels/${ch.name}/test`);
      expect(queued.status, queued.text).toBe(202);
      expect(queued.body).toMatchObject({
        channel: ch.name,
        channel_kind: 'wecom',
        reason: 'test',
        state: 'queued',
        attempts: 0,
        alert_ids: [],
      });
      const d = deliverer(testClock(new Date(Date.now() + 1000)));
      try {
        expect(await d.runOnce()).toBe(1);
      } finally {
        await d.stop();
      }
      const message = JSON.parse(robot.accepted()[0]?.body ?? '{}') as { msgtype: string; markdown: { content: string } };
      expect(message.msgtype).toBe('markdown');
      expect(message.markdown.content).toContain('【测试 TEST】');
      const listed = await api.as(callers.ops).get(`/api/v1/notifications?channel=${ch.name}`);
      expect(listed.body).toMatchObject({ total: 1, items: [{ id: queued.body.id, state: 'sent', attempts: 1 }] });
    });
  });

  it('GET /api/v1/notifications filters by alert, state and channel, and pages', async () => {
    const { db } = getDb();
    const a = await channel({ kind: 'webhook', url: 'https://x.example/a', group_wait_seconds: 0 });
    const b = await channel({ kind: 'webhook', url: 'https://x.example/b', group_wait_seconds: 0 });
    const first = await newAlert(db);
    const second = await newAlert(db);
    await enqueueNotifications(db, [first], new Date());
    await enqueueNotifications(db, [second], new Date());
    await db.update(notifications).set({ state: 'sent', sentAt: new Date() }).where(eq(notifications.channelId, b.id));
    const get = async (query: string) => {
      const answer = await api.as(callers.ops).get(`/api/v1/notifications${query}`);
      expect(answer.status, answer.text).toBe(200);
      return answer.body as { items: { channel: string; alert_ids: number[]; state: string }[]; total: number };
    };
    expect((await get('')).total).toBe(4);
    const byAlert = await get(`?alert=${first.alertId}`);
    expect(byAlert.total).toBe(2);
    expect(byAlert.items.every((i) => i.alert_ids.includes(first.alertId))).toBe(true);
    expect((await get(`?channel=${a.name}&state=queued`)).total).toBe(2);
    expect((await get(`?channel=${a.name}&state=sent`)).total).toBe(0);
    const sent = await get(`?state=sent&alert=${second.alertId}`);
    expect(sent.items).toMatchObject([{ channel: b.name, state: 'sent', alert_ids: [second.alertId] }]);
    const page = await get('?limit=1&offset=1');
    expect(page.items).toHaveLength(1);
    expect(page.total).toBe(4);
    expect((await get('?limit=1&offset=10')).total).toBe(4);
    const bad = await api.as(callers.ops).get('/api/v1/notifications?state=lost');
    expect(bad.status).toBe(422);
    expect(fieldsOf(bad.body)).toContain('state');
  });
});

/** A second handle on the same database, as a restarted replica would open: PGlite's own instance, or a new pool on the same URL. */
async function reopen(database: Database): Promise<Database> {
  if (database.kind === 'pglite') {
    const client = (database.db as unknown as { $client: Parameters<typeof openDatabase>[0]['pglite'] }).$client;
    return openDatabase({ pglite: client });
  }
  const [row] = await queryRows<{ name: string }>(database, sql`select current_database() as name`);
  return openDatabase({ databaseUrl: `${inject('postgresUrl')}/${row?.name}`, poolSize: 2 });
}
