import type { AlertItem } from '../alerts/schemas.ts';
import type { AlertSeverity, NotificationReason } from '../db/schema/enums.ts';

/** What one notification says: its alerts as they are at delivery time, each with why it is in it. */
export interface NotificationContent {
  reason: NotificationReason;
  channel: string;
  alerts: { alert: AlertItem; reason: NotificationReason }[];
}

/** Alerts listed in one message; the rest are counted ("and N more"). */
export const maxListedAlerts = 20;

const reasonLabels: Record<NotificationReason, string> = {
  firing: '告警 FIRING',
  resolved: '恢复 RESOLVED',
  repeat: '重复 REPEAT',
  test: '测试 TEST',
};
const severityLabels: Record<AlertSeverity, string> = { critical: '严重 CRITICAL', warning: '警告 WARNING', info: '提示 INFO' };
const severityRank: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };
// Firing news first: a receiver skimming the top of a long message sees what is broken.
const reasonOrder: NotificationReason[] = ['firing', 'repeat', 'resolved', 'test'];

export const alertLink = (id: number) => `/console/alerts?id=${id}`;

/** Newlines and markdown control characters in summaries would break a robot's layout. */
const oneLine = (text: string, max = 300) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function sorted(content: NotificationContent): NotificationContent['alerts'] {
  return [...content.alerts].sort(
    (a, b) =>
      reasonOrder.indexOf(a.reason) - reasonOrder.indexOf(b.reason) ||
      severityRank[b.alert.severity] - severityRank[a.alert.severity] ||
      a.alert.id - b.alert.id,
  );
}

/** The highest severity among what is still wrong (a resolved critical alert does not make a message critical). */
export function highestSeverity(content: NotificationContent): AlertSeverity | null {
  const open = content.alerts.filter((a) => a.reason !== 'resolved');
  let best: AlertSeverity | null = null;
  for (const { alert } of open.length > 0 ? open : content.alerts) {
    if (!best || severityRank[alert.severity] > severityRank[best]) best = alert.severity;
  }
  return best;
}

/** "2 firing, 1 resolved" — what the message holds, by reason. */
function counts(content: NotificationContent): string {
  const n = new Map<NotificationReason, number>();
  for (const { reason } of content.alerts) n.set(reason, (n.get(reason) ?? 0) + 1);
  return reasonOrder
    .filter((r) => n.has(r))
    .map((r) => `${n.get(r)} ${r}`)
    .join(', ');
}

/** `【告警 FIRING】2 firing · 南宁市 node_down` — the first line, and the robot message's title. */
export function headline(content: NotificationContent): string {
  const label = `【${reasonLabels[content.reason]}】`;
  if (content.reason === 'test') return `${label}云网通知渠道测试 yunwang channel test: ${content.channel}`;
  const rules = [...new Set(content.alerts.map((a) => a.alert.rule))].slice(0, 3).join(', ');
  return `${label}${counts(content)}: ${rules}`;
}

function alertLines(alert: AlertItem, reason: NotificationReason): string[] {
  const region = alert.region_name ? `${alert.region_name} (${alert.region})` : (alert.region ?? '—');
  return [
    `**[${severityLabels[alert.severity]}] ${reasonLabels[reason]} · ${alert.rule}**`,
    `- 对象 Subject: ${oneLine(alert.subject.name, 100)} (${oneLine(alert.subject.code, 100)})`,
    `- 地区 Region: ${oneLine(region, 100)}`,
    `- 摘要 Summary: ${oneLine(alert.summary)}`,
    `- 开始 Started: ${alert.started_at}${alert.resolved_at ? ` · 恢复 Resolved: ${alert.resolved_at}` : ''}`,
    `- 详情 Link: ${alertLink(alert.id)}`,
  ];
}

/**
 * Markdown for DingTalk and WeCom: at most `maxListedAlerts` alerts and at most `maxBytes`
 * of UTF-8 (robots refuse longer messages), then "and N more".
 */
export function markdownMessage(content: NotificationContent, maxBytes: number): { title: string; text: string } {
  const title = oneLine(headline(content), 120);
  const parts = [`### ${title}`];
  if (content.reason === 'test') parts.push(`渠道 ${content.channel} 可以收到云网的告警。This channel receives yunwang alerts.`);
  const items = sorted(content);
  const reserve = 120; // room for the "and N more" line
  let bytes = Buffer.byteLength(parts.join('\n\n'));
  let listed = 0;
  for (const { alert, reason } of items) {
    if (listed >= maxListedAlerts) break;
    const block = alertLines(alert, reason).join('\n');
    const size = Buffer.byteLength(block) + 2;
    if (bytes + size + reserve > maxBytes) break;
    parts.push(block);
    bytes += size;
    listed++;
  }
  if (listed < items.length) parts.push(`……另有 ${items.length - listed} 条 and ${items.length - listed} more`);
  return { title, text: parts.join('\n\n') };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

/** `[yunwang][CRITICAL] 2 firing: node_down GX-N1, …`, with a plain-text and a simple HTML body. */
export function emailMessage(content: NotificationContent): { subject: string; text: string; html: string } {
  const items = sorted(content);
  const severity = highestSeverity(content);
  const subjects = items
    .slice(0, 3)
    .map(({ alert }) => `${alert.rule} ${alert.subject.code}`)
    .join(', ');
  const what =
    content.reason === 'test' ? `channel test ${content.channel}` : `${counts(content)}: ${subjects}${items.length > 3 ? ', …' : ''}`;
  const subject = oneLine(`[yunwang]${severity ? `[${severity.toUpperCase()}]` : ''} ${what}`, 200);

  const listed = items.slice(0, maxListedAlerts);
  const more = items.length - listed.length;
  const text = [
    headline(content),
    '',
    ...listed.flatMap(({ alert, reason }) => [...alertLines(alert, reason).map((l) => l.replaceAll('**', '')), '']),
    ...(more > 0 ? [`……另有 ${more} 条 and ${more} more`] : []),
  ].join('\n');
  const html = [
    `<h3>${escapeHtml(headline(content))}</h3>`,
    ...listed.map(({ alert, reason }) => {
      const [first, ...rest] = alertLines(alert, reason).map((l) => escapeHtml(l.replaceAll('**', '').replace(/^- /, '')));
      return `<p><strong>${first}</strong></p><ul>${rest.map((l) => `<li>${l}</li>`).join('')}</ul>`;
    }),
    ...(more > 0 ? [`<p>……另有 ${more} 条 and ${more} more</p>`] : []),
  ].join('\n');
  return { subject, text, html };
}
