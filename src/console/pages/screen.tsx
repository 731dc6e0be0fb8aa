import type { Child } from 'hono/jsx';
import type { Screen } from '../../screen/schemas.ts';
import { readScreen } from '../../screen/service.ts';
import { beijingTime, ruleNames, term } from '../alert-terms.ts';
import { catalogue, formatPercent, indicatorName, type Lang } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { bands, MapLegend } from './map.tsx';

const t = catalogue(
  {
    title: '政务云与电子政务外网运行监测大屏',
    now: '当前时间',
    asOf: '数据截至',
    three: '三个100%',
    trend: '月度趋势',
    noTrend: '暂无月度快照',
    map: '各设区市',
    redBlack: '红黑榜',
    cities: '设区市',
    departments: '区直部门',
    red: '红榜',
    black: '黑榜',
    noRanking: '尚无冻结月份',
    alerts: '严重告警',
    noAlerts: '没有未处理的严重告警',
    nodes: '中断节点',
    noNodes: '没有中断的节点',
    since: '自',
    noData: '无数据',
    stale: '数据刷新失败，显示的是上次的数据',
  },
  {
    title: 'E-government cloud & network — wall screen',
    now: 'Now',
    asOf: 'Figures as of',
    three: 'The three 100%',
    trend: 'monthly trend',
    noTrend: 'no frozen month yet',
    map: 'Cities',
    redBlack: 'Red/black list',
    cities: 'Cities',
    departments: 'Departments',
    red: 'Red list',
    black: 'Black list',
    noRanking: 'no month frozen yet',
    alerts: 'Critical alerts',
    noAlerts: 'No critical alert firing',
    nodes: 'Nodes down',
    noNodes: 'No node is down',
    since: 'since',
    noData: 'no data',
    stale: 'Refreshing failed; showing the last figures',
  },
);

const sparkSize = { width: 400, height: 60 } as const;

/** The trend as an SVG polyline, drawn here so the screen is complete before any script runs. */
function Sparkline(props: { points: Screen['figures'][number]['trend']; empty: string }) {
  const values = props.points.map((p) => p.percent).filter((v): v is number => v !== null);
  if (values.length === 0) return <p class="spark-empty">{props.empty}</p>;
  const { width, height } = sparkSize;
  // Scaled to the figures, as the overview's sparklines: a few points of progress show as a slope.
  const low = Math.max(0, Math.floor(Math.min(...values) - 2));
  const high = Math.min(100, Math.ceil(Math.max(...values) + 2));
  const span = Math.max(high - low, 1);
  const step = props.points.length > 1 ? width / (props.points.length - 1) : 0;
  const coords = props.points
    .map((p, i) => (p.percent === null ? null : `${(i * step).toFixed(1)},${(height - ((p.percent - low) / span) * height).toFixed(1)}`))
    .filter((c): c is string => c !== null);
  const first = props.points[0]?.month ?? '';
  const last = props.points.at(-1)?.month ?? '';
  return (
    <figure class="spark">
      <svg viewBox={`-4 -4 ${width + 8} ${height + 8}`} width={width} height={height} role="img" aria-label={`${first} – ${last}`}>
        <polyline points={coords.join(' ')} fill="none" stroke="#8ecae6" stroke-width="3" stroke-linejoin="round" />
        {coords.length === 1 ? <circle cx={coords[0]?.split(',')[0]} cy={coords[0]?.split(',')[1]} r="4" fill="#8ecae6" /> : null}
      </svg>
      <figcaption>
        <span>{first}</span>
        <span>{last}</span>
      </figcaption>
    </figure>
  );
}

