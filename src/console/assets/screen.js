// The wall screen (大屏): the map of the 14 cities coloured by one of the three 100% figures,
// rotating every 15 s; a Beijing-time clock; and every 60 s the page fetched again, its panels
// swapped in whole (the server renders them, so there is one way they look). Nothing to click.
import { config } from './common.js';

const echarts = window.echarts;
const rotateMs = 15_000;
const refreshMs = 60_000;
const noData = '#d9d9d9';
const { indicators, bands, m } = config;
let cities = config.cities;
let current = 0;

const colour = (percent) => (percent === null || percent === undefined ? noData : (bands.find((b) => percent >= b.min)?.color ?? noData));
const formatPercent = (p) => (p === null || p === undefined ? '—' : `${p.toFixed(1)}%`);

const mapElement = document.getElementById('screen-map');
const chart = echarts.init(mapElement, null, { renderer: 'svg' });

/** The ranked bars beside the map, for the indicator on show. */
function drawBars(key) {
  const list = document.getElementById('city-bars');
  const rows = [...cities].sort((a, b) => (b.percents[key] ?? -1) - (a.percents[key] ?? -1));
  list.replaceChildren(
    ...rows.map((c) => {
      const p = c.percents[key] ?? null;
      const item = document.createElement('li');
      item.dataset.adcode = c.adcode;
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = c.name;
      const bar = document.createElement('span');
      bar.className = 'track';
      const fill = document.createElement('span');
      fill.style.width = `${p ?? 0}%`;
      fill.style.background = colour(p);
      bar.append(fill);
      const value = document.createElement('span');
      value.className = 'value';
      value.textContent = p === null ? m.noData : formatPercent(p);
      item.append(name, bar, value);
      return item;
    }),
  );
}

function drawMap() {
  const { key, name } = indicators[current];
  document.getElementById('screen-map-indicator').textContent = name;
  chart.setOption(
    {
      // No animation: a wall screen shows the new colours at once.
      animation: false,
      series: [
        {
          type: 'map',
          map: 'screen-cities',
          roam: false,
          selectedMode: false,
          silent: true,
          // As large as the panel allows: read from across the room.
          layoutCenter: ['50%', '50%'],
          layoutSize: '98%',
          label: { show: true, fontSize: 14, color: '#06142b' },
          itemStyle: { borderColor: '#06142b', borderWidth: 1.5 },
          data: cities.map((c) => ({ name: c.name, value: c.percents[key], itemStyle: { areaColor: colour(c.percents[key]) } })),
        },
      ],
    },
    true,
  );
  mapElement.dataset.indicator = key;
  drawBars(key);
}

/** The page again, its panels and figures swapped in; on failure the old ones stay, marked stale. */
async function refresh() {
  const stale = document.getElementById('screen-stale');
  try {
    const response = await fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const panels = page.querySelectorAll('[data-panel]');
    // Signed out or refused: the answer is another page; keep showing what we have.
    if (!response.ok || panels.length === 0) throw new Error(`refresh: ${response.status}`);
    for (const panel of panels) document.querySelector(`[data-panel="${panel.dataset.panel}"]`)?.replaceWith(panel);
    document.getElementById('screen-at').textContent = page.getElementById('screen-at')?.textContent ?? '';
    cities = JSON.parse(page.body.dataset.config || '{}').cities ?? cities;
    drawMap();
    stale.hidden = true;
    document.body.dataset.refreshed = new Date().toISOString();
  } catch {
    stale.hidden = false;
  }
}

function tick() {
  // Beijing time, whatever the wall PC's own time zone.
  const at = new Date(Date.now() + 8 * 3600_000);
  document.getElementById('screen-clock').textContent = at.toISOString().slice(0, 19).replace('T', ' ');
}

const shapes = await fetch('/geo/guangxi-cities.json', { credentials: 'same-origin' });
echarts.registerMap('screen-cities', await shapes.json());
drawMap();
mapElement.dataset.drawn = String(cities.length);
setInterval(() => {
  current = (current + 1) % indicators.length;
  drawMap();
}, rotateMs);
setInterval(refresh, refreshMs);
setInterval(tick, 1000);
window.addEventListener('resize', () => chart.resize());
