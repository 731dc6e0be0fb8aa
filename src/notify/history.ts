import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { ChannelKind, NotificationReason, NotificationState } from '../db/schema/enums.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import type { NotificationItem, NotificationQuery } from './schemas.ts';

interface NotificationRow {
  id: number;
  channel: string;
  channel_kind: ChannelKind;
  reason: NotificationReason;
  state: NotificationState;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | string;
  created_at: Date | string;
  sent_at: Date | string | null;
  alert_ids: number[];
  total: number;
}

const iso = (v: Date | string) => new Date(v).toISOString();

function itemOf(row: NotificationRow): NotificationItem {
  return {
    id: row.id,
    channel: row.channel,
    channel_kind: row.channel_kind,
    reason: row.reason,
    state: row.state,
    attempts: row.attempts,
    last_error: row.last_error,
    next_attempt_at: iso(row.next_attempt_at),
    created_at: iso(row.created_at),
    sent_at: row.sent_at === null ? null : iso(row.sent_at),
    alert_ids: row.alert_ids.map(Number),
  };
}

async function selectNotifications(db: Db, where: SQL, limit: number, offset: number): Promise<NotificationRow[]> {
  return queryRows<NotificationRow>(
    db,
    sql`select n.id, c.name as channel, c.kind as channel_kind, n.reason, n.state, n.attempts, n.last_error,
          n.next_attempt_at, n.created_at, n.sent_at, n.alert_ids, count(*) over ()::int as total
        from notifications n join notification_channels c on c.id = n.channel_id
        where ${where} order by n.id desc limit ${limit} offset ${offset}`,
  );
}

/** The outbox, newest first; deleted channels' notifications stay listed under their name. */
export async function listNotifications(
  db: Db,
  query: NotificationQuery,
  actor: Actor,
): Promise<{ items: NotificationItem[]; total: number }> {
  assertCan(actor.access, 'read', 'alerting');
  const conditions: SQL[] = [sql`true`];
  if (query.alert !== undefined) conditions.push(sql`n.alert_ids @> array[${query.alert}::int]`);
  if (query.state) conditions.push(sql`n.state = ${query.state}`);
  if (query.channel) conditions.push(sql`c.name = ${query.channel}`);
  const rows = await selectNotifications(db, sql.join(conditions, sql` and `), query.limit, query.offset);
  let total = rows[0]?.total ?? 0;
  // Past the last page the window count is lost with the rows: count them apart.
  if (rows.length === 0 && query.offset > 0) {
    const [counted] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from notifications n join notification_channels c on c.id = n.channel_id where ${sql.join(conditions, sql` and `)}`,
    );
    total = counted?.n ?? 0;
  }
  return { items: rows.map(itemOf), total };
}

export async function getNotification(db: Db, id: number): Promise<NotificationItem> {
  const [row] = await selectNotifications(db, sql`n.id = ${id}`, 1, 0);
  if (!row) throw new Error(`notification ${id} does not exist`);
  return itemOf(row);
}
