import { divisionShapes, parseIndicatorKey } from '../../geo/service.ts';
import { indicatorKeys } from '../../indicators/definitions.ts';
import { parseAt } from '../../indicators/service.ts';
import { ChoiceField, choicesOf } from '../components/choices.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, formatPercent, indicatorName } from '../i18n.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    title: '覆盖地图',
    indicator: '指标',
    at: '截至日期',
    show: '查看',
    city: '设区市',
    county: '县（市、区）',
    numerator: '分子',
    denominator: '分母',
    percent: '比率',
    legend: '图例',
    noData: '无数据',
    hint: '点击地图或表格中的城市查看其县级地图；点击数字查看明细。',
    counties: '的县级情况',
    close: '返回全区',
    missing: '未完成清单',
  },
  {
    title: 'Coverage map',
    indicator: 'Indicator',
    at: 'As of',
    show: 'Show',
    city: 'City',
    county: 'County',
    numerator: 'Numerator',
    denominator: 'Denominator',
    percent: 'Rate',
    legend: 'Legend',
    noData: 'no data',
    hint: 'Click a city on the map or in the table for its counties; click a figure for the items behind it.',
    counties: ' — counties',
    close: 'Back to the region',
    missing: 'missing items',
  },
);

/** The colours of the map's bands, then of a division with no figure. */
export function MapLegend(props: { id?: string; label?: string; noData: string }) {
  return (
    <ul id={props.id} class="legend" aria-label={props.label}>
      {bands.map((b) => (
        <li>
          <span class="swatch" style={`background:${b.color}`} />
          {b.label}
        </li>
      ))}
      <li>
        <span class="swatch" style="background:#d9d9d9" />
        {props.noData}
      </li>
    </ul>
  );
}

/** The colour bands of the map; the page script paints with the same ones. */
export const bands = [
  { min: 95, color: '#1a9850', label: '≥ 95%' },
  { min: 80, color: '#91cf60', label: '80–95%' },
  { min: 60, color: '#fee08b', label: '60–80%' },
  { min: 0, color: '#fc8d59', label: '< 60%' },
] as const;

const itemsHref = (key: string, scope: string, at: string) =>
  `/console/items?${new URLSearchParams({ indicator: key, scope, at, missing: 'true' })}`;

/**
 * The 14 cities coloured by one indicator. The table is rendered here from the same shapes and
 * figures /geo/guangxi-cities.json serves, so the page works without scripts; the script draws
 * the map (ECharts, served by the app) and the county drill-down.
 */
export async function mapPage(ctx: PageContext): Promise<Response> {
  const { c, db, lang } = ctx;
  const m = t(lang);
  const indicator = parseIndicatorKey(c.req.query('indicator') ?? 'cloud_migration');
  const at = parseAt(c.req.query('at') || undefined);
  const shapes = await divisionShapes(db, 'cities', { indicator, at });
  const rows = shapes.features
    .map((f) => f.properties as { adcode: string; name: string; numerator: number; denominator: number; percent: number | null })
    .sort((a, b) => a.adcode.localeCompare(b.adcode));
  return ctx.render({
    title: m.title,
    active: 'map',
    charts: true,
    scripts: ['map.js'],
    wall: c.req.query('wall') === '1',
    config: {
      indicator,
      at,
      indicatorName: indicatorName(indicator, lang),
      bands,
      m: {
        numerator: m.numerator,
        denominator: m.denominator,
        percent: m.percent,
        noData: m.noData,
        counties: m.counties,
        missing: m.missing,
        county: m.county,
      },
    },
    children: (
      <>
        <h1>
          {m.title} · {indicatorName(indicator, lang)}
        </h1>
        <form class="filters" method="get" action="/console/map">
          <ChoiceField
            label={m.indicator}
            name="indicator"
            choices={choicesOf(indicatorKeys, (k) => indicatorName(k, lang))}
            selected={indicator}
          />
          <label>
            {m.at}
            <input type="date" name="at" value={at} required />
          </label>
          <button type="submit">{m.show}</button>
        </form>
        <p class="hint">{m.hint}</p>
        <div class="map-layout">
          <div>
            <div id="map" class="map" role="img" aria-label={`${m.title} ${indicatorName(indicator, lang)}`} />
            <MapLegend id="legend" label={m.legend} noData={m.noData} />
          </div>
          <div>
            <DataTable
              id="city-table"
              caption={m.city}
              columns={[m.city, m.numerator, m.denominator, m.percent]}
              rows={rows}
              row={(r) => (
                <tr data-adcode={r.adcode}>
                  <th scope="row">
                    <button type="button" class="link city" data-adcode={r.adcode} data-name={r.name}>
                      {r.name}
                    </button>
                  </th>
                  <td>
                    <a href={itemsHref(indicator, r.adcode, at)}>{r.numerator}</a>
                  </td>
                  <td>{r.denominator}</td>
                  <td>{formatPercent(r.percent)}</td>
                </tr>
              )}
            />
          </div>
        </div>
        <section id="county-panel" hidden>
          <h2 id="county-title" tabindex={-1}>
            {m.county}
          </h2>
          <button type="button" id="county-close">
            {m.close}
          </button>
          <div class="map-layout">
            <div id="county-map" class="map small" />
            <DataTable id="county-table" columns={[m.county, m.numerator, m.denominator, m.percent]} rows={[]} row={() => null} />
          </div>
        </section>
      </>
    ),
  });
}
