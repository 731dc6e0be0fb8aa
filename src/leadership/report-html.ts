import { definitions, type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { rankingGroupLabels, rankingListLabels } from '../vocabulary/index.ts';
import type { RankedEntry, RankingList } from './ranking.ts';
import type { IndicatorSection, ReportRow, SupervisionReport } from './report.ts';
import { esc, monthTitle } from './report-format.ts';
import { rectificationHtml } from './report-work-orders.ts';

const pct = (p: number | null) => (p === null ? '—' : `${p.toFixed(1)}%`);
const delta = (d: number | null) =>
  d === null
    ? '<span class="muted">—</span>'
    : `<span class="${d > 0 ? 'up' : d < 0 ? 'down' : 'flat'}">${d > 0 ? '+' : ''}${d.toFixed(1)}</span>`;
const gap = (g: number | null) =>
  g === null
    ? '<span class="muted">—</span>'
    : g > 0
      ? `<span class="behind">落后 ${g.toFixed(1)}</span>`
      : `<span class="ahead">超出 ${(-g).toFixed(1)}</span>`;

// Matrix columns: every figure but the cities' own coverage (every city row is a city), and
// for departments those not measured for places only.
const regionColumns: IndicatorKey[] = indicatorKeys.filter((k) => k !== 'horizontal_coverage_city');
const departmentColumns: IndicatorKey[] = indicatorKeys.filter((k) => !definitions[k].regionOnly);

function matrix(report: SupervisionReport, level: 'city' | 'department', columns: IndicatorKey[]): string {
  const sections = columns.map((k) => report.indicators.find((s) => s.key === k)).filter((s): s is IndicatorSection => s !== undefined);
  const byScope = new Map<string, { name: string; cells: Map<IndicatorKey, ReportRow> }>();
  for (const section of sections) {
    for (const row of section.rows) {
      if (row.level !== level) continue;
      const entry = byScope.get(row.scope) ?? { name: row.name, cells: new Map() };
      entry.cells.set(section.key, row);
      byScope.set(row.scope, entry);
    }
  }
  const head = sections.map((s) => `<th>${esc(s.name)}</th>`).join('');
  const body = [...byScope.entries()]
    .map(([scope, entry]) => {
      const cells = sections
        .map((s) => {
          const r = entry.cells.get(s.key);
          if (!r) return '<td class="muted">—</td>';
          const mark = r.behind ? ' class="behind-cell"' : '';
          return `<td${mark}>${pct(r.percent)}<br><small>较上月 ${delta(r.change_points)}${r.target_percent !== null ? ` · 目标 ${pct(r.target_percent)}` : ''}</small></td>`;
        })
        .join('');
      return `<tr><td class="name">${esc(entry.name)}<br><small class="muted">${esc(scope)}</small></td>${cells}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr><th>名称</th>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function list(title: string, entries: RankedEntry[], kind: 'red' | 'black'): string {
  if (entries.length === 0) return `<h3>${esc(title)}</h3><p class="muted">无</p>`;
  const rows = entries
    .map(
      (e, i) =>
        `<tr><td>${i + 1}</td><td>${e.rank}</td><td class="name">${esc(e.name)}</td><td>${e.score.toFixed(2)}</td><td class="reasons">${esc(e.summary)}</td></tr>`,
    )
    .join('\n');
  return `<h3 class="${kind}">${esc(title)}</h3><table><thead><tr><th>序号</th><th>名次</th><th>名称</th><th>得分</th><th>理由</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function rankingTable(list: RankingList): string {
  const red = new Set(list.red.map((e) => e.scope));
  const black = new Set(list.black.map((e) => e.scope));
  const rows = list.ranked
    .map((e) => {
      const color = red.has(e.scope) ? 'red' : black.has(e.scope) ? 'black' : null;
      const mark = color ? `<span class="${color}">${rankingListLabels[color].zh}</span>` : '';
      return `<tr><td>${e.rank}</td><td class="name">${esc(e.name)}</td><td>${e.score.toFixed(2)}</td><td>${e.level.toFixed(2)}</td><td>${delta(e.progress)}</td><td>${mark}</td></tr>`;
    })
    .join('\n');
  const unranked = list.unranked.length
    ? `<p class="muted">未排名：${list.unranked.map((u) => esc(u.name)).join('、')}（无可计量的指标）</p>`
    : '';
  return `<table><thead><tr><th>名次</th><th>名称</th><th>得分</th><th>水平</th><th>进步</th><th></th></tr></thead><tbody>${rows}</tbody></table>${unranked}`;
}

const HTML_ITEM_LIMIT = 300;
const groups = ['cities', 'departments'] as const;
const colors = ['red', 'black'] as const;

/** The printable supervision report: one self-contained zh-CN page, print CSS, no external resources. */
export function supervisionHtml(report: SupervisionReport): string {
  const title = `${monthTitle(report.month)}政务云网建设督查通报`;
  const provinceRows = report.indicators
    .map((s) => {
      const r = s.rows.find((row) => row.level === 'province');
      if (!r) return '';
      return `<tr><td class="name">${esc(s.name)}</td><td>${r.numerator} / ${r.denominator}</td><td>${pct(r.percent)}</td><td>${pct(r.previous_percent)}</td><td>${delta(r.change_points)}</td><td>${pct(r.target_percent)}</td><td>${gap(r.gap_points)}</td><td>${r.pending || ''}</td></tr>`;
    })
    .join('\n');
  const weights = Object.entries(report.ranking.weights)
    .map(([k, w]) => `${esc(report.indicators.find((s) => s.key === k)?.name ?? k)} ${w}`)
    .join('，');
  const overdueTargets = report.overdue_targets.length
    ? `<table><thead><tr><th>名称</th><th>指标</th><th>期限</th><th>目标</th><th>实际</th><th>差距（百分点）</th></tr></thead><tbody>${report.overdue_targets
        .map(
          (o) =>
            `<tr><td class="name">${esc(o.name)}</td><td>${esc(o.indicator_name)}</td><td>${esc(o.deadline)}</td><td>${pct(o.target_percent)}</td><td>${pct(o.percent)}</td><td>${o.shortfall_points?.toFixed(1) ?? '—'}</td></tr>`,
        )
        .join('\n')}</tbody></table>`
    : '<p class="muted">无逾期目标。</p>';
  const shownItems = report.overdue_items.slice(0, HTML_ITEM_LIMIT);
  const overdueItems = shownItems.length
    ? `<table><thead><tr><th>范围</th><th>指标</th><th>期限</th><th>编码</th><th>名称</th><th>所属部门</th></tr></thead><tbody>${shownItems
        .map(
          (o) =>
            `<tr><td>${esc(o.scope_name)}</td><td>${esc(o.indicator_name)}</td><td>${esc(o.deadline)}</td><td>${esc(o.code)}</td><td class="name">${esc(o.name)}</td><td>${esc(o.department ?? '')}</td></tr>`,
        )
        .join('\n')}</tbody></table>${
        report.overdue_items_total > shownItems.length
          ? `<p class="muted">共 ${report.overdue_items_total} 项，此处列出前 ${shownItems.length} 项；完整清单见 XLSX。</p>`
          : ''
      }`
    : '<p class="muted">无逾期事项。</p>';

  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  @page {
    size: A4 landscape; margin: 16mm 12mm;
    @top-center { content: "${esc(title)}"; font-size: 9pt; color: #b00; }
    @top-right { content: "数据截至 ${esc(report.as_of)}"; font-size: 9pt; color: #555; }
    @bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font-size: 9pt; color: #555; }
  }
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimSun", sans-serif; color: #111; margin: 0 auto; max-width: 1180px; padding: 16px; font-size: 13px; line-height: 1.45; }
  h1 { text-align: center; color: #b00; font-size: 24px; margin: 8px 0 4px; letter-spacing: 2px; }
  .meta { text-align: center; color: #555; margin-bottom: 18px; }
  h2 { font-size: 17px; border-left: 5px solid #b00; padding-left: 8px; margin: 22px 0 8px; break-after: avoid; }
  h3 { font-size: 15px; margin: 14px 0 6px; break-after: avoid; }
  h3.red { color: #b00; } h3.black { color: #111; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 10px; }
  th, td { border: 1px solid #999; padding: 3px 6px; text-align: center; vertical-align: top; }
  th { background: #f2f2f2; }
  td.name { text-align: left; } td.reasons { text-align: left; font-size: 12px; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  small { font-size: 11px; }
  .up { color: #0a7a2f; } .down { color: #b00; } .flat, .muted { color: #777; }
  .behind, .red { color: #b00; font-weight: bold; } .ahead { color: #0a7a2f; } .black { font-weight: bold; }
  td.behind-cell { background: #fdecec; }
  .note { color: #555; font-size: 12px; margin-top: 18px; border-top: 1px solid #ccc; padding-top: 6px; }
  section.page { break-before: page; }
  @media print { body { max-width: none; padding: 0; } * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">数据截至 ${esc(report.as_of)}（月度快照第 ${report.revision} 版${report.frozen_at ? `，冻结于 ${esc(report.frozen_at.slice(0, 10))}` : ''}）· 对比 ${esc(report.previous_month ?? '（无上月快照）')}</p>

<h2>一、全区总体情况</h2>
<table><thead><tr><th>指标</th><th>分子 / 分母</th><th>本月</th><th>上月</th><th>较上月（百分点）</th><th>目标</th><th>对照目标（百分点）</th><th>待认定</th></tr></thead>
<tbody>${provinceRows}</tbody></table>

<h2>二、各设区市情况</h2>
${matrix(report, 'city', regionColumns)}

<section class="page">
<h2>三、区直部门情况</h2>
${matrix(report, 'department', departmentColumns)}
</section>

<section class="page">
<h2>四、红黑榜</h2>
${groups.flatMap((g) => colors.map((c) => list(`${rankingGroupLabels[g].zh}${rankingListLabels[c].zh}`, report.ranking[g][c], c))).join('\n')}

<h2>五、综合排名</h2>
${groups.map((g) => `<h3>${rankingGroupLabels[g].zh}</h3>\n${rankingTable(report.ranking[g])}`).join('\n')}
</section>

<section class="page">
<h2>六、逾期未完成</h2>
<h3>逾期目标</h3>
${overdueTargets}
<h3>逾期事项</h3>
${overdueItems}
</section>

<section class="page">
<h2>七、整改工单 Rectification orders</h2>
${rectificationHtml({ items: report.rectification_orders, total: report.rectification_orders_total })}
</section>

<p class="note">口径：得分 = 加权水平 + ${report.ranking.progress_weight} × 加权月度进步（百分点）；权重：${weights}。差距 = 目标 − 实际，正数为落后。逾期事项按本月末日期从登记库列出。</p>
</body>
</html>
`;
}
