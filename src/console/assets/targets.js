// 目标与预测: each indicator's actual monthly rate against its target trajectory, and the
// forecast line to 100 % — from the page's own data (the same figures as the tables beside them).
import { config, lang } from './common.js';

const echarts = window.echarts;
const words =
  lang === 'en' ? { actual: 'Actual', target: 'Target', forecast: 'Forecast' } : { actual: '实际', target: '目标', forecast: '预测' };
const charts = [];

for (const series of config.indicators ?? []) {
  const element = document.querySelector(`.target-chart[data-indicator="${series.indicator}"]`);
  if (!element) continue;
  const chart = echarts.init(element, null, { renderer: 'svg' });
  chart.setOption({
    animation: false,
    legend: { top: 0, data: [words.actual, words.target, words.forecast] },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${Number(v).toFixed(1)}%`) },
    grid: { left: 50, right: 24, top: 36, bottom: 30 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { name: words.actual, type: 'line', data: series.actual, symbolSize: 6, lineStyle: { width: 3 } },
      { name: words.target, type: 'line', data: series.target, symbol: 'diamond', lineStyle: { type: 'solid', width: 2 } },
      { name: words.forecast, type: 'line', data: series.forecast, symbol: 'circle', lineStyle: { type: 'dashed', width: 2 } },
    ],
  });
  // Read by the browser test: which lines were drawn, with how many points.
  element.dataset.points = `${series.actual.length}/${series.target.length}/${series.forecast.length}`;
  charts.push(chart);
}
window.addEventListener('resize', () => {
  for (const chart of charts) chart.resize();
});
document.getElementById('targets-print')?.addEventListener('click', () => window.print());
