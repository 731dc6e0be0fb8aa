import type { AlertEventType, AlertRuleKey, AlertSeverity, AlertState } from '../db/schema/enums.ts';
import type { Lang } from './i18n.ts';

/** The alerts' words in one place: the list, the detail, the node page and the ops panel share them. */
type Terms<K extends string> = Record<K, { zh: string; en: string }>;

export const ruleNames: Terms<AlertRuleKey> = {
  node_down: { zh: '节点中断', en: 'Node down' },
  node_degraded: { zh: '节点劣化', en: 'Node degraded' },
  agent_silent: { zh: '采集代理失联', en: 'Agent silent' },
  tenant_quota: { zh: '租户配额紧张', en: 'Tenant near quota' },
  system_unverified: { zh: '上云未核实', en: 'Migration unverified' },
  re_review_overdue: { zh: '回头看逾期', en: 'Re-review overdue' },
  target_behind: { zh: '目标进度落后', en: 'Behind target' },
  work_order_sla: { zh: '工单超时', en: 'Work order SLA breached' },
  prometheus: { zh: 'Prometheus 告警', en: 'Prometheus alert' },
};

export const severityNames: Terms<AlertSeverity> = {
  critical: { zh: '严重', en: 'critical' },
  warning: { zh: '警告', en: 'warning' },
  info: { zh: '提示', en: 'info' },
};

export const stateNames: Terms<AlertState> = {
  firing: { zh: '告警中', en: 'firing' },
  acknowledged: { zh: '已确认', en: 'acknowledged' },
  resolved: { zh: '已恢复', en: 'resolved' },
};

export const eventNames: Terms<AlertEventType> = {
  fired: { zh: '触发', en: 'fired' },
  acknowledged: { zh: '确认', en: 'acknowledged' },
  resolved: { zh: '恢复', en: 'resolved' },
  reopened: { zh: '再次触发', en: 'reopened' },
  escalated: { zh: '升级', en: 'escalated' },
  silenced: { zh: '被静默', en: 'silenced' },
  unsilenced: { zh: '静默解除', en: 'unsilenced' },
  inhibited: { zh: '被抑制', en: 'inhibited' },
  uninhibited: { zh: '抑制解除', en: 'uninhibited' },
};

export const term = <K extends string>(terms: Terms<K>, key: K, lang: Lang): string => terms[key]?.[lang] ?? key;

/** An ISO instant as the ops room reads it: Beijing time, to the second. */
export function beijingTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(Date.parse(iso) + 8 * 3600_000);
  return at.toISOString().slice(0, 19).replace('T', ' ');
}
