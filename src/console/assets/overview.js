// Monthly trend sparklines from the frozen snapshots (GET /api/v1/snapshots/series).
import { api, config, lang } from './common.js';

const echarts = window.echarts;
const none = lang === 'en' ? 'no frozen month yet' : '暂无月度快照';

for (const element of document.querySelectorAll('.spark[data-indicator]')) {
  const params = new URLSearchParams({ scope: config.scope, indicator: element.dataset.indicator });
  const answer = await api('GET', `/api/v1/snapshots/series?${params}`);
  const points = answer.ok ? (answer.data.points ?? []) : [];
  if (points.length === 0) {
    element.textContent = none;
    continue;
  }
  element.dataset.points = String(points.length);
  const chart = echarts.init(element, null, { renderer: 'svg' });
  chart.setOption({
    animation: false,
    grid: { left: 2, right: 2, top: 6, bottom: 2 },
    xAxis: { type: 'category', show: false, data: points.map((p) => p.month) },
    // Scaled to the figures (not 0–100), so a few points of progress show as a slope.
    yAxis: { type: 'value', show: false, min: (v) => Math.max(0, Math.floor(v.min - 2)), max: (v) => Math.min(100, Math.ceil(v.max + 2)) },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null ? '—' : `${v.toFixed(1)}%`) },
    series: [
      {
        type: 'line',
        data: points.map((p) => p.percent),
        symbol: 'none',
        smooth: true,
        lineStyle: { width: 2 },
        areaStyle: { opacity: 0.15 },
      },
    ],
  });
  window.addEventListener('resize', () => chart.resize());
}
