// 互联互通: the monthly trend of the exchange volume and the published services (GET /api/v1/interconnection/trend).
import { api, config, lang } from './common.js';

const echarts = window.echarts;
const element = document.getElementById('interconnection-trend');
const words =
  lang === 'en'
    ? { volume: 'Exchange volume', services: 'Interface services', none: 'no daily counts yet' }
    : { volume: '信息交换量', services: '接口服务', none: '暂无交换量数据' };

if (element) {
  const params = new URLSearchParams({ scope: config.scope, from: config.from, to: config.to, interval: 'month' });
  const answer = await api('GET', `/api/v1/interconnection/trend?${params}`);
  const points = answer.ok ? (answer.data.points ?? []) : [];
  if (points.length === 0) element.textContent = words.none;
  else {
    element.dataset.points = String(points.length);
    const chart = echarts.init(element, null, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [words.volume, words.services] },
      grid: { left: 60, right: 50, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: points.map((p) => p.from.slice(0, 7)) },
      yAxis: [
        { type: 'value', name: words.volume },
        { type: 'value', name: words.services, minInterval: 1 },
      ],
      series: [
        { name: words.volume, type: 'bar', data: points.map((p) => p.volume_total) },
        { name: words.services, type: 'line', yAxisIndex: 1, data: points.map((p) => p.services) },
      ],
    });
    window.addEventListener('resize', () => chart.resize());
  }
}
