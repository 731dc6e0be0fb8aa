import { eq, sql } from 'drizzle-orm';
import { alertItemsByIds } from '../alerts/views.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { ChannelKind, NotificationReason } from '../db/schema/enums.ts';
import { type NotificationEntry, notificationChannels, notifications } from '../db/schema/index.ts';
import { type JobMonitor, loggedJobs } from '../metrics/jobs.ts';
import type { ChannelRow } from './channels.ts';
import type { NotificationContent } from './message.ts';
import { SendError, sendNotification } from './senders.ts';

export { queueDepth } from './outbox.ts';

export type DeliveryOutcome = 'sent' | 'failed' | 'dead';

export interface DelivererOptions {
  pollSeconds: number;
  maxAttempts: number;
  /** Times and counts each poll (notification_delivery) and logs what fails. */
  jobs?: JobMonitor;
  onOutcome?: (kind: ChannelKind, outcome: DeliveryOutcome) => void;
  fetch?: typeof fetch;
  now?: () => Date;
  /** How long one send may take before it counts as failed (default 10 s). */
  sendTimeoutSeconds?: number;
}

export interface Deliverer {
  /** Claims one batch of due notifications and tries each; resolves with how many were tried. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the batch in hand. */
  stop(): Promise<void>;
}

const batchSize = 20;
const defaultSendTimeoutMs = 10_000;
const backoffBaseMs = 10_000;
const backoffCapMs = 3600_000;
const rateWindowMs = 60_000;
/** Second key of the per-channel advisory lock that serialises rate-limit budgets across replicas ("ywnt"). */
const rateLock = 0x7977_6e74;

interface ClaimedRow {
  id: number;
  channel_id: number;
  reason: NotificationReason;
  entries: NotificationEntry[];
  alert_ids: number[];
  attempts: number;
}

const at = (ms: number) => new Date(ms).toISOString();

/** min(base·2^attempts, cap), ±20 % so that a receiver back from an outage is not hit by every row at once. */
export function backoffMs(attemptsBefore: number, random = Math.random()): number {
  const delay = Math.min(backoffBaseMs * 2 ** attemptsBefore, backoffCapMs);
  return Math.round(delay * (0.8 + 0.4 * random));
}

/**
 * Claims due rows (skip locked, so replicas share the queue), then trims each channel's share
 * to its rate budget — messages sent in the last minute and rows other replicas hold count
 * against it — and hands the rest back, queued for later: nothing is dropped.
 */
async function claim(database: Db, now: Date, claimMs: number): Promise<ClaimedRow[]> {
  return database.transaction(async (db) => {
    const claimed = await queryRows<ClaimedRow>(
      db,
      sql`update notifications set claimed_until = ${at(now.getTime() + claimMs)}::timestamptz
          where id in (
            select id from notifications
            where state in ('queued', 'failed') and next_attempt_at <= ${now.toISOString()}::timestamptz
              and (claimed_until is null or claimed_until <= ${now.toISOString()}::timestamptz)
            order by next_attempt_at, id
            limit ${batchSize}
            for update skip locked)
          returning id, channel_id, reason, entries, alert_ids, attempts`,
    );
    const byChannel = new Map<number, ClaimedRow[]>();
    for (const row of claimed.sort((a, b) => a.id - b.id)) byChannel.set(row.channel_id, [...(byChannel.get(row.channel_id) ?? []), row]);
    const kept: ClaimedRow[] = [];
    for (const channelId of [...byChannel.keys()].sort((a, b) => a - b)) {
      const rows = byChannel.get(channelId) ?? [];
      await db.execute(sql`select pg_advisory_xact_lock(${rateLock}::int, ${channelId}::int)`);
      const windowStart = at(now.getTime() - rateWindowMs);
      const mine = rows.map((r) => r.id);
      const [usage] = await queryRows<{ rate: number; sent: number; in_flight: number; oldest: Date | string | null }>(
        db,
        sql`select c.rate_per_minute as rate,
              count(n.id) filter (where n.state = 'sent' and n.sent_at > ${windowStart}::timestamptz)::int as sent,
              count(n.id) filter (where n.state in ('queued', 'failed') and n.claimed_until > ${now.toISOString()}::timestamptz
                and not (n.id = any(${sql.param(mine)}::int[])))::int as in_flight,
              min(n.sent_at) filter (where n.state = 'sent' and n.sent_at > ${windowStart}::timestamptz) as oldest
            from notification_channels c
            left join notifications n on n.channel_id = c.id
              and (n.sent_at > ${windowStart}::timestamptz or n.claimed_until > ${now.toISOString()}::timestamptz)
            where c.id = ${channelId}
            group by c.rate_per_minute`,
      );
      const budget = Math.max(0, (usage?.rate ?? 0) - (usage?.sent ?? 0) - (usage?.in_flight ?? 0));
      kept.push(...rows.slice(0, budget));
      const deferred = rows.slice(budget).map((r) => r.id);
      if (deferred.length > 0) {
        // Due again when the oldest message of the window leaves it.
        const freeAt = usage?.oldest ? new Date(usage.oldest).getTime() + rateWindowMs : now.getTime() + 5000;
        await db.execute(
          sql`update notifications set claimed_until = null, next_attempt_at = ${at(Math.max(freeAt, now.getTime() + 1000))}::timestamptz
              where id = any(${sql.param(deferred)}::int[])`,
        );
      }
    }
    return kept;
  });
}

