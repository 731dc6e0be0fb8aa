import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { WorkOrderSlaState } from '../db/schema/enums.ts';
import type { WorkOrderView } from './schemas.ts';
import { slaStateAt } from './sla.ts';
import type { WorkCalendar } from './working-time.ts';

/** An order row with the names its view shows; ids kept for the permission checks. */
export interface WorkOrderRow {
  id: number;
  code: string;
  title: string;
  category: WorkOrderView['category'];
  priority: WorkOrderView['priority'];
  state: WorkOrderView['state'];
  description: string;
  subject_kind: NonNullable<WorkOrderView['subject']>['kind'] | null;
  subject_code: string | null;
  subject_name: string | null;
  region_code: string | null;
  region_name: string | null;
  reporter_id: number | null;
  reporter_name: string;
  reporter_department_id: number | null;
  reporter_department_code: string | null;
  assignee_department_id: number | null;
  assignee_department_code: string | null;
  assignee_department_name: string | null;
  assignee_department_path: string | null;
  reporter_department_path: string | null;
  assignee_user_id: number | null;
  assignee_user_name: string | null;
  alert_id: number | null;
  created_at: Date | string;
  updated_at: Date | string;
  accepted_at: Date | string | null;
  resolved_at: Date | string | null;
  closed_at: Date | string | null;
  cancelled_at: Date | string | null;
  sla_clock: WorkOrderView['sla']['clock'];
  response_seconds: number;
  resolution_seconds: number;
  response_due_at: Date | string;
  resolution_due_at: Date | string;
  paused_at: Date | string | null;
  resolution_remaining_seconds: number | null;
  sla_state: WorkOrderSlaState;
  breached_at: Date | string | null;
  version: number;
}

const columns = sql`w.id, w.code, w.title, w.category, w.priority, w.state, w.description,
  w.subject_kind, w.subject_code, w.subject_name, w.region_code, r.name as region_name,
  w.reporter_id, w.reporter_name, w.reporter_department_id, rd.code as reporter_department_code, rd.path as reporter_department_path,
  w.assignee_department_id, ad.code as assignee_department_code, ad.name as assignee_department_name, ad.path as assignee_department_path,
  w.assignee_user_id, au.name as assignee_user_name, w.alert_id,
  w.created_at, w.updated_at, w.accepted_at, w.resolved_at, w.closed_at, w.cancelled_at,
  w.sla_clock, w.response_seconds, w.resolution_seconds, w.response_due_at, w.resolution_due_at,
  w.paused_at, w.resolution_remaining_seconds, w.sla_state, w.breached_at, w.version`;

const joins = sql`from work_orders w
  left join regions r on r.code = w.region_code
  left join departments rd on rd.id = w.reporter_department_id
  left join departments ad on ad.id = w.assignee_department_id
  left join users au on au.id = w.assignee_user_id`;

/** Orders matching `where` (over `work_orders w`), in the order given. */
export function selectWorkOrders(db: Db, where: SQL, tail: SQL = sql``): Promise<WorkOrderRow[]> {
  return queryRows<WorkOrderRow>(db, sql`select ${columns} ${joins} where ${where} ${tail}`);
}

export const instantOf = (v: Date | string) => new Date(v);
const iso = (v: Date | string) => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null) => (v === null ? null : iso(v));
const dateOrNull = (v: Date | string | null) => (v === null ? null : new Date(v));

/** Where the order stands against its service level at `now`: live for open orders, frozen once finished. */
export function liveSlaState(row: WorkOrderRow, now: Date, calendar: WorkCalendar): WorkOrderSlaState {
  return slaStateAt(
    {
      state: row.state,
      slaClock: row.sla_clock,
      responseSeconds: row.response_seconds,
      resolutionSeconds: row.resolution_seconds,
      responseDueAt: instantOf(row.response_due_at),
      resolutionDueAt: instantOf(row.resolution_due_at),
      acceptedAt: dateOrNull(row.accepted_at),
      resolvedAt: dateOrNull(row.resolved_at),
      breachedAt: dateOrNull(row.breached_at),
      slaState: row.sla_state,
    },
    now,
    calendar,
  );
}

export function workOrderViewOf(row: WorkOrderRow, now: Date, calendar: WorkCalendar): WorkOrderView {
  return {
    code: row.code,
    title: row.title,
    category: row.category,
    priority: row.priority,
    state: row.state,
    description: row.description,
    subject:
      row.subject_kind && row.subject_code
        ? { kind: row.subject_kind, code: row.subject_code, name: row.subject_name ?? row.subject_code }
        : null,
    region: row.region_code ? { code: row.region_code, name: row.region_name ?? row.region_code } : null,
    reporter: { name: row.reporter_name, department: row.reporter_department_code },
    assignee: {
      department:
        row.assignee_department_code && row.assignee_department_name
          ? { code: row.assignee_department_code, name: row.assignee_department_name }
          : null,
      user: row.assignee_user_name,
    },
    alert_id: row.alert_id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    accepted_at: isoOrNull(row.accepted_at),
    resolved_at: isoOrNull(row.resolved_at),
    closed_at: isoOrNull(row.closed_at),
    version: row.version,
    sla: {
      response_due_at: iso(row.response_due_at),
      resolution_due_at: iso(row.resolution_due_at),
      state: liveSlaState(row, now, calendar),
      clock: row.sla_clock,
      paused_at: isoOrNull(row.paused_at),
    },
  };
}
