import { z } from '@hono/zod-openapi';
import { alertRuleKeys, alertSeverities, channelKinds, notificationReasons, notificationStates } from '../db/schema/enums.ts';
import { paging } from '../http/schemas.ts';

/** Like agent names: safe in URLs, logs and file names. */
export const channelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit');

const email = z
  .string()
  .max(254)
  .regex(/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/, 'must be an email address');

/**
 * The fields of a channel a caller writes. Cross-field rules (url scheme per kind, `to` only
 * for email, known regions) are the service's, since a PATCH may change either side.
 */
export const ChannelInput = z
  .object({
    name: channelName,
    kind: z.enum(channelKinds),
    url: z.string().min(1).max(2000).openapi({ description: 'http(s) URL of the webhook or robot; smtp:// or smtps:// for email' }),
    to: z.array(email).min(1).max(50).optional().openapi({ description: 'Email recipients (email channels only)' }),
    secret: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .openapi({ description: 'Write-only: webhook HMAC key, DingTalk signing secret, SMTP password' }),
    min_severity: z.enum(alertSeverities).default('warning'),
    regions: z
      .array(z.string().regex(/^\d{6}(\d{3})?$/, 'must be a 6- or 9-digit division code'))
      .max(200)
      .default([]),
    rules: z.array(z.enum(alertRuleKeys)).max(alertRuleKeys.length).default([]),
    group_wait_seconds: z.number().int().min(0).max(3600).default(30),
    repeat_interval_seconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(4 * 3600),
    rate_per_minute: z.number().int().min(1).max(600).default(20),
    enabled: z.boolean().default(true),
  })
  .strict();
export type ChannelInput = z.infer<typeof ChannelInput>;

/** A PATCH: any field but the name; `secret: null` removes the secret. Strict, so a misspelt field is an error. */
export const ChannelPatch = z
  .object({
    kind: z.enum(channelKinds),
    url: ChannelInput.shape.url,
    to: z.array(email).max(50),
    secret: z.string().min(1).max(500).nullable(),
    min_severity: z.enum(alertSeverities),
    regions: ChannelInput.shape.regions.unwrap(),
    rules: ChannelInput.shape.rules.unwrap(),
    group_wait_seconds: ChannelInput.shape.group_wait_seconds.unwrap(),
    repeat_interval_seconds: ChannelInput.shape.repeat_interval_seconds.unwrap(),
    rate_per_minute: ChannelInput.shape.rate_per_minute.unwrap(),
    enabled: z.boolean(),
  })
  .partial()
  .strict();
export type ChannelPatch = z.infer<typeof ChannelPatch>;

export const ChannelItem = z
  .object({
    name: z.string(),
    kind: z.enum(channelKinds),
    url: z.string(),
    to: z.array(z.string()),
    has_secret: z.boolean().openapi({ description: 'Whether a secret is set; the secret itself is never returned' }),
    min_severity: z.enum(alertSeverities),
    regions: z.array(z.string()),
    rules: z.array(z.enum(alertRuleKeys)),
    group_wait_seconds: z.number().int(),
    repeat_interval_seconds: z.number().int(),
    rate_per_minute: z.number().int(),
    enabled: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('NotificationChannel');
export type ChannelItem = z.infer<typeof ChannelItem>;

export const NotificationItem = z
  .object({
    id: z.number().int(),
    channel: z.string(),
    channel_kind: z.enum(channelKinds),
    reason: z.enum(notificationReasons),
    state: z.enum(notificationStates),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    next_attempt_at: z.string(),
    created_at: z.string(),
    sent_at: z.string().nullable(),
    alert_ids: z.array(z.number().int()),
  })
  .openapi('Notification');
export type NotificationItem = z.infer<typeof NotificationItem>;

export const NotificationQuery = z.object({
  alert: z.coerce.number().int().min(1).max(2_147_483_647).optional().openapi({ description: 'Only notifications carrying this alert id' }),
  state: z.enum(notificationStates).optional(),
  channel: channelName.optional(),
  ...paging,
});
export type NotificationQuery = z.infer<typeof NotificationQuery>;
