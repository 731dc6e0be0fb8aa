// The coverage map: the 14 cities coloured by the chosen indicator, from the GeoJSON the app
// serves with the official figures baked into each feature; a click opens the city's counties.
import { config } from './common.js';

const { indicator, at, bands, m } = config;
const echarts = window.echarts;
const noData = '#d9d9d9';

const colour = (percent) => (percent === null || percent === undefined ? noData : (bands.find((b) => percent >= b.min)?.color ?? noData));
const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const formatPercent = (p) => (p === null || p === undefined ? '—' : `${p.toFixed(1)}%`);
const itemsHref = (scope) => `/console/items?${new URLSearchParams({ indicator, scope, at, missing: 'true' })}`;

function tooltip(params) {
  const d = params.data;
  if (!d) return escapeHtml(params.name);
  return [
    `<strong>${escapeHtml(params.name)}</strong>`,
    `${escapeHtml(config.indicatorName)} <span class="tip-percent">${formatPercent(d.percent)}</span>`,
    `${escapeHtml(m.numerator)} <span class="tip-numerator">${d.numerator}</span> / ${escapeHtml(m.denominator)} <span class="tip-denominator">${d.denominator}</span>`,
  ].join('<br>');
}

async function draw(element, url, mapName, onClick) {
  const response = await fetch(url, { credentials: 'same-origin' });
  const geo = await response.json();
  echarts.registerMap(mapName, geo);
  // SVG: crisp on a wall screen, and each region is one element to point at.
  const chart = echarts.getInstanceByDom(element) ?? echarts.init(element, null, { renderer: 'svg' });
  chart.setOption(
    {
      // No animation: the map is read, and a screenshot or a wall screen shows it at once.
      animation: false,
      tooltip: { trigger: 'item', formatter: tooltip, className: 'map-tip' },
      series: [
        {
          type: 'map',
          map: mapName,
          roam: false,
          selectedMode: false,
          label: { show: true, fontSize: 11, color: '#222' },
          emphasis: { label: { show: true }, itemStyle: { areaColor: '#74add1' } },
          itemStyle: { borderColor: '#fff', borderWidth: 1 },
          data: geo.features.map(({ properties: p }) => ({
            name: p.name,
            value: p.percent,
            adcode: p.adcode,
            numerator: p.numerator,
            denominator: p.denominator,
            percent: p.percent,
            itemStyle: { areaColor: colour(p.percent) },
          })),
        },
      ],
    },
    true,
  );
  chart.off('click');
  if (onClick) chart.on('click', (params) => params.data && onClick(params.data.adcode, params.name));
  return { chart, geo };
}

const panel = document.getElementById('county-panel');
const title = document.getElementById('county-title');

async function showCounties(adcode, name) {
  panel.hidden = false;
  title.textContent = `${name}${m.counties}`;
  const url = `/geo/guangxi-counties.json?${new URLSearchParams({ city: adcode, indicator, at })}`;
  const { geo } = await draw(document.getElementById('county-map'), url, `counties-${adcode}`, null);
  const body = document.querySelector('#county-table tbody');
  body.replaceChildren();
  for (const { properties: p } of [...geo.features].sort((a, b) => a.properties.adcode.localeCompare(b.properties.adcode))) {
    const row = body.insertRow();
    row.dataset.adcode = p.adcode;
    const head = document.createElement('th');
    head.scope = 'row';
    head.textContent = p.name;
    row.append(head);
    const link = document.createElement('a');
    link.href = itemsHref(p.adcode);
    link.textContent = String(p.numerator);
    row.insertCell().append(link);
    row.insertCell().textContent = String(p.denominator);
    row.insertCell().textContent = formatPercent(p.percent);
  }
  title.focus();
}

const cities = await draw(
  document.getElementById('map'),
  `/geo/guangxi-cities.json?${new URLSearchParams({ indicator, at })}`,
  'guangxi-cities',
  showCounties,
);
document.getElementById('map').dataset.drawn = String(cities.geo.features.length);
for (const button of document.querySelectorAll('button.city')) {
  button.addEventListener('click', () => showCounties(button.dataset.adcode, button.dataset.name));
}
document.getElementById('county-close').addEventListener('click', () => {
  panel.hidden = true;
  document.querySelector(`button.city`)?.focus();
});
window.addEventListener('resize', () => {
  for (const el of document.querySelectorAll('.map')) echarts.getInstanceByDom(el)?.resize();
});