function RankList(props: { id: string; title: string; entries: { rank: number; name: string; score: number }[]; tone: 'red' | 'black' }) {
  return (
    <div class={`ranklist ${props.tone}`}>
      <h3>{props.title}</h3>
      <ol id={props.id}>
        {props.entries.map((e) => (
          <li>
            <span class="rank">{e.rank}</span>
            <span class="name">{e.name}</span>
            <span class="score">{e.score.toFixed(1)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The panels the script swaps in whole on each refresh: everything but the map's drawing. */
export function ScreenPanels(props: { screen: Screen; lang: Lang }) {
  const { screen, lang } = props;
  const m = t(lang);
  const { ranking } = screen;
  return (
    <>
      <section id="screen-figures" class="screen-panel" data-panel="figures" aria-labelledby="screen-figures-title">
        <h2 id="screen-figures-title">{m.three}</h2>
        {screen.figures.map((f) => (
          <article class="figure" data-indicator={f.key}>
            <h3>{indicatorName(f.key, lang)}</h3>
            <p class="big">{formatPercent(f.percent)}</p>
            <p class="counts">
              {f.numerator} / {f.denominator}
            </p>
            <Sparkline points={f.trend} empty={m.noTrend} />
          </article>
        ))}
      </section>
      <section id="screen-ranking" class="screen-panel" data-panel="ranking" aria-labelledby="screen-ranking-title">
        <h2 id="screen-ranking-title">
          {m.redBlack} {ranking ? <small>{ranking.month}</small> : null}
        </h2>
        {ranking ? (
          <div class="ranking-grid">
            <RankList id="red-cities" title={`${m.cities} · ${m.red}`} entries={ranking.cities.red} tone="red" />
            <RankList id="black-cities" title={`${m.cities} · ${m.black}`} entries={ranking.cities.black} tone="black" />
            <RankList id="red-departments" title={`${m.departments} · ${m.red}`} entries={ranking.departments.red} tone="red" />
            <RankList id="black-departments" title={`${m.departments} · ${m.black}`} entries={ranking.departments.black} tone="black" />
          </div>
        ) : (
          <p class="empty">{m.noRanking}</p>
        )}
      </section>
      <ListPanel id="screen-alerts" panel="alerts" title={m.alerts} total={screen.alerts.total} empty={m.noAlerts}>
        {screen.alerts.items.length === 0 ? null : (
          <ul id="alert-list">
            {screen.alerts.items.map((a) => (
              <li data-alert={String(a.id)}>
                <span class="what">{term(ruleNames, a.rule, lang)}</span>
                <span class="name">{a.subject.name}</span>
                <span class="where">{a.region_name ?? ''}</span>
                <time datetime={a.started_at}>{beijingTime(a.started_at).slice(5, 16)}</time>
              </li>
            ))}
          </ul>
        )}
      </ListPanel>
      <ListPanel id="screen-nodes" panel="nodes" title={m.nodes} total={screen.nodes_down.total} empty={m.noNodes}>
        {screen.nodes_down.items.length === 0 ? null : (
          <ul id="node-list">
            {screen.nodes_down.items.map((n) => (
              <li data-node={n.code}>
                <span class="name">{n.name}</span>
                <span class="where">{n.region_name ?? ''}</span>
                <time datetime={n.since ?? ''}>{n.since ? `${m.since} ${beijingTime(n.since).slice(5, 16)}` : ''}</time>
              </li>
            ))}
          </ul>
        )}
      </ListPanel>
    </>
  );
}

/** A panel of a count and its list (or a line saying there is nothing), the count marked when above 0. */
function ListPanel(props: { id: string; panel: string; title: string; total: number; empty: string; children: Child }) {
  return (
    <section id={props.id} class="screen-panel" data-panel={props.panel} aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>
        {props.title} <small class={props.total > 0 ? 'alarm' : undefined}>{props.total}</small>
      </h2>
      {props.children ?? <p class="empty">{props.empty}</p>}
    </section>
  );
}

/** The cities ranked by one indicator: beside the map, and what the map says without its drawing. */
function CityBars(props: { screen: Screen; indicator: Screen['figures'][number]['key']; noData: string }) {
  const rows = [...props.screen.cities].sort((a, b) => (b.percents[props.indicator] ?? -1) - (a.percents[props.indicator] ?? -1));
  return (
    <ol id="city-bars">
      {rows.map((c) => {
        const p = c.percents[props.indicator] ?? null;
        const colour = p === null ? '#d9d9d9' : (bands.find((b) => p >= b.min)?.color ?? '#d9d9d9');
        return (
          <li data-adcode={c.adcode}>
            <span class="name">{c.name}</span>
            <span class="track">
              <span style={`width:${p ?? 0}%;background:${colour}`} />
            </span>
            <span class="value">{p === null ? props.noData : formatPercent(p)}</span>
          </li>
        );
      })}
    </ol>
  );
}

/**
 * GET /console/screen: the wall screen (大屏) at 1920×1080, dark, nothing to click. Rendered here
 * from the same answer as GET /api/v1/screen, so every panel is filled before the script runs; the
 * script draws the map (its indicator rotating every 15 s), keeps the clock, and every 60 s swaps
 * in the panels of this page fetched again.
 */
export async function screenPage(ctx: PageContext): Promise<Response> {
  const { db, actor, lang, settings } = ctx;
  const m = t(lang);
  const screen = await readScreen(db, actor, { cache: settings.cache, leadership: settings.leadership });
  const first = screen.figures[0]?.key ?? 'cloud_migration';
  return ctx.render({
    title: m.title,
    active: 'screen',
    charts: true,
    scripts: ['screen.js'],
    wall: true,
    bare: true,
    config: {
      indicators: screen.figures.map((f) => ({ key: f.key, name: indicatorName(f.key, lang) })),
      cities: screen.cities,
      bands,
      m: { noData: m.noData, stale: m.stale },
    },
    children: (
      <div class="screen" id="screen">
        <header class="screen-head">
          <h1>{m.title}</h1>
          <p class="screen-time">
            <span>
              {m.now} <time id="screen-clock">{beijingTime(new Date().toISOString())}</time>
            </span>
            <span>
              {m.asOf} <time id="screen-at">{screen.at}</time>
            </span>
            <span id="screen-stale" class="alarm" hidden>
              {m.stale}
            </span>
          </p>
        </header>
        <ScreenPanels screen={screen} lang={lang} />
        <section id="screen-map-panel" class="screen-panel" aria-labelledby="screen-map-title">
          <h2 id="screen-map-title">
            {m.map} · <span id="screen-map-indicator">{indicatorName(first, lang)}</span>
          </h2>
          <div class="screen-map-layout">
            <div id="screen-map" class="screen-map" role="img" aria-label={m.map} />
            <CityBars screen={screen} indicator={first} noData={m.noData} />
          </div>
          <MapLegend noData={m.noData} />
        </section>
      </div>
    ),
  });
}
