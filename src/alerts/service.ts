import { and, eq, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { alerts } from '../db/schema/index.ts';
import { type Access, departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { departmentIdsUnder, regionCodesUnder, subtreeOf } from '../regions/subtree.ts';
import { recordEvents } from './lifecycle.ts';
import type { AlertDetail, AlertItem, AlertQuery } from './schemas.ts';
import { selectAlerts } from './views.ts';

export type { AlertQuery } from './schemas.ts';

/**
 * Who sees which alerts: ops, leaders and the system administrator all of them; a department
 * user only those about its own department's systems and tenants (and sub-departments').
 */
function visibility(access: Access): SQL {
  const path = departmentLimit(access, 'read', 'alerts');
  if (path === null) return sql`true`;
  return sql`a.department_id in (${departmentIdsUnder(path)})`;
}

async function scopeFilter(db: Db, scope: string): Promise<SQL> {
  const subtree = await subtreeOf(db, scope);
  return subtree.kind === 'department'
    ? sql`a.department_id in (${departmentIdsUnder(subtree.path)})`
    : sql`a.region_code in (${regionCodesUnder(subtree.path)})`;
}

/** Alerts, firing first, then the most severe, then the most recently changed. */
export async function listAlerts(db: Db, access: Access, query: AlertQuery): Promise<{ items: AlertItem[]; total: number }> {
  const where: SQL[] = [visibility(access)];
  if (query.state) where.push(sql`a.state = ${query.state}`);
  if (query.severity) where.push(sql`a.severity = ${query.severity}`);
  if (query.rule) where.push(sql`a.rule = ${query.rule}`);
  if (query.node) where.push(sql`a.subject_kind = 'node' and a.subject_code = ${query.node}`);
  if (query.scope) where.push(await scopeFilter(db, query.scope));
  const condition = sql.join(where, sql` and `);
  const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from alerts a where ${condition}`);
  const items = await selectAlerts(
    db,
    condition,
    sql`order by case a.state when 'firing' then 0 when 'acknowledged' then 1 else 2 end,
                 case a.severity when 'critical' then 0 when 'warning' then 1 else 2 end,
                 a.last_changed_at desc, a.id desc
        limit ${query.limit} offset ${query.offset}`,
  );
  return { items, total: count?.n ?? 0 };
}

/** One alert with its timeline; an alert the caller may not see does not exist for them. */
export async function getAlert(db: Db, access: Access, id: number): Promise<AlertDetail> {
  const [item] = await selectAlerts(db, sql`a.id = ${id} and ${visibility(access)}`);
  if (!item) throw notFound('alert', String(id));
  const events = await queryRows<{ at: Date | string; type: AlertDetail['events'][number]['type']; actor: string; note: string | null }>(
    db,
    sql`select at, type, actor, note from alert_events where alert_id = ${id} order by id`,
  );
  return { ...item, events: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
}

/** Counts of open alerts by state and severity, for the console's badge. */
export async function openAlertCounts(db: Db, access: Access): Promise<{ firing_critical: number; firing: number; acknowledged: number }> {
  const [row] = await queryRows<{ firing_critical: number; firing: number; acknowledged: number }>(
    db,
    sql`select count(*) filter (where a.state = 'firing' and a.severity = 'critical' and a.silenced_by is null and a.inhibited_by is null)::int as firing_critical,
               count(*) filter (where a.state = 'firing')::int as firing,
               count(*) filter (where a.state = 'acknowledged')::int as acknowledged
        from alerts a where a.state <> 'resolved' and ${visibility(access)}`,
  );
  return row ?? { firing_critical: 0, firing: 0, acknowledged: 0 };
}

/**
 * The firing critical alerts no silence or inhibition mutes, newest first, at most `limit`, and
 * how many there are: every one, whoever they concern — for the wall screen, whose route
 * checks its own area (the screen shows the whole province, as a leader sees it).
 */
export async function firingCriticalAlerts(db: Db, limit: number): Promise<{ items: AlertItem[]; total: number }> {
  const condition = sql`a.state = 'firing' and a.severity = 'critical' and a.silenced_by is null and a.inhibited_by is null`;
  const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from alerts a where ${condition}`);
  const items = await selectAlerts(db, condition, sql`order by a.started_at desc, a.id desc limit ${limit}`);
  return { items, total: count?.n ?? 0 };
}

/**
 * firing → acknowledged: someone has taken it (who, when, note). Two people acknowledging at
 * once: the row lock lets one win; the other is told who took it.
 */
export async function acknowledgeAlert(database: Db, id: number, note: string, actor: Actor, now = new Date()): Promise<AlertDetail> {
  await database.transaction(async (db) => {
    const [row] = await db
      .select({ state: alerts.state, acknowledgedBy: alerts.acknowledgedBy, fingerprint: alerts.fingerprint })
      .from(alerts)
      .where(and(eq(alerts.id, id)))
      .for('update');
    if (!row) throw notFound('alert', String(id));
    if (row.state === 'acknowledged') throw new AppError('conflict', `alert ${id} is already acknowledged by ${row.acknowledgedBy}`);
    if (row.state === 'resolved')
      throw new AppError('illegal_transition', `alert ${id} is resolved; only a firing alert can be acknowledged`);
    await db
      .update(alerts)
      .set({ state: 'acknowledged', acknowledgedBy: actor.name, acknowledgedAt: now, lastChangedAt: now })
      .where(eq(alerts.id, id));
    await recordEvents(db, [{ alertId: id, type: 'acknowledged', actor: actor.name, note }], now);
    await recordAudit(db, actor, [
      {
        action: 'alert.acknowledge',
        entityKind: 'alert',
        entityCode: row.fingerprint,
        before: { state: 'firing' },
        after: { state: 'acknowledged', note },
      },
    ]);
  });
  return getAlert(database, actor.access, id);
}
