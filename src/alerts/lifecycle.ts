import { sql } from 'drizzle-orm';
import { insertRows } from '../db/bulk.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { AlertEventType, AlertRuleKey, AlertSeverity } from '../db/schema/enums.ts';
import { alertEvents } from '../db/schema/index.ts';
import type { Condition } from './conditions.ts';
import { liveSilences, type MutableAlert, silenceActive, silencing } from './silences.ts';

/** A change the people on watch are told about. */
export interface AlertChange {
  alertId: number;
  reason: 'firing' | 'resolved';
  severity: AlertSeverity;
  rule: AlertRuleKey;
  regionCode: string | null;
}

/** The notification outbox, as the alert engine needs it (src/notify implements it). */
export interface AlertNotifier {
  /** Queues the changes for every matching channel, in the caller's transaction. */
  enqueue(db: Db, changes: AlertChange[], now: Date): Promise<number>;
  /** Queues repeats of unacknowledged critical alerts whose repeat interval has passed. */
  repeats(db: Db, now: Date): Promise<number>;
}

/** What firing needs of a condition (the engine's, or a Prometheus alert's). */
export type FiringInput = Omit<Condition, 'since' | 'seenBy'> & { startedAt: Date };

export interface OpenAlert {
  id: number;
  fingerprint: string;
  rule: AlertRuleKey;
  severity: AlertSeverity;
  state: 'firing' | 'acknowledged';
  summary: string;
  region_code: string | null;
  silenced_by: number | null;
  inhibited_by: number | null;
}

export interface EventInput {
  alertId: number;
  type: AlertEventType;
  actor: string;
  note?: string | null;
}

/** The open (firing or acknowledged) alerts, optionally of some fingerprints only. */
export async function openAlerts(db: Db, fingerprints?: readonly string[]): Promise<Map<string, OpenAlert>> {
  const filter = fingerprints ? sql`and fingerprint = any(${sql.param([...fingerprints])}::text[])` : sql``;
  const rows = await queryRows<OpenAlert>(
    db,
    sql`select id, fingerprint, rule, severity, state, summary, region_code, silenced_by, inhibited_by
        from alerts where state <> 'resolved' ${filter}`,
  );
  return new Map(rows.map((r) => [r.fingerprint, r]));
}

export async function recordEvents(db: Db, events: EventInput[], at: Date): Promise<void> {
  await insertRows(
    db,
    alertEvents,
    events.map((e) => ({ alertId: e.alertId, at, type: e.type, actor: e.actor, note: e.note ?? null })),
  );
}

export interface FiringResult {
  /** New alerts and reopened ones: the people on watch hear of these. */
  fired: OpenAlert[];
  /** Open alerts whose severity changed; a rise to critical is told again. */
  escalated: OpenAlert[];
}

/**
 * Fires each input: an open alert of its fingerprint is updated (a severity change is an
 * `escalated` event); a resolved one within the reopen window is reopened, counting one more
 * occurrence and clearing its acknowledgement; anything else is a new alert. The partial
 * unique index keeps one open alert per fingerprint even if two writers raced.
 */
