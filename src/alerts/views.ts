import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { AlertItem } from './schemas.ts';

interface AlertRow {
  id: number;
  fingerprint: string;
  rule: AlertItem['rule'];
  severity: AlertItem['severity'];
  state: AlertItem['state'];
  subject_kind: AlertItem['subject']['kind'];
  subject_code: string;
  subject_name: string;
  region_code: string | null;
  region_name: string | null;
  summary: string;
  started_at: Date | string;
  last_changed_at: Date | string;
  acknowledged_by: string | null;
  acknowledged_at: Date | string | null;
  resolved_at: Date | string | null;
  silenced_by: number | null;
  inhibited_by: number | null;
  occurrences: number;
  details: Record<string, unknown> | null;
  work_order: string | null;
}

const iso = (v: Date | string) => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null) => (v === null ? null : iso(v));

/** The columns every alert view selects, with its region's name. */
export const alertColumns = sql`a.id, a.fingerprint, a.rule, a.severity, a.state, a.subject_kind, a.subject_code, a.subject_name,
  a.region_code, r.name as region_name, a.summary, a.started_at, a.last_changed_at, a.acknowledged_by, a.acknowledged_at,
  a.resolved_at, a.silenced_by, a.inhibited_by, a.occurrences, a.details,
  (select wo.code from work_orders wo where wo.alert_id = a.id) as work_order`;

export function alertItemOf(row: AlertRow): AlertItem {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    rule: row.rule,
    severity: row.severity,
    state: row.state,
    subject: { kind: row.subject_kind, code: row.subject_code, name: row.subject_name },
    region: row.region_code,
    region_name: row.region_name,
    summary: row.summary,
    started_at: iso(row.started_at),
    last_changed_at: iso(row.last_changed_at),
    acknowledged_by: row.acknowledged_by,
    acknowledged_at: isoOrNull(row.acknowledged_at),
    resolved_at: isoOrNull(row.resolved_at),
    silenced_by: row.silenced_by,
    inhibited_by: row.inhibited_by,
    occurrences: row.occurrences,
    details: row.details ?? {},
    work_order: row.work_order,
  };
}

/** Alerts matching `where` (over `alerts a`), in the order given. */
export async function selectAlerts(db: Db, where: SQL, tail: SQL = sql``): Promise<AlertItem[]> {
  const rows = await queryRows<AlertRow>(
    db,
    sql`select ${alertColumns} from alerts a left join regions r on r.code = a.region_code where ${where} ${tail}`,
  );
  return rows.map(alertItemOf);
}

/** These alerts, by id, in the shape of `GET /api/v1/alerts` items (notification messages use it). */
export function alertItemsByIds(db: Db, ids: readonly number[]): Promise<AlertItem[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return selectAlerts(db, sql`a.id = any(${sql.param([...ids])}::int[])`, sql`order by a.id`);
}
