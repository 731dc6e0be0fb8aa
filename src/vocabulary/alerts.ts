import type { AlertEventType, AlertRuleKey, AlertSeverity, AlertState } from '../db/schema/enums.ts';
import type { Label } from './records.ts';

/** The alerts' words: the console's list, detail, node page and ops panel share them. */
export const alertRuleLabels = {
  node_down: { zh: '节点中断', en: 'Node down' },
  node_degraded: { zh: '节点劣化', en: 'Node degraded' },
  agent_silent: { zh: '采集代理失联', en: 'Agent silent' },
  tenant_quota: { zh: '租户配额紧张', en: 'Tenant near quota' },
  system_unverified: { zh: '上云未核实', en: 'Migration unverified' },
  re_review_overdue: { zh: '回头看逾期', en: 'Re-review overdue' },
  target_behind: { zh: '目标进度落后', en: 'Behind target' },
  work_order_sla: { zh: '工单超时', en: 'Work order SLA breached' },
  prometheus: { zh: 'Prometheus 告警', en: 'Prometheus alert' },
} as const satisfies Record<AlertRuleKey, Label>;

export const alertSeverityLabels = {
  critical: { zh: '严重', en: 'critical' },
  warning: { zh: '警告', en: 'warning' },
  info: { zh: '提示', en: 'info' },
} as const satisfies Record<AlertSeverity, Label>;

export const alertStateLabels = {
  firing: { zh: '告警中', en: 'firing' },
  acknowledged: { zh: '已确认', en: 'acknowledged' },
  resolved: { zh: '已恢复', en: 'resolved' },
} as const satisfies Record<AlertState, Label>;

/** An event names what happened to the alert (触发, 确认…), not the state it led to. */
export const alertEventLabels = {
  fired: { zh: '触发', en: 'fired' },
  acknowledged: { zh: '确认', en: 'acknowledged' },
  resolved: { zh: '恢复', en: 'resolved' },
  reopened: { zh: '再次触发', en: 'reopened' },
  escalated: { zh: '升级', en: 'escalated' },
  silenced: { zh: '被静默', en: 'silenced' },
  unsilenced: { zh: '静默解除', en: 'unsilenced' },
  inhibited: { zh: '被抑制', en: 'inhibited' },
  uninhibited: { zh: '抑制解除', en: 'uninhibited' },
} as const satisfies Record<AlertEventType, Label>;
