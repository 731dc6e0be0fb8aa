import type { WorkOrderCategory, WorkOrderSlaState, WorkOrderState } from '../db/schema/enums.ts';
import type { Label } from './records.ts';

/** The work orders' words: the console's pages and the supervision report's 整改工单 share them. */
export const workOrderStateLabels = {
  new: { zh: '待受理', en: 'New' },
  accepted: { zh: '处理中', en: 'In progress' },
  suspended: { zh: '挂起', en: 'Suspended' },
  transferred: { zh: '已转派', en: 'Transferred' },
  resolved: { zh: '已解决', en: 'Resolved' },
  closed: { zh: '已关闭', en: 'Closed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
} as const satisfies Record<WorkOrderState, Label>;

/** Where an order stands against its service level (计时状态). */
export const workOrderSlaStateLabels = {
  on_track: { zh: '正常', en: 'On track' },
  at_risk: { zh: '即将超时', en: 'At risk' },
  breached: { zh: '已超时', en: 'Breached' },
  met: { zh: '按时完成', en: 'Met' },
  paused: { zh: '已暂停计时', en: 'Paused' },
} as const satisfies Record<WorkOrderSlaState, Label>;

export const workOrderCategoryLabels = {
  fault: { zh: '故障', en: 'Fault' },
  change: { zh: '变更', en: 'Change' },
  request: { zh: '服务请求', en: 'Service request' },
  rectification: { zh: '整改', en: 'Rectification' },
} as const satisfies Record<WorkOrderCategory, Label>;

/** The button that moves an order to a state: the verb, not the state's name. */
export const workOrderMoveLabels = {
  new: { zh: '退回待受理', en: 'Back to new' },
  accepted: { zh: '受理 / 恢复', en: 'Accept / resume' },
  suspended: { zh: '挂起', en: 'Suspend' },
  transferred: { zh: '转派', en: 'Transfer' },
  resolved: { zh: '解决', en: 'Resolve' },
  closed: { zh: '关闭', en: 'Close' },
  cancelled: { zh: '取消', en: 'Cancel' },
} as const satisfies Record<WorkOrderState, Label>;
