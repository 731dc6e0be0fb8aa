import { type Command, InvalidArgumentError } from 'commander';
import { printAs, when, withFilters } from '../cli/output.ts';
import type { Database } from '../db/client.ts';
import { workOrderCategories, workOrderPriorities, workOrderStates } from '../db/schema/enums.ts';
import type { Actor } from '../identity/actor.ts';
import type { WorkOrderDetail, WorkOrderQuery, WorkOrderView } from './schemas.ts';
import { getWorkOrder, listWorkOrders } from './service.ts';

export interface WorkOrderCliContext {
  withDatabase: <T>(fn: (database: Database) => Promise<T>) => Promise<T>;
  actor: () => Actor;
}

const assigneeOf = (o: WorkOrderView) =>
  [o.assignee.department?.code, o.assignee.user].filter((v) => v !== undefined && v !== null).join(' / ') || 'ops';

export function formatWorkOrders(items: WorkOrderView[], total: number): string {
  if (items.length === 0) return 'no work orders';
  const lines = items.map(
    (o) =>
      `${o.code}  ${o.state.padEnd(11)} ${o.priority} ${o.category.padEnd(13)} ${o.sla.state.padEnd(9)} due ${when(o.sla.resolution_due_at)}  ${assigneeOf(o)}  ${o.title}`,
  );
  if (total > items.length) lines.push(`… ${total - items.length} more (--limit)`);
  return lines.join('\n');
}

export function formatWorkOrder(order: WorkOrderDetail): string {
  const lines = [
    `${order.code}  ${order.title}`,
    `state ${order.state} · ${order.priority} · ${order.category} · SLA ${order.sla.state} (${order.sla.clock})`,
    `response due ${when(order.sla.response_due_at)} · resolution due ${when(order.sla.resolution_due_at)}`,
    `reporter ${order.reporter.name}${order.reporter.department ? ` (${order.reporter.department})` : ''} · assignee ${assigneeOf(order)}`,
  ];
  if (order.subject) lines.push(`subject ${order.subject.kind} ${order.subject.code} ${order.subject.name}`);
  if (order.region) lines.push(`region ${order.region.code} ${order.region.name}`);
  if (order.alert_id !== null) lines.push(`alert #${order.alert_id}`);
  if (order.description) lines.push('', order.description);
  lines.push('', 'timeline:');
  for (const e of order.timeline) {
    const move = e.from || e.to ? ` ${e.from ?? ''}→${e.to ?? ''}` : '';
    lines.push(`  ${when(e.at)}  ${e.source === 'alert' ? 'alert ' : ''}${e.type}${move}  ${e.actor}${e.note ? `: ${e.note}` : ''}`);
  }
  return lines.join('\n');
}

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return Math.min(n, 1000);
};

/** `yunwang work-order list|show`, through the same services as the API. */
export function registerWorkOrderCommands(program: Command, context: WorkOrderCliContext): void {
  const workOrder = program.command('work-order').description('work orders (工单)');
  withFilters(workOrder.command('list').description('list work orders, newest first'), {
    state: workOrderStates,
    priority: workOrderPriorities,
    category: workOrderCategories,
  })
    .option('--breached', 'only orders that breached their service level')
    .option('--limit <n>', 'at most this many (≤ 1000)', positive, 100)
    .option('--json', 'print JSON ({items, total}, as GET /api/v1/work-orders)')
    .action(
      (opts: Pick<WorkOrderQuery, 'state' | 'priority' | 'category' | 'scope'> & { breached?: boolean; limit: number; json?: boolean }) =>
        context.withDatabase(async (database) => {
          const { json, ...filters } = opts;
          const page = await listWorkOrders(database.db, context.actor().access, { ...filters, offset: 0 });
          printAs(json, page, () => formatWorkOrders(page.items, page.total));
        }),
    );
  workOrder
    .command('show <code>')
    .description('one work order with its timeline')
    .option('--json', 'print JSON (as GET /api/v1/work-orders/{code})')
    .action((code: string, opts: { json?: boolean }) =>
      context.withDatabase(async (database) => {
        const order = await getWorkOrder(database.db, context.actor().access, code);
        printAs(opts.json, order, () => formatWorkOrder(order));
      }),
    );
}