/** last_error and log lines: short, and scrubbed of the secret and the URL's credentials, whatever the receiver echoed. */
function scrubbed(text: string, channel: ChannelRow): string {
  const hidden = [channel.secret, channel.url, ...urlCredentials(channel.url)].filter((s): s is string => !!s && s.length >= 4);
  let safe = text;
  for (const secret of hidden) safe = safe.split(secret).join('(redacted)');
  return safe.length > 300 ? `${safe.slice(0, 299)}…` : safe;
}

function urlCredentials(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [...parsed.searchParams.values(), decodeURIComponent(parsed.password)];
  } catch {
    return [];
  }
}

/** A failed attempt: what went wrong, and whether retrying cannot help (a deleted channel). */
interface Failure {
  message: string;
  final: boolean;
}

export function startNotificationDeliverer(db: Db, options: DelivererOptions): Deliverer {
  const now = options.now ?? (() => new Date());
  const jobs = options.jobs ?? loggedJobs();
  const log = jobs.logger;
  const fetchImpl = options.fetch ?? fetch;
  const sendTimeoutMs = options.sendTimeoutSeconds === undefined ? defaultSendTimeoutMs : options.sendTimeoutSeconds * 1000;
  // A claim outlives the slowest batch (every send timing out), so two replicas never hold one row.
  const claimMs = batchSize * sendTimeoutMs + 30_000;

  async function finish(row: ClaimedRow, channel: ChannelRow, failure: Failure | null): Promise<void> {
    const t = now();
    const attempts = row.attempts + 1;
    if (!failure) {
      await db
        .update(notifications)
        .set({ state: 'sent', sentAt: t, attempts, lastError: null, claimedUntil: null })
        .where(eq(notifications.id, row.id));
      options.onOutcome?.(channel.kind, 'sent');
      return;
    }
    const lastError = scrubbed(failure.message, channel);
    const dead = failure.final || attempts >= options.maxAttempts;
    await db
      .update(notifications)
      .set({
        state: dead ? 'dead' : 'failed',
        attempts,
        lastError,
        claimedUntil: null,
        ...(dead ? {} : { nextAttemptAt: new Date(t.getTime() + backoffMs(row.attempts)) }),
      })
      .where(eq(notifications.id, row.id));
    log.warn(
      {
        job: 'notification_delivery',
        notification: row.id,
        channel: channel.name,
        channel_kind: channel.kind,
        attempt: attempts,
        error: lastError,
      },
      dead ? 'notification dead: no more attempts' : 'notification delivery failed; it will be retried',
    );
    options.onOutcome?.(channel.kind, dead ? 'dead' : 'failed');
  }

  async function deliver(row: ClaimedRow, channel: ChannelRow): Promise<void> {
    // Undeliverable by nature, not by a receiver's mood: dead at once rather than retried.
    const refuse = (message: string) => finish(row, channel, { message, final: true });
    if (channel.deletedAt) return refuse('the channel was deleted');
    if (!channel.enabled && row.reason !== 'test') return refuse('the channel is disabled');
    const alerts = await alertItemsByIds(db, row.alert_ids);
    const reasons = new Map(row.entries.map((e) => [e.alert_id, e.reason]));
    const content: NotificationContent = {
      reason: row.reason,
      channel: channel.name,
      alerts: alerts.map((alert) => ({ alert, reason: reasons.get(alert.id) ?? row.reason })),
    };
    if (row.reason !== 'test' && content.alerts.length === 0) return refuse('its alerts no longer exist');
    let failure: Failure | null = null;
    try {
      await sendNotification(channel, content, { fetch: fetchImpl, timeoutMs: sendTimeoutMs, now });
    } catch (error) {
      // Only a SendError's words are known to be safe to keep.
      failure = {
        message: error instanceof SendError ? error.message : `send failed (${error instanceof Error ? error.name : 'error'})`,
        final: false,
      };
    }
    await finish(row, channel, failure);
  }

  async function runBatch(): Promise<number> {
    const rows = await claim(db, now(), claimMs);
    if (rows.length === 0) return 0;
    const ids = [...new Set(rows.map((r) => r.channel_id))];
    const channels = await db
      .select()
      .from(notificationChannels)
      .where(sql`${notificationChannels.id} = any(${sql.param(ids)}::int[])`);
    const byId = new Map(channels.map((c) => [c.id, c]));
    // Channels in parallel, each channel's messages in order.
    await Promise.all(
      ids.map(async (channelId) => {
        for (const row of rows.filter((r) => r.channel_id === channelId)) {
          const channel = byId.get(channelId);
          if (!channel) continue;
          try {
            await deliver(row, channel);
          } catch (error) {
            // The claim lapses and another pass retries it.
            log.error({ job: 'notification_delivery', notification: row.id, err: error }, 'notification outcome could not be recorded');
          }
        }
      }),
    );
    return rows.length;
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<number> = Promise.resolve(0);
  // One batch at a time per deliverer: runOnce and the poll loop take turns.
  const runOnce = (): Promise<number> => {
    const next = current.catch(() => 0).then(runBatch);
    current = next;
    return next;
  };
  // A full batch means more may be due: keep going before sleeping.
  const poll = async () => {
    while (!stopped && (await runOnce()) >= batchSize) {}
  };
  const tick = async () => {
    // A failed poll has been logged and counted by run(); the next poll tries again.
    await jobs.run('notification_delivery', poll).catch(() => undefined);
    if (!stopped) timer = setTimeout(tick, options.pollSeconds * 1000).unref();
  };
  jobs.scheduled('notification_delivery', options.pollSeconds);
  timer = setTimeout(tick, options.pollSeconds * 1000).unref();

  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current.catch(() => 0);
    },
  };
}
