import type { WorkOrderCategory, WorkOrderSlaState, WorkOrderState } from '../db/schema/enums.ts';

/**
 * The work orders' words in one place: the console pages and the supervision report
 * (src/leadership/report-work-orders.ts) take their Chinese names from here.
 */
type Terms<K extends string> = Record<K, { zh: string; en: string }>;

export const workOrderStateTerms: Terms<WorkOrderState> = {
  new: { zh: '待受理', en: 'New' },
  accepted: { zh: '处理中', en: 'In progress' },
  suspended: { zh: '挂起', en: 'Suspended' },
  transferred: { zh: '已转派', en: 'Transferred' },
  resolved: { zh: '已解决', en: 'Resolved' },
  closed: { zh: '已关闭', en: 'Closed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
};

export const slaStateTerms: Terms<WorkOrderSlaState> = {
  on_track: { zh: '正常', en: 'On track' },
  at_risk: { zh: '即将超时', en: 'At risk' },
  breached: { zh: '已超时', en: 'Breached' },
  met: { zh: '按时完成', en: 'Met' },
  paused: { zh: '已暂停计时', en: 'Paused' },
};

export const categoryTerms: Terms<WorkOrderCategory> = {
  fault: { zh: '故障', en: 'Fault' },
  change: { zh: '变更', en: 'Change' },
  request: { zh: '服务请求', en: 'Service request' },
  rectification: { zh: '整改', en: 'Rectification' },
};

/** The button that moves an order to a state (the verb, not the state's name). */
export const moveTerms: Terms<WorkOrderState> = {
  new: { zh: '退回待受理', en: 'Back to new' },
  accepted: { zh: '受理 / 恢复', en: 'Accept / resume' },
  suspended: { zh: '挂起', en: 'Suspend' },
  transferred: { zh: '转派', en: 'Transfer' },
  resolved: { zh: '解决', en: 'Resolve' },
  closed: { zh: '关闭', en: 'Close' },
  cancelled: { zh: '取消', en: 'Cancel' },
};

/** Chinese names only, for the report's spreadsheet. */
const zhOf = <K extends string>(terms: Terms<K>) =>
  Object.fromEntries(Object.entries(terms).map(([key, value]) => [key, (value as { zh: string }).zh])) as Record<K, string>;
export const workOrderStateNames = zhOf(workOrderStateTerms);
export const slaStateNames = zhOf(slaStateTerms);
