import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { notificationChannels, regions } from '../db/schema/index.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import { getNotification } from './history.ts';
import { queueTestNotification } from './outbox.ts';
import type { ChannelInput, ChannelItem, ChannelPatch, NotificationItem } from './schemas.ts';

export type ChannelRow = typeof notificationChannels.$inferSelect;

export function channelItemOf(row: ChannelRow): ChannelItem {
  return {
    name: row.name,
    kind: row.kind,
    // Query values of robot URLs (access_token, key) are credentials: write-only like the secret.
    url: redactedUrl(row.url),
    to: row.to,
    has_secret: row.secret !== null,
    min_severity: row.minSeverity,
    regions: row.regions,
    rules: row.rules as ChannelItem['rules'],
    group_wait_seconds: row.groupWaitSeconds,
    repeat_interval_seconds: row.repeatIntervalSeconds,
    rate_per_minute: row.ratePerMinute,
    enabled: row.enabled,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/**
 * A URL fit for responses, the audit trail and logs: query values (a DingTalk `access_token`, a WeCom
 * `key`) are bearer credentials, so each is replaced by a short hash that still shows a change.
 */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const [key, value] of [...parsed.searchParams]) {
      parsed.searchParams.set(key, `(sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)})`);
    }
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}

/** What the audit trail keeps of a channel: never the secret, only whether there is one. */
function auditView(row: ChannelRow): Record<string, unknown> {
  return { ...channelItemOf(row), secret: row.secret === null ? null : '(set)' };
}

const invalid = (errors: FieldError[]) =>
  new AppError('validation_failed', `invalid channel: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);

interface ChannelShape {
  kind: ChannelRow['kind'];
  url: string;
  to: string[];
  regions: string[];
}

/** The rules that tie fields together: the URL scheme per kind, `to` only for email, known regions. */
async function validateShape(db: Db, shape: ChannelShape): Promise<void> {
  const errors: FieldError[] = [];
  let url: URL | null = null;
  try {
    url = new URL(shape.url);
  } catch {
    errors.push({ field: 'url', message: 'is not a URL' });
  }
  if (url) {
    const email = shape.kind === 'email';
    const schemes = email ? ['smtp:', 'smtps:'] : ['http:', 'https:'];
    if (!schemes.includes(url.protocol)) {
      errors.push({ field: 'url', message: `must start with ${schemes.map((s) => `${s}//`).join(' or ')} for a ${shape.kind} channel` });
    }
    // A password in the URL would be returned and audited with it: it belongs in `secret`.
    if (url.password) errors.push({ field: 'url', message: 'must not hold a password: send it as `secret`, which is never shown' });
    if (!url.hostname) errors.push({ field: 'url', message: 'needs a host' });
  }
  if (shape.kind === 'email' && shape.to.length === 0) errors.push({ field: 'to', message: 'is required for an email channel' });
  if (shape.kind !== 'email' && shape.to.length > 0) errors.push({ field: 'to', message: 'is only for email channels' });
  if (shape.regions.length > 0) {
    const known = await db.select({ code: regions.code }).from(regions).where(inArray(regions.code, shape.regions));
    const codes = new Set(known.map((r) => r.code));
    shape.regions.forEach((code, i) => {
      if (!codes.has(code)) errors.push({ field: `regions.${i}`, message: `unknown region ${code}` });
    });
  }
  if (errors.length > 0) throw invalid(errors);
}

/** Channels that are not deleted, by name. */
export async function listChannels(db: Db, actor: Actor): Promise<{ items: ChannelItem[] }> {
  assertCan(actor.access, 'read', 'alerting');
  const rows = await db
    .select()
    .from(notificationChannels)
    .where(isNull(notificationChannels.deletedAt))
    .orderBy(asc(notificationChannels.name));
  return { items: rows.map(channelItemOf) };
}

/** A live (not deleted) channel, locked for update when asked; 404 otherwise. */
export async function findChannel(db: Db, name: string, lock = false): Promise<ChannelRow> {
  const query = db
    .select()
    .from(notificationChannels)
    .where(and(eq(notificationChannels.name, name), isNull(notificationChannels.deletedAt)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new AppError('not_found', `notification channel ${name} does not exist`);
  return row;
}

export async function createChannel(database: Db, input: ChannelInput, actor: Actor): Promise<ChannelItem> {
  assertCan(actor.access, 'write', 'alerting');
  const to = input.to ?? [];
  return database.transaction(async (db) => {
    await validateShape(db, { kind: input.kind, url: input.url, to, regions: input.regions });
    // Two creates of one name take turns, so the second gets 409 rather than a unique-key 500.
    await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`notification_channel:${input.name}`}))`);
    const [taken] = await db
      .select({ deletedAt: notificationChannels.deletedAt })
      .from(notificationChannels)
      .where(eq(notificationChannels.name, input.name));
    if (taken) {
      const why = taken.deletedAt ? 'a deleted channel keeps its name for the history of its notifications' : 'it exists';
      throw new AppError('conflict', `notification channel ${input.name} cannot be created: ${why}`, [
        { field: 'name', message: 'is taken' },
      ]);
    }
    const [row] = await db
      .insert(notificationChannels)
      .values({
        name: input.name,
        kind: input.kind,
        url: input.url,
        to,
        secret: input.secret ?? null,
        minSeverity: input.min_severity,
        regions: input.regions,
        rules: input.rules,
        groupWaitSeconds: input.group_wait_seconds,
        repeatIntervalSeconds: input.repeat_interval_seconds,
        ratePerMinute: input.rate_per_minute,
        enabled: input.enabled,
      })
      .returning();
    if (!row) throw new AppError('internal', 'the channel was not inserted');
    await recordAudit(db, actor, [
      { action: 'notification_channel.create', entityKind: 'notification_channel', entityCode: row.name, after: auditView(row) },
    ]);
    return channelItemOf(row);
  });
}

