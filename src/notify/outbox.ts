import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { AlertChange, AlertNotifier } from '../alerts/lifecycle.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { AlertRuleKey, AlertSeverity, NotificationReason } from '../db/schema/enums.ts';
import { type NotificationEntry, notificationChannels, notifications, regions } from '../db/schema/index.ts';
import type { ChannelRow } from './channels.ts';

type Change = Omit<AlertChange, 'reason'> & { reason: NotificationReason };

const severityRank: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };
// The notification's own reason when its entries differ: the most urgent one.
const reasonRank: Record<NotificationReason, number> = { test: 0, resolved: 1, repeat: 2, firing: 3 };

/** `/450000/450100/450102/` for each region code, so a channel's region matches its descendants. */
async function regionPaths(db: Db, codes: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(codes.filter((c): c is string => c !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.select({ code: regions.code, path: regions.path }).from(regions).where(inArray(regions.code, wanted));
  return new Map(rows.map((r) => [r.code, r.path]));
}

/** Whether a channel takes an alert: severity at least its minimum, its regions (with descendants) and rules, empty = all. */
export function channelTakes(channel: ChannelRow, change: Change, paths: Map<string, string>): boolean {
  if (severityRank[change.severity] < severityRank[channel.minSeverity]) return false;
  if (channel.rules.length > 0 && !channel.rules.includes(change.rule)) return false;
  if (channel.regions.length === 0) return true;
  const path = change.regionCode ? paths.get(change.regionCode) : undefined;
  return path !== undefined && channel.regions.some((code) => path.includes(`/${code}/`));
}

function activeChannels(db: Db): Promise<ChannelRow[]> {
  return db
    .select()
    .from(notificationChannels)
    .where(and(eq(notificationChannels.enabled, true), isNull(notificationChannels.deletedAt)));
}

/**
 * Adds entries to the channel's open group — a queued, never attempted notification whose group
 * wait is still running and that no deliverer holds — or opens a new one that waits
 * group_wait_seconds. Locked for update, so a deliverer (skip locked) cannot take it meanwhile.
 */
async function addToGroup(db: Db, channel: ChannelRow, changes: Change[], now: Date): Promise<void> {
  const [open] = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.channelId, channel.id),
        eq(notifications.state, 'queued'),
        eq(notifications.attempts, 0),
        gt(notifications.nextAttemptAt, now),
        isNull(notifications.claimedUntil),
        sql`${notifications.reason} <> 'test'`,
      ),
    )
    .orderBy(notifications.id)
    .limit(1)
    .for('update');
  // One entry per alert: its latest reason (an alert that fired and resolved within the wait says resolved).
  const entries = new Map<number, NotificationEntry>((open?.entries ?? []).map((e) => [e.alert_id, e]));
  for (const change of changes) entries.set(change.alertId, { alert_id: change.alertId, reason: change.reason });
  const list = [...entries.values()];
  const reason = list.reduce<NotificationReason>((best, e) => (reasonRank[e.reason] > reasonRank[best] ? e.reason : best), 'resolved');
  const values = { entries: list, alertIds: list.map((e) => e.alert_id), reason };
  if (open) {
    await db.update(notifications).set(values).where(eq(notifications.id, open.id));
  } else {
    await db.insert(notifications).values({
      channelId: channel.id,
      ...values,
      state: 'queued',
      nextAttemptAt: new Date(now.getTime() + channel.groupWaitSeconds * 1000),
      createdAt: now,
    });
  }
}

async function enqueue(db: Db, channels: ChannelRow[], changes: Change[], now: Date): Promise<number> {
  if (changes.length === 0 || channels.length === 0) return 0;
  const paths = await regionPaths(
    db,
    changes.map((c) => c.regionCode),
  );
  let queued = 0;
  for (const channel of channels) {
    const taken = changes.filter((change) => channelTakes(channel, change, paths));
    if (taken.length === 0) continue;
    await addToGroup(db, channel, taken, now);
    queued += taken.length;
  }
  return queued;
}

/**
 * Queues the alert engine's changes for every enabled channel that takes them; call it in the
 * transaction that changed the alerts, so a change and its notifications commit together.
 * Returns the number of (channel, alert) entries queued.
 */
export async function enqueueNotifications(db: Db, changes: AlertChange[], now: Date): Promise<number> {
  if (changes.length === 0) return 0;
  return enqueue(db, await activeChannels(db), changes, now);
}

interface RepeatCandidate {
  id: number;
  severity: AlertSeverity;
  rule: AlertRuleKey;
  region_code: string | null;
}

/**
 * Reminds each channel of the critical alerts still firing unacknowledged, unsilenced and
 * uninhibited, that it was told about, once its repeat interval has passed since it was last
 * told. Returns the number of (channel, alert) entries queued.
 */
export async function enqueueRepeats(db: Db, now: Date): Promise<number> {
  let queued = 0;
  for (const channel of await activeChannels(db)) {
    const due = await queryRows<RepeatCandidate>(
      db,
      sql`select a.id, a.severity, a.rule, a.region_code
          from alerts a
          join lateral (
            select max(n.created_at) as last from notifications n
            where n.channel_id = ${channel.id} and n.reason <> 'test' and n.alert_ids @> array[a.id]
          ) told on true
          where a.state = 'firing' and a.severity = 'critical' and a.acknowledged_at is null
            and a.silenced_by is null and a.inhibited_by is null
            and told.last is not null
            and told.last < ${now.toISOString()}::timestamptz - make_interval(secs => ${channel.repeatIntervalSeconds})
          order by a.id`,
    );
    const changes: Change[] = due.map((a) => ({
      alertId: a.id,
      reason: 'repeat',
      severity: a.severity,
      rule: a.rule,
      regionCode: a.region_code,
    }));
    queued += await enqueue(db, [channel], changes, now);
  }
  return queued;
}

/** A `test` notification, due at once and on its own (never grouped). */
export async function queueTestNotification(db: Db, channel: ChannelRow, now: Date): Promise<number> {
  const [row] = await db
    .insert(notifications)
    .values({ channelId: channel.id, reason: 'test', state: 'queued', entries: [], alertIds: [], nextAttemptAt: now, createdAt: now })
    .returning({ id: notifications.id });
  if (!row) throw new Error('the test notification was not inserted');
  return row.id;
}

/** Notifications waiting for delivery (queued or failed and due again), for the queue-depth gauge. */
export async function queueDepth(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from notifications where state in ('queued', 'failed')`);
  return row?.n ?? 0;
}

/** The outbox as the alert engine calls it, in its evaluation transaction. */
export const outboxNotifier: AlertNotifier = { enqueue: enqueueNotifications, repeats: enqueueRepeats };
