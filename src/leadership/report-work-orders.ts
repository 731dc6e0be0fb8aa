import { sql } from 'drizzle-orm';
import type ExcelJS from 'exceljs';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { WorkOrderSlaState, WorkOrderState } from '../db/schema/enums.ts';
import { roleLabels, workOrderSlaStateLabels, workOrderStateLabels } from '../vocabulary/index.ts';
import { esc } from './report-format.ts';
import { addTable, type Cell, textColumns } from './report-sheet.ts';

/** 整改工单 in the supervision report: its rectification orders and where they stand. */
export interface RectificationOrder {
  code: string;
  title: string;
  /** The assignee department's name; null for the ops queue. */
  department: string | null;
  state: WorkOrderState;
  state_name: string;
  created_at: string;
  /** The resolution deadline. */
  due_at: string;
  sla_state: WorkOrderSlaState;
  sla_state_name: string;
}

/** At most this many orders are listed; the report says how many more there are. */
export const maxRectificationOrders = 1000;

/**
 * The rectification orders of a month: created by its end (`asOf`, the last day, Asia/Shanghai)
 * and not closed or cancelled before it began. Their state is today's (orders keep no history of states).
 */
export async function rectificationOrders(db: Db, month: string, asOf: string): Promise<{ items: RectificationOrder[]; total: number }> {
  const start = sql`(${`${month}-01`}::date)::timestamp at time zone 'Asia/Shanghai'`;
  const end = sql`(${asOf}::date + 1)::timestamp at time zone 'Asia/Shanghai'`;
  const where = sql`o.category = 'rectification' and o.created_at < ${end}
    and coalesce(o.closed_at, o.cancelled_at, 'infinity'::timestamptz) >= ${start}`;
  const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from work_orders o where ${where}`);
  // Times as a printed report shows them (`2026-10-10 15:00`, Asia/Shanghai). The names are
  // selected empty, to keep the fields' order, and filled from the vocabulary.
  const rows = await queryRows<RectificationOrder>(
    db,
    sql`select o.code, o.title, d.name as department, o.state, '' as state_name,
          to_char(o.created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as created_at,
          to_char(o.resolution_due_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as due_at,
          o.sla_state, '' as sla_state_name
        from work_orders o left join departments d on d.id = o.assignee_department_id
        where ${where} order by o.created_at, o.code limit ${maxRectificationOrders}`,
  );
  return {
    items: rows.map((r) => ({
      ...r,
      state_name: workOrderStateLabels[r.state].zh,
      sla_state_name: workOrderSlaStateLabels[r.sla_state].zh,
    })),
    total: count?.n ?? 0,
  };
}

const columns = textColumns({ 工单编号: 18, 标题: 40, 责任部门: 28, 状态: 10, 创建时间: 18, 办结时限: 18, 时限状态: 14 });

/** An order's cells, in the columns' order; an order of no department is the ops queue's (运维). */
const cells = (o: RectificationOrder): Cell[] => [
  o.code,
  o.title,
  o.department ?? roleLabels.ops.zh,
  o.state_name,
  o.created_at,
  o.due_at,
  o.sla_state_name,
];

/** The HTML section's table (or a line saying there are none). */
export function rectificationHtml(orders: { items: RectificationOrder[]; total: number }): string {
  if (orders.items.length === 0) return '<p class="muted">本月无整改工单。</p>';
  // The title may be long (class name), and a breached deadline is marked (class behind).
  const classOf = (o: RectificationOrder, column: number) =>
    column === 1 ? ' class="name"' : column === 6 && o.sla_state === 'breached' ? ' class="behind"' : '';
  const rows = orders.items
    .map(
      (o) =>
        `<tr>${cells(o)
          .map((cell, column) => `<td${classOf(o, column)}>${esc(cell)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  const more =
    orders.total > orders.items.length ? `<p class="muted">共 ${orders.total} 项，此处列出前 ${orders.items.length} 项。</p>` : '';
  const head = columns.map((c) => `<th>${c.header}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>${more}`;
}

/** The XLSX sheet 整改工单. */
export function addRectificationSheet(workbook: ExcelJS.Workbook, name: string, orders: { items: RectificationOrder[]; total: number }) {
  const sheet = addTable(workbook, name, columns, orders.items.map(cells));
  if (orders.total > orders.items.length) sheet.addRow([`另有 ${orders.total - orders.items.length} 项未列出 (more orders not listed)`]);
  return sheet;
}