export async function updateChannel(database: Db, name: string, patch: ChannelPatch, actor: Actor): Promise<ChannelItem> {
  assertCan(actor.access, 'write', 'alerting');
  return database.transaction(async (db) => {
    const before = await findChannel(db, name, true);
    const kind = patch.kind ?? before.kind;
    // Leaving email drops its recipients unless new ones are given (which are then refused).
    const to = patch.to ?? (kind === 'email' ? before.to : []);
    await validateShape(db, { kind, url: patch.url ?? before.url, to, regions: patch.regions ?? before.regions });
    const [row] = await db
      .update(notificationChannels)
      .set({
        kind,
        to,
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.secret !== undefined ? { secret: patch.secret } : {}),
        ...(patch.min_severity !== undefined ? { minSeverity: patch.min_severity } : {}),
        ...(patch.regions !== undefined ? { regions: patch.regions } : {}),
        ...(patch.rules !== undefined ? { rules: patch.rules } : {}),
        ...(patch.group_wait_seconds !== undefined ? { groupWaitSeconds: patch.group_wait_seconds } : {}),
        ...(patch.repeat_interval_seconds !== undefined ? { repeatIntervalSeconds: patch.repeat_interval_seconds } : {}),
        ...(patch.rate_per_minute !== undefined ? { ratePerMinute: patch.rate_per_minute } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        updatedAt: new Date(),
      })
      .where(eq(notificationChannels.id, before.id))
      .returning();
    if (!row) throw new AppError('internal', 'the channel was not updated');
    await recordAudit(db, actor, [
      {
        action: 'notification_channel.update',
        entityKind: 'notification_channel',
        entityCode: name,
        before: auditView(before),
        // A new secret is recorded as changed, never as its value.
        after: { ...auditView(row), ...(typeof patch.secret === 'string' && before.secret !== null ? { secret: '(changed)' } : {}) },
      },
    ]);
    return channelItemOf(row);
  });
}

/** Soft delete: the row stays so that its notifications keep their channel. */
export async function deleteChannel(database: Db, name: string, actor: Actor): Promise<void> {
  assertCan(actor.access, 'write', 'alerting');
  await database.transaction(async (db) => {
    const before = await findChannel(db, name, true);
    const now = new Date();
    await db.update(notificationChannels).set({ deletedAt: now, updatedAt: now }).where(eq(notificationChannels.id, before.id));
    await recordAudit(db, actor, [
      {
        action: 'notification_channel.delete',
        entityKind: 'notification_channel',
        entityCode: name,
        before: auditView(before),
        after: { deleted_at: now.toISOString() },
      },
    ]);
  });
}

/** Queues a `test` notification to the channel (due at once, even when the channel is disabled) and returns it. */
export async function testChannel(database: Db, name: string, actor: Actor, now = new Date()): Promise<NotificationItem> {
  assertCan(actor.access, 'write', 'alerting');
  const id = await database.transaction(async (db) => {
    const channel = await findChannel(db, name);
    const queued = await queueTestNotification(db, channel, now);
    await recordAudit(db, actor, [
      { action: 'notification_channel.test', entityKind: 'notification_channel', entityCode: name, after: { notification: queued } },
    ]);
    return queued;
  });
  return getNotification(database, id);
}
