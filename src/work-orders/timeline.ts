import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { TimelineEntry } from './schemas.ts';

interface EventRow {
  at: Date | string;
  type: string;
  actor: string;
  from_state: string | null;
  to_state: string | null;
  note: string | null;
  details: Record<string, unknown> | null;
}

/**
 * The order's own events, merged in time order with those of the alert it came from (the
 * alert resolving or reopening is part of the story), the alert's marked `source: "alert"`.
 */
export async function timelineOf(db: Db, orderId: number, alertId: number | null): Promise<TimelineEntry[]> {
  const own = await queryRows<EventRow>(
    db,
    sql`select at, type, actor, from_state, to_state, note, details from work_order_events where work_order_id = ${orderId} order by at, id`,
  );
  const entries: TimelineEntry[] = own.map((e) => ({
    at: new Date(e.at).toISOString(),
    source: 'work_order',
    type: e.type,
    actor: e.actor,
    from: e.from_state,
    to: e.to_state,
    note: e.note,
    details: e.details ?? {},
  }));
  if (alertId !== null) {
    const alertEvents = await queryRows<EventRow>(
      db,
      sql`select at, type, actor, null as from_state, null as to_state, note, null as details
          from alert_events where alert_id = ${alertId} order by at, id`,
    );
    for (const e of alertEvents)
      entries.push({
        at: new Date(e.at).toISOString(),
        source: 'alert',
        type: e.type,
        actor: e.actor,
        from: null,
        to: null,
        note: e.note,
        details: { alert_id: alertId },
      });
  }
  // A stable sort keeps each source's own order among events of the same instant.
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