export async function fire(db: Db, inputs: FiringInput[], now: Date, options: { reopenMs: number; actor: string }): Promise<FiringResult> {
  if (inputs.length === 0) return { fired: [], escalated: [] };
  const open = await openAlerts(
    db,
    inputs.map((i) => i.fingerprint),
  );
  const events: EventInput[] = [];
  const updates = inputs.filter((i) => {
    const o = open.get(i.fingerprint);
    return o && (o.severity !== i.severity || o.summary !== i.summary);
  });
  const escalated: OpenAlert[] = [];
  if (updates.length > 0) {
    await db.execute(sql`
      update alerts a set severity = x.severity, summary = x.summary, details = x.details,
        last_changed_at = case when a.severity <> x.severity then ${now}::timestamptz else a.last_changed_at end
      from jsonb_to_recordset(${JSON.stringify(updates.map((u) => ({ fingerprint: u.fingerprint, severity: u.severity, summary: u.summary, details: u.details })))}::jsonb)
        as x(fingerprint text, severity text, summary text, details jsonb)
      where a.fingerprint = x.fingerprint and a.state <> 'resolved'`);
    for (const u of updates) {
      const o = open.get(u.fingerprint) as OpenAlert;
      if (o.severity !== u.severity) {
        escalated.push({ ...o, severity: u.severity });
        events.push({ alertId: o.id, type: 'escalated', actor: options.actor, note: `${o.severity} → ${u.severity}` });
      }
    }
  }

  const closed = inputs.filter((i) => !open.has(i.fingerprint));
  const fired: OpenAlert[] = [];
  if (closed.length > 0) {
    const cutoff = new Date(now.getTime() - options.reopenMs);
    const recent = await queryRows<{ id: number; fingerprint: string }>(
      db,
      sql`select distinct on (fingerprint) id, fingerprint from alerts
          where state = 'resolved' and fingerprint = any(${sql.param(closed.map((c) => c.fingerprint))}::text[]) and resolved_at >= ${cutoff}
          order by fingerprint, resolved_at desc`,
    );
    const reopenable = new Map(recent.map((r) => [r.fingerprint, r.id]));
    const reopen = closed.filter((c) => reopenable.has(c.fingerprint));
    if (reopen.length > 0) {
      const rows = await queryRows<OpenAlert>(
        db,
        sql`update alerts a set state = 'firing', resolved_at = null, acknowledged_by = null, acknowledged_at = null,
              occurrences = a.occurrences + 1, last_changed_at = ${now}, severity = x.severity, summary = x.summary, details = x.details
            from jsonb_to_recordset(${JSON.stringify(reopen.map((c) => ({ id: reopenable.get(c.fingerprint), severity: c.severity, summary: c.summary, details: c.details })))}::jsonb)
              as x(id int, severity text, summary text, details jsonb)
            where a.id = x.id
            returning a.id, a.fingerprint, a.rule, a.severity, a.state, a.summary, a.region_code, a.silenced_by, a.inhibited_by`,
      );
      fired.push(...rows);
      for (const r of rows) events.push({ alertId: r.id, type: 'reopened', actor: options.actor });
    }
    const fresh = closed.filter((c) => !reopenable.has(c.fingerprint));
    if (fresh.length > 0) {
      const rows = await queryRows<OpenAlert>(
        db,
        sql`insert into alerts (fingerprint, rule, severity, state, subject_kind, subject_code, subject_name, region_code, department_id,
                                cloud_code, agent_name, summary, details, started_at, last_changed_at)
            select x.fingerprint, x.rule, x.severity, 'firing', x.subject_kind, x.subject_code, x.subject_name, x.region_code, x.department_id,
                   x.cloud_code, x.agent_name, x.summary, x.details, x.started_at, ${now}
            from jsonb_to_recordset(${JSON.stringify(
              fresh.map((c) => ({
                fingerprint: c.fingerprint,
                rule: c.rule,
                severity: c.severity,
                subject_kind: c.subject.kind,
                subject_code: c.subject.code,
                subject_name: c.subject.name,
                region_code: c.regionCode,
                department_id: c.departmentId,
                cloud_code: c.cloudCode,
                agent_name: c.agentName,
                summary: c.summary,
                details: c.details,
                started_at: c.startedAt.toISOString(),
              })),
            )}::jsonb) as x(fingerprint text, rule text, severity text, subject_kind text, subject_code text, subject_name text,
                            region_code text, department_id int, cloud_code text, agent_name text, summary text, details jsonb, started_at timestamptz)
            returning id, fingerprint, rule, severity, state, summary, region_code, silenced_by, inhibited_by`,
      );
      fired.push(...rows);
      for (const r of rows) events.push({ alertId: r.id, type: 'fired', actor: options.actor });
    }
  }
  await recordEvents(db, events, now);
  return { fired, escalated };
}

/** Resolves these open alerts; returns them as they were (their muting decides whether anyone is told). */
export async function resolve(db: Db, alerts: OpenAlert[], now: Date, actor: string): Promise<OpenAlert[]> {
  if (alerts.length === 0) return [];
  const rows = await queryRows<OpenAlert>(
    db,
    sql`update alerts set state = 'resolved', resolved_at = ${now}, last_changed_at = ${now}
        where id = any(${sql.param(alerts.map((a) => a.id))}::int[]) and state <> 'resolved'
        returning id, fingerprint, rule, severity, state, summary, region_code, silenced_by, inhibited_by`,
  );
  await recordEvents(
    db,
    rows.map((r) => ({ alertId: r.id, type: 'resolved', actor })),
    now,
  );
  return rows;
}

