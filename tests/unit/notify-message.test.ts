import { describe, expect, it } from 'vitest';
import type { AlertItem } from '../../src/alerts/schemas.ts';
import { emailMessage, markdownMessage, type NotificationContent } from '../../src/notify/message.ts';

const alert = (id: number, extra: Partial<AlertItem> = {}): AlertItem => ({
  id,
  fingerprint: `node_down:GX-N${id}`,
  rule: 'node_down',
  severity: 'critical',
  state: 'firing',
  subject: { kind: 'node', code: `GX-N${id}`, name: `南宁节点${id}` },
  region: '450100',
  region_name: '南宁市',
  summary: `节点 GX-N${id} 连续 3 次探测不可达 unreachable`,
  started_at: '2026-01-01T00:00:00.000Z',
  last_changed_at: '2026-01-01T00:00:00.000Z',
  acknowledged_by: null,
  acknowledged_at: null,
  resolved_at: null,
  silenced_by: null,
  inhibited_by: null,
  occurrences: 1,
  details: {},
  work_order: null,
  ...extra,
});

const content = (n: number): NotificationContent => ({
  reason: 'firing',
  channel: 'ops',
  alerts: Array.from({ length: n }, (_, i) => ({ alert: alert(i + 1), reason: 'firing' as const })),
});

describe('notification messages', () => {
  it('lists at most 20 alerts, then says how many more', () => {
    const { title, text } = markdownMessage(content(50), 18_000);
    expect(title).toBe('【告警 FIRING】50 firing: node_down');
    expect(text).toContain('/console/alerts?id=20');
    expect(text).not.toContain('/console/alerts?id=21');
    expect(text).toContain('另有 30 条 and 30 more');
  });

  it('stays within the byte budget of the robot (WeCom: 4,096)', () => {
    const { text } = markdownMessage(content(50), 4000);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4000);
    expect(text).toMatch(/另有 \d+ 条 and \d+ more/);
  });

  it('puts firing alerts before resolved ones, each with severity, rule, subject, region, summary, start and link', () => {
    const mixed: NotificationContent = {
      reason: 'firing',
      channel: 'ops',
      alerts: [
        { alert: alert(1, { state: 'resolved', resolved_at: '2026-01-01T01:00:00.000Z' }), reason: 'resolved' },
        { alert: alert(2, { severity: 'warning', rule: 'node_degraded' }), reason: 'firing' },
      ],
    };
    const { text } = markdownMessage(mixed, 18_000);
    expect(text.indexOf('?id=2')).toBeLessThan(text.indexOf('?id=1'));
    expect(text).toContain('[警告 WARNING] 告警 FIRING · node_degraded');
    expect(text).toContain('恢复 RESOLVED');
    for (const part of ['南宁节点2 (GX-N2)', '南宁市 (450100)', '连续 3 次探测', '2026-01-01T00:00:00.000Z']) expect(text).toContain(part);
    const mail = emailMessage(mixed);
    expect(mail.subject).toBe('[yunwang][WARNING] 1 firing, 1 resolved: node_degraded GX-N2, node_down GX-N1');
    expect(mail.html).toContain('<li>');
    expect(mail.text).not.toContain('**');
  });
});
