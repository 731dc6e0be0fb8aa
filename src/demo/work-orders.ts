import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { WorkOrderCategory, WorkOrderPriority, WorkOrderState } from '../db/schema/enums.ts';
import type { Actor } from '../identity/actor.ts';
import { createWorkOrder, transitionWorkOrder } from '../work-orders/service.ts';

const hour = 3_600_000;

/** The moves that bring a new order to each state, with the note each move records. */
const pathTo: Record<WorkOrderState, { to: WorkOrderState; note: string }[]> = {
  new: [],
  accepted: [{ to: 'accepted', note: '已受理，正在排查' }],
  suspended: [
    { to: 'accepted', note: '已受理' },
    { to: 'suspended', note: '等待厂商备件到货' },
  ],
  transferred: [{ to: 'transferred', note: '属网络部门职责，转派' }],
  resolved: [
    { to: 'accepted', note: '已受理' },
    { to: 'resolved', note: '已更换光模块，链路恢复' },
  ],
  closed: [
    { to: 'accepted', note: '已受理' },
    { to: 'resolved', note: '已完成配置变更' },
    { to: 'closed', note: '报告部门确认关闭' },
  ],
  cancelled: [{ to: 'cancelled', note: '重复提交，取消' }],
};

const samples: { title: string; category: WorkOrderCategory; priority: WorkOrderPriority; state: WorkOrderState }[] = [
  { title: '政务外网汇聚节点丢包', category: 'fault', priority: 'P2', state: 'new' },
  { title: '申请开通云主机 4 核 16G', category: 'request', priority: 'P4', state: 'new' },
  { title: '电子证照系统访问缓慢', category: 'fault', priority: 'P1', state: 'accepted' },
  { title: '核心交换机固件升级', category: 'change', priority: 'P3', state: 'accepted' },
  { title: '等保测评问题整改：弱口令', category: 'rectification', priority: 'P3', state: 'suspended' },
  { title: '租户安全组规则调整', category: 'change', priority: 'P3', state: 'transferred' },
  { title: '市级节点光模块故障', category: 'fault', priority: 'P2', state: 'resolved' },
  { title: '备份策略整改', category: 'rectification', priority: 'P4', state: 'resolved' },
  { title: '负载均衡证书更新', category: 'change', priority: 'P3', state: 'closed' },
  { title: '申请对象存储桶', category: 'request', priority: 'P4', state: 'closed' },
  { title: '重复提交的网络故障', category: 'fault', priority: 'P3', state: 'cancelled' },
];

/**
 * A handful of work orders in each state for the demo, assigned round-robin to the demo's
 * first departments, opened over the last two days (so some are at risk or breached) and
 * moved along through the real service, so their timelines and audit are the real ones.
 */
export async function seedDemoWorkOrders(db: Db, actor: Actor, now = new Date()): Promise<number> {
  const departments = await queryRows<{ code: string }>(db, sql`select code from departments order by path limit 4`);
  if (departments.length === 0) return 0;
  let seeded = 0;
  for (const [index, sample] of samples.entries()) {
    const opened = new Date(now.getTime() - (48 - index * 4) * hour);
    const department = departments[index % departments.length]?.code as string;
    const order = await createWorkOrder(
      db,
      actor,
      { title: sample.title, category: sample.category, priority: sample.priority, assignee: { department } },
      opened,
    );
    for (const [step, move] of pathTo[sample.state].entries()) {
      const target = departments[(index + 1) % departments.length]?.code as string;
      await transitionWorkOrder(
        db,
        actor,
        order.code,
        { to: move.to, note: move.note, ...(move.to === 'transferred' ? { assignee: { department: target } } : {}) },
        new Date(opened.getTime() + (step + 1) * hour),
      );
    }
    seeded += 1;
  }
  return seeded;
}