interface MutingRow {
  id: number;
  rule: string;
  severity: string;
  state: 'firing' | 'acknowledged';
  subject_kind: string;
  subject_code: string;
  region_code: string | null;
  region_path: string | null;
  cloud_code: string | null;
  agent_name: string | null;
  agents: string[] | null;
  silenced_by: number | null;
  inhibited_by: number | null;
}

export interface MutingResult {
  /** Alerts (still firing) that were muted and no longer are: they are told now. */
  unmuted: number[];
  changed: number;
}

/**
 * Sets `silenced_by` and `inhibited_by` of every open alert from the silences in force and
 * the open agent_silent alerts: a node alert whose every vantage agent is silent is inhibited
 * by that agent's alert — one broken vantage point must not page for every node it probes.
 */
export async function reconcileMuting(db: Db, now: Date, actor: string): Promise<MutingResult> {
  const rows = await queryRows<MutingRow>(
    db,
    sql`select a.id, a.rule, a.severity, a.state, a.subject_kind, a.subject_code, a.region_code, r.path as region_path,
               a.cloud_code, a.agent_name, array(select jsonb_array_elements_text(coalesce(a.details->'agents', '[]'::jsonb))) as agents,
               a.silenced_by, a.inhibited_by
        from alerts a left join regions r on r.code = a.region_code
        where a.state <> 'resolved'`,
  );
  const active = (await liveSilences(db, now)).filter((s) => silenceActive(s, now));
  const silentAgents = new Map(rows.filter((r) => r.rule === 'agent_silent').map((r) => [r.subject_code, r.id]));
  const events: EventInput[] = [];
  const changes: { id: number; silenced_by: number | null; inhibited_by: number | null }[] = [];
  const unmuted: number[] = [];
  for (const row of rows) {
    const alert: MutableAlert = {
      rule: row.rule,
      severity: row.severity,
      subjectKind: row.subject_kind,
      subjectCode: row.subject_code,
      regionPath: row.region_path,
      cloudCode: row.cloud_code,
      agentName: row.agent_name,
      agents: row.agents ?? [],
    };
    const silencedBy = silencing(active, alert)?.id ?? null;
    const agents = row.subject_kind === 'node' ? (row.agents ?? []) : [];
    const inhibitedBy =
      agents.length > 0 && agents.every((a) => silentAgents.has(a)) ? (silentAgents.get(agents[0] as string) ?? null) : null;
    if (silencedBy === row.silenced_by && inhibitedBy === row.inhibited_by) continue;
    changes.push({ id: row.id, silenced_by: silencedBy, inhibited_by: inhibitedBy });
    if (silencedBy !== row.silenced_by) {
      events.push(
        silencedBy === null
          ? { alertId: row.id, type: 'unsilenced', actor, note: `silence ${row.silenced_by}` }
          : { alertId: row.id, type: 'silenced', actor, note: `silence ${silencedBy}` },
      );
    }
    if (inhibitedBy !== row.inhibited_by) {
      events.push(
        inhibitedBy === null
          ? { alertId: row.id, type: 'uninhibited', actor, note: `alert ${row.inhibited_by}` }
          : { alertId: row.id, type: 'inhibited', actor, note: `agent silent: alert ${inhibitedBy}` },
      );
    }
    const wasMuted = row.silenced_by !== null || row.inhibited_by !== null;
    if (wasMuted && silencedBy === null && inhibitedBy === null && row.state === 'firing') unmuted.push(row.id);
  }
  if (changes.length > 0) {
    await db.execute(sql`
      update alerts a set silenced_by = x.silenced_by, inhibited_by = x.inhibited_by
      from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as x(id int, silenced_by int, inhibited_by int)
      where a.id = x.id`);
    await recordEvents(db, events, now);
  }
  return { unmuted, changed: changes.length };
}

/** The muting of these alerts now, by id. */
export async function mutedIds(db: Db, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await queryRows<{ id: number }>(
    db,
    sql`select id from alerts where id = any(${sql.param([...ids])}::int[]) and (silenced_by is not null or inhibited_by is not null)`,
  );
  return new Set(rows.map((r) => r.id));
}

export const changeOf = (a: Pick<OpenAlert, 'id' | 'severity' | 'rule' | 'region_code'>, reason: AlertChange['reason']): AlertChange => ({
  alertId: a.id,
  reason,
  severity: a.severity,
  rule: a.rule,
  regionCode: a.region_code,
});
