// A node's samples drawn over the chosen range. The samples API gives at most 10 000 rows a
// call, oldest first, so the range is fetched in slices (and a truncated slice continues from
// its last sample, a few times at most), then bucketed here: a week of 30 s samples from
// several agents is too many points to draw one by one.
import { api, config } from './common.js';

const { code, range, m } = config;
const echarts = window.echarts;
const hour = 3600_000;
const spanMs = { '1h': hour, '24h': 24 * hour, '7d': 7 * 24 * hour }[range] ?? hour;
const bucketMs = { '1h': 60_000, '24h': 10 * 60_000, '7d': hour }[range] ?? 60_000;
const sliceMs = { '1h': hour, '24h': 6 * hour, '7d': 24 * hour }[range] ?? hour;
const pagesPerSlice = 5;
// The tables say Beijing time; the charts too, whatever the browser's zone (drawn as UTC, shifted).
const beijing = 8 * hour;

async function slice(from, to) {
  const rows = [];
  const seen = new Set();
  let start = from;
  for (let i = 0; i < pagesPerSlice; i++) {
    const query = new URLSearchParams({ from: new Date(start).toISOString(), to: new Date(to).toISOString(), limit: '10000' });
    const answer = await api('GET', `/api/v1/network-nodes/${encodeURIComponent(code)}/samples?${query}`);
    if (!answer.ok) throw new Error(answer.data?.detail ?? `samples: ${answer.status}`);
    for (const row of answer.data.items) {
      // A continuation starts at the last instant again: keep each (at, agent) once.
      const key = `${row.at}|${row.agent}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(row);
    }
    if (!answer.data.truncated || answer.data.items.length === 0) break;
    start = Date.parse(answer.data.items.at(-1).at);
  }
  return rows;
}

async function samples() {
  const to = Date.now();
  const from = to - spanMs;
  const slices = [];
  for (let start = from; start < to; start += sliceMs) slices.push(slice(start, Math.min(to, start + sliceMs)));
  return (await Promise.all(slices)).flat();
}

/** Per bucket: the share of samples up, the mean loss; and each agent's mean latency. */
function bucketed(rows) {
  const all = new Map();
  const byAgent = new Map();
  for (const row of rows) {
    const at = Math.floor((Date.parse(row.at) + beijing) / bucketMs) * bucketMs;
    const b = all.get(at) ?? { up: 0, n: 0, loss: 0 };
    b.n += 1;
    b.up += row.up ? 1 : 0;
    b.loss += row.loss ?? 0;
    all.set(at, b);
    if (row.latency_ms !== null && row.latency_ms !== undefined) {
      const agent = byAgent.get(row.agent) ?? new Map();
      const l = agent.get(at) ?? { sum: 0, n: 0 };
      l.sum += row.latency_ms;
      l.n += 1;
      agent.set(at, l);
      byAgent.set(row.agent, agent);
    }
  }
  const times = [...all.keys()].sort((a, b) => a - b);
  const round = (x) => Math.round(x * 10) / 10;
  return {
    up: times.map((t) => [t, round((all.get(t).up / all.get(t).n) * 100)]),
    loss: times.map((t) => [t, round((all.get(t).loss / all.get(t).n) * 100)]),
    latency: [...byAgent.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([agent, points]) => ({
        agent,
        data: [...points.entries()].sort(([a], [b]) => a - b).map(([t, l]) => [t, round(l.sum / l.n)]),
      })),
  };
}

function draw(id, title, series, options = {}) {
  const element = document.getElementById(id);
  const chart = echarts.getInstanceByDom(element) ?? echarts.init(element, null, { renderer: 'svg' });
  chart.setOption({
    animation: false,
    useUTC: true,
    title: { text: title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    legend: series.length > 1 ? { bottom: 0, type: 'scroll' } : undefined,
    grid: { left: 48, right: 16, top: 36, bottom: series.length > 1 ? 40 : 28 },
    xAxis: { type: 'time', min: Date.now() + beijing - spanMs, max: Date.now() + beijing },
    yAxis: { type: 'value', ...options.yAxis },
    series: series.map((s) => ({ type: 'line', showSymbol: s.data.length < 3, name: s.name, data: s.data, connectNulls: false })),
  });
  element.dataset.points = String(series.reduce((n, s) => n + s.data.length, 0));
  return chart;
}

const status = document.getElementById('chart-status');
try {
  const data = bucketed(await samples());
  if (data.up.length === 0) status.textContent = m.noData;
  draw('chart-up', m.up, [{ name: m.up, data: data.up }], { yAxis: { min: 0, max: 100 } });
  draw(
    'chart-latency',
    m.latency,
    data.latency.map((s) => ({ name: s.agent, data: s.data })),
  );
  draw('chart-loss', m.lossPercent, [{ name: m.lossPercent, data: data.loss }], { yAxis: { min: 0, max: 100 } });
  document.querySelector('.node-charts').dataset.drawn = 'true';
} catch (error) {
  status.textContent = String(error.message ?? error);
}
window.addEventListener('resize', () => {
  for (const el of document.querySelectorAll('.chart')) echarts.getInstanceByDom(el)?.resize();
});
