import type { AddressInfo } from 'node:net';
import { eq, isNull } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { notificationChannels, notifications } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { startNotificationDeliverer } from '../../src/notify/deliverer.ts';
import { enqueueNotifications } from '../../src/notify/outbox.ts';
import { ChannelInput } from '../../src/notify/schemas.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { newAlert, testClock } from '../helpers/notify.ts';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  user: string | null;
  password: string | null;
}

/** The decoded text of every part of a MIME message (base64 and quoted-printable), joined. */
function decodedText(raw: string): string {
  const out: string[] = [];
  for (const part of raw.split(/\r?\n--[^\r\n]+\r?\n/)) {
    const split = part.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const headers = part.slice(0, split).toLowerCase();
    const body = part.slice(split).trim();
    if (headers.includes('content-transfer-encoding: base64')) out.push(Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8'));
    else if (headers.includes('content-transfer-encoding: quoted-printable')) {
      const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
      out.push(decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25')));
    } else out.push(body);
  }
  return out.join('\n');
}

describeEachBackend('email notifications', (getDb) => {
  const received: ReceivedMail[] = [];
  let port = 0;
  // A real SMTP server on 127.0.0.1: no TLS offered, authentication optional but recorded.
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: { name: auth.username ?? '', password: auth.password ?? '' } });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const user = session.user as unknown as { name: string; password: string } | undefined;
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: user?.name ?? null,
          password: user?.password ?? null,
        });
        callback();
      });
    },
  });

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // Each test's channel alone takes its alerts.
  beforeEach(async () => {
    await getDb().db.update(notificationChannels).set({ deletedAt: new Date() }).where(isNull(notificationChannels.deletedAt));
  });

  const deliverOnce = async (clock: ReturnType<typeof testClock>) => {
    const d = startNotificationDeliverer(getDb().db, { pollSeconds: 3600, maxAttempts: 3, now: clock.now });
    try {
      return await d.runOnce();
    } finally {
      await d.stop();
    }
  };

  it('sends one message to every recipient, with a subject and a body naming the alerts', async () => {
    const { db } = getDb();
    const name = `mail-${process.pid}-${Date.now()}`;
    await createChannel(
      db,
      ChannelInput.parse({
        name,
        kind: 'email',
        url: `smtp://127.0.0.1:${port}?from=yunwang@example.gov.cn`,
        to: ['ops@example.gov.cn', 'duty@example.gov.cn'],
        group_wait_seconds: 0,
      }),
      rootActor('test'),
    );
    const clock = testClock();
    const down = await newAlert(db, { code: `GX-MAIL-${process.pid}-1` });
    const other = await newAlert(db, { code: `GX-MAIL-${process.pid}-2` });
    expect(await enqueueNotifications(db, [down, other], clock.now())).toBe(2);
    const before = received.length;
    expect(await deliverOnce(clock)).toBe(1);
    expect(received).toHaveLength(before + 1);
    const mail = received.at(-1);
    expect(mail?.to.sort()).toEqual(['duty@example.gov.cn', 'ops@example.gov.cn']);
    expect(mail?.from).toBe('yunwang@example.gov.cn');
    expect(mail?.user).toBeNull();
    const subject = /^Subject: (.*)$/m.exec(mail?.raw ?? '')?.[1];
    expect(subject).toMatch(/^\[yunwang\]\[CRITICAL\] 2 firing: node_down GX-MAIL-/);
    const text = decodedText(mail?.raw ?? '');
    expect(text).toContain(`GX-MAIL-${process.pid}-1`);
    expect(text).toContain(`测试节点 GX-MAIL-${process.pid}-2`);
    expect(text).toContain('【告警 FIRING】');
    expect(text).toContain('南宁市');
    expect(text).toContain(`/console/alerts?id=${down.alertId}`);
    expect(mail?.raw).toContain('text/html');

    const [channel] = await db.select().from(notificationChannels).where(eq(notificationChannels.name, name));
    const [row] = await db
      .select()
      .from(notifications)
      .where(eq(notifications.channelId, channel?.id ?? 0));
    expect(row).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('signs in with the URL user and the channel secret as password', async () => {
    const { db } = getDb();
    const name = `mail-auth-${process.pid}-${Date.now()}`;
    await createChannel(
      db,
      ChannelInput.parse({
        name,
        kind: 'email',
        url: `smtp://alerts%40example.gov.cn@127.0.0.1:${port}`,
        to: ['ops@example.gov.cn'],
        secret: 'smtp-Passw0rd',
        group_wait_seconds: 0,
      }),
      rootActor('test'),
    );
    const clock = testClock();
    await enqueueNotifications(db, [await newAlert(db, { severity: 'critical' })], clock.now());
    expect(await deliverOnce(clock)).toBeGreaterThanOrEqual(1);
    const mail = received.at(-1);
    expect(mail).toMatchObject({ user: 'alerts@example.gov.cn', password: 'smtp-Passw0rd', from: 'alerts@example.gov.cn' });
  });
});
