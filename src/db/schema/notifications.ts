import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { enumChecks, generatedId, instant, requiredId } from './columns.ts';
import { alertSeverities, channelKinds, type NotificationReason, notificationReasons, notificationStates } from './enums.ts';

/**
 * 通知渠道: where alerts are sent. `secret` (a DingTalk signing secret, a webhook HMAC key,
 * an SMTP password) is write-only: the API never returns it and nothing logs it.
 */
export const notificationChannels = pgTable(
  'notification_channels',
  {
    id: generatedId(),
    name: text().notNull().unique('notification_channels_name_key'),
    kind: text({ enum: channelKinds }).notNull(),
    /** The webhook or robot URL; for email, the SMTP URL (smtp://host:port). */
    url: text().notNull(),
    /** Email recipients. */
    to: text().array().notNull().default(sql`'{}'::text[]`),
    secret: text(),
    minSeverity: text({ enum: alertSeverities }).notNull().default('warning'),
    /** Region codes (with their descendants) whose alerts it takes; empty = every region. */
    regions: text().array().notNull().default(sql`'{}'::text[]`),
    /** Rules whose alerts it takes; empty = every rule. */
    rules: text().array().notNull().default(sql`'{}'::text[]`),
    groupWaitSeconds: integer().notNull().default(30),
    repeatIntervalSeconds: integer()
      .notNull()
      .default(4 * 3600),
    /** Messages a minute the receiver accepts (a DingTalk robot takes 20); more wait their turn. */
    ratePerMinute: integer().notNull().default(20),
    enabled: boolean().notNull().default(true),
    createdAt: instant().notNull().defaultNow(),
    updatedAt: instant().notNull().defaultNow(),
    /** Deleted channels stay for their notifications' history. */
    deletedAt: instant(),
  },
  (t) => [...enumChecks(t.kind, t.minSeverity)],
);

/** One alert in a notification, and what happened to it. */
export interface NotificationEntry {
  alert_id: number;
  reason: NotificationReason;
}

/**
 * The outbox: one message to one channel, grouping the alerts that arrived within the
 * channel's group_wait. Written in the transaction that changed the alerts, delivered at
 * least once by the deliverer, retried with exponential backoff, dead after a limit.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: generatedId(),
    channelId: requiredId(() => notificationChannels.id),
    state: text({ enum: notificationStates }).notNull().default('queued'),
    entries: jsonb().$type<NotificationEntry[]>().notNull().default([]),
    /** The alert ids of `entries`, for `GET /notifications?alert=`. */
    alertIds: integer().array().notNull().default(sql`'{}'::integer[]`),
    reason: text({ enum: notificationReasons }).notNull(),
    attempts: integer().notNull().default(0),
    /** Not before: the end of the group wait, then of each backoff. */
    nextAttemptAt: instant().notNull(),
    /** A deliverer holds it until then; a crashed one's claim simply lapses. */
    claimedUntil: instant(),
    lastError: text(),
    createdAt: instant().notNull().defaultNow(),
    sentAt: instant(),
  },
  (t) => [
    ...enumChecks(t.state, t.reason),
    index('notifications_due_idx').on(t.state, t.nextAttemptAt),
    index('notifications_channel_idx').on(t.channelId, t.createdAt),
    index('notifications_alert_ids_idx').using('gin', t.alertIds),
  ],
);
