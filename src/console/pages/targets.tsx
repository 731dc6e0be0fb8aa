import type { LeadershipSettings } from '../../config.ts';
import { assertCan } from '../../identity/access.ts';
import { threeHundred } from '../../indicators/definitions.ts';
import { businessDate } from '../../kernel/dates.ts';
import { AppError } from '../../kernel/errors.ts';
import { type IndicatorProgress, type ProgressMonth, progressScopeChoices, targetProgress } from '../../leadership/progress.ts';
import { listSnapshots } from '../../leadership/snapshots.ts';
import { PrintHead } from '../components/print-head.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, formatPercent, indicatorName, type Lang } from '../i18n.ts';
import type { PageHandler } from '../page.tsx';

const t = catalogue(
  {
    title: '目标与预测',
    scope: '范围',
    province: '全区',
    cities: '各设区市',
    departments: '区直部门',
    month: '月份',
    show: '查看',
    print: '打印',
    none: '尚无已冻结的月份。审核人员冻结月度快照后（yunwang snapshot --month YYYY-MM），这里即可查看目标进度与预测。',
    asOf: '数据截至',
    summary: '指标一览',
    indicator: '指标',
    actual: '实际',
    target: '目标',
    gap: '差距',
    mom: '环比',
    yoy: '同比',
    forecast: '预计达到100%',
    due: '目标要求100%',
    months: '逐月数据',
    chart: '实际与目标',
    points: '个百分点',
    early: '提前',
    late: '晚于目标',
    days: '天',
    reached: '已达到100%',
    flat: '按当前速度达不到',
    insufficient: '快照不足',
    method:
      '预测方法：对最近 {n} 个已冻结月份（{from} 至 {to}）的完成率做最小二乘线性拟合，按拟合的月均进度从最近一个月末外推到100%；进度持平、下降或需十年以上时，不给出日期。',
    paceText: '按每月 {pace} 个百分点的速度',
    noTarget: '无目标',
    legend: '差距 = 目标 − 实际（百分点，正数为落后）；环比为较上月、同比为较上年同月的变化（百分点），相比月份未冻结时不显示。',
    issuer: '大数据发展局',
    printed: '打印日期',
  },
  {
    title: 'Targets and forecasts',
    scope: 'Scope',
    province: 'Province',
    cities: 'Cities',
    departments: 'Province-level departments',
    month: 'Month',
    show: 'Show',
    print: 'Print',
    none: 'No month is frozen yet. Once a reviewer freezes a monthly snapshot (yunwang snapshot --month YYYY-MM), the progress against targets and the forecasts show here.',
    asOf: 'Figures as of',
    summary: 'At a glance',
    indicator: 'Indicator',
    actual: 'Actual',
    target: 'Target',
    gap: 'Gap',
    mom: 'Month on month',
    yoy: 'Year on year',
    forecast: 'Forecast 100%',
    due: '100% due',
    months: 'Month by month',
    chart: 'Actual and target',
    points: 'points',
    early: 'early',
    late: 'late',
    days: 'days',
    reached: 'reached 100%',
    flat: 'not at the current pace',
    insufficient: 'too few snapshots',
    method:
      'Method: a least-squares line through the rates of the last {n} frozen months ({from} to {to}), carried forward from the latest month end to 100% at its monthly pace; flat, falling or more than ten years out gives no date.',
    paceText: 'at {pace} points a month',
    noTarget: 'no target',
    legend:
      'Gap = target − actual (points; positive is behind). Month on month and year on year are changes in points since the month before and the same month a year before, shown only where that month is frozen.',
    issuer: 'Big Data Development Bureau',
    printed: 'Printed',
  },
);

type Messages = ReturnType<typeof t>;

const fill = (text: string, values: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));

/** A change in points, signed, one decimal; a dash where there is nothing to compare. */
const formatPoints = (points: number | null) => (points === null ? '—' : `${points > 0 ? '+' : ''}${points.toFixed(1)}`);

const gapClass = (gap: number | null) => (gap === null ? undefined : gap > 0 ? 'behind' : 'ahead');

const itemsHref = (indicator: string, scope: string, at: string) => `/console/items?${new URLSearchParams({ indicator, scope, at })}`;

/** The forecast in words: the date and how it stands against the 100% deadline, or why there is none. */
function forecastText(p: IndicatorProgress, m: Messages): string {
  const f = p.forecast;
  if (f.status === 'reached') return m.reached;
  if (f.status === 'not_at_current_pace') return m.flat;
  if (f.status === 'insufficient_history' || f.projected_date === null) return m.insufficient;
  if (f.days_after_target === null) return f.projected_date;
  const side = f.days_after_target > 0 ? m.late : m.early;
  return `${f.projected_date}（${side} ${Math.abs(f.days_after_target)} ${m.days}）`;
}

/** The frozen months, newest first, and the one asked for (default: the newest). */
async function pickMonth(db: Parameters<typeof listSnapshots>[0], asked: string | undefined) {
  const months = (await listSnapshots(db))
    .filter((s) => s.status === 'frozen')
    .map((s) => s.month)
    .reverse();
  if (asked && !months.includes(asked)) {
    throw new AppError('not_found', `${asked} is not a frozen month`, [
      { field: 'month', message: `one of ${months.slice(0, 6).join(', ')}…` },
    ]);
  }
  return { months, month: asked ?? months[0] ?? null };
}

/**
 * 目标与预测: for a scope and a frozen month, each indicator's monthly trajectory against its
 * target trajectory (drawn by targets.js), the gap, 环比 and 同比, and the forecast date of
 * 100 % with its method. Read through `targetProgress`, the function behind
 * GET /api/v1/targets/progress, so the page and the API agree.
 */
export function targetsPage(settings: LeadershipSettings): PageHandler {
  return async (ctx) => {
    const { db, lang } = ctx;
    const m = t(lang);
    assertCan(ctx.actor.access, 'read', 'leadership');
    const { months, month } = await pickMonth(db, ctx.c.req.query('month'));
    if (month === null) {
      return ctx.render({ title: m.title, active: 'targets', children: <NoMonth m={m} /> });
    }
    const choices = await progressScopeChoices(db, month);
    const scope = ctx.c.req.query('scope') || choices.province?.scope || '';
    const progress = await targetProgress(db, { scope, month }, settings.forecastMonths);
    const shown = progress.indicators;
    const charted = shown.filter((p) => p.target_source !== null || threeHundred.includes(p.indicator));
    const method = shown[0]?.forecast.method;
    return ctx.render({
      title: `${m.title} · ${progress.scope_name} ${month}`,
      active: 'targets',
      scripts: ['targets.js'],
      charts: true,
      config: {
        indicators: charted.map((p) => ({
          indicator: p.indicator,
          name: indicatorName(p.indicator, lang),
          actual: p.months.map((x) => [x.as_of, x.percent]),
          target: p.target_points.map((x) => [x.deadline, x.percent]),
          forecast:
            p.forecast.status === 'projected' && p.latest
              ? [
                  [p.latest.as_of, p.latest.percent],
                  [p.forecast.projected_date, 100],
                ]
              : [],
        })),
      },
      children: (
        <>
          <PrintHead
            issuer={`${choices.province?.name ?? ''}${m.issuer}`}
            title={`${progress.scope_name} · ${m.title} ${month}`}
            date={`${m.asOf} ${progress.as_of} · ${m.printed} ${businessDate()}`}
          />
          <h1 class="screen-only">
            {m.title} · {progress.scope_name} · {month}
          </h1>
          <form class="filters screen-only" method="get" action="/console/targets" id="targets-filters">
            <label>
              {m.scope}
              <select name="scope">
                {choices.province ? (
                  <optgroup label={m.province}>
                    <ScopeOption value={choices.province} selected={scope} />
                  </optgroup>
                ) : null}
                <optgroup label={m.cities}>
                  {choices.cities.map((s) => (
                    <ScopeOption value={s} selected={scope} />
                  ))}
                </optgroup>
                <optgroup label={m.departments}>
                  {choices.departments.map((s) => (
                    <ScopeOption value={s} selected={scope} />
                  ))}
                </optgroup>
                {[choices.province, ...choices.cities, ...choices.departments].some((s) => s?.scope === scope) ? null : (
                  <option value={scope} selected>
                    {progress.scope_name}
                  </option>
                )}
              </select>
            </label>
            <label>
              {m.month}
              <select name="month">
                {months.map((value) => (
                  <option value={value} selected={value === month}>
                    {value}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">{m.show}</button>
            <button type="button" id="targets-print">
              {m.print}
            </button>
          </form>
          <p class="meta" id="targets-meta">
            {m.asOf} {progress.as_of}
          </p>
          <section aria-labelledby="targets-summary-title">
            <h2 id="targets-summary-title">{m.summary}</h2>
            <DataTable
              id="targets-summary"
              scroll
              columns={[
                m.indicator,
                m.actual,
                m.target,
                `${m.gap}（${m.points}）`,
                `${m.mom}（${m.points}）`,
                `${m.yoy}（${m.points}）`,
                m.forecast,
                m.due,
              ]}
              rows={shown}
              row={(p) => (
                <tr data-indicator={p.indicator}>
                  <th scope="row">
                    <a href={`#indicator-${p.indicator}`}>{indicatorName(p.indicator, lang)}</a>
                  </th>
                  <td class="figure" data-cell="actual">
                    {p.latest ? (
                      <a href={itemsHref(p.indicator, progress.scope, p.latest.as_of)}>{formatPercent(p.latest.percent)}</a>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td class="figure" data-cell="target">
                    {p.latest?.target_percent == null ? <span class="hint">{m.noTarget}</span> : formatPercent(p.latest.target_percent)}
                  </td>
                  <td class={['figure', gapClass(p.latest?.gap_points ?? null)].filter(Boolean).join(' ')} data-cell="gap">
                    {formatPoints(p.latest?.gap_points ?? null)}
                  </td>
                  <td class="figure" data-cell="mom">
                    {formatPoints(p.latest?.mom_points ?? null)}
                  </td>
                  <td class="figure" data-cell="yoy">
                    {formatPoints(p.latest?.yoy_points ?? null)}
                  </td>
                  <td data-cell="forecast" data-status={p.forecast.status} data-date={p.forecast.projected_date ?? ''}>
                    {forecastText(p, m)}
                  </td>
                  <td data-cell="due">{p.full_target_deadline ?? '—'}</td>
                </tr>
              )}
            />
            {method ? (
              <p class="hint" id="targets-method">
                {fill(m.method, { n: method.window, from: method.fitted_from ?? '—', to: method.fitted_to ?? '—' })}
              </p>
            ) : null}
            <p class="hint legend">{m.legend}</p>
          </section>
          {charted.map((p) => (
            <IndicatorSection progress={p} scope={progress.scope} lang={lang} m={m} />
          ))}
        </>
      ),
    });
  };
}

function NoMonth(props: { m: Messages }) {
  return (
    <>
      <h1>{props.m.title}</h1>
      <p id="targets-none">{props.m.none}</p>
    </>
  );
}

function ScopeOption(props: { value: { scope: string; name: string }; selected: string }) {
  return (
    <option value={props.value.scope} selected={props.value.scope === props.selected}>
      {props.value.name}
    </option>
  );
}

function IndicatorSection(props: { progress: IndicatorProgress; scope: string; lang: Lang; m: Messages }) {
  const { progress: p, m, lang } = props;
  const name = indicatorName(p.indicator, lang);
  const pace = p.forecast.pace_points_per_month;
  return (
    <section id={`indicator-${p.indicator}`} class="target-indicator" aria-labelledby={`indicator-${p.indicator}-title`}>
      <h2 id={`indicator-${p.indicator}-title`}>{name}</h2>
      <div class="chart target-chart" data-indicator={p.indicator} role="img" aria-label={`${name} ${m.chart}`} />
      <p class="forecast" data-indicator={p.indicator}>
        {m.forecast}：{forecastText(p, m)}
        {p.forecast.status === 'projected' && pace !== null ? ` · ${fill(m.paceText, { pace: pace.toFixed(1) })}` : ''}
      </p>
      <details>
        <summary>{m.months}</summary>
        <DataTable
          id={`months-${p.indicator}`}
          scroll
          columns={[m.month, m.actual, m.target, `${m.gap}（${m.points}）`, `${m.mom}（${m.points}）`, `${m.yoy}（${m.points}）`]}
          rows={[...p.months].reverse()}
          row={(x: ProgressMonth) => (
            <tr data-month={x.month}>
              <th scope="row">{x.month}</th>
              <td class="figure">
                <a href={itemsHref(p.indicator, props.scope, x.as_of)}>{formatPercent(x.percent)}</a>
                <small class="hint">
                  {' '}
                  {x.numerator}/{x.denominator}
                </small>
              </td>
              <td class="figure">{formatPercent(x.target_percent)}</td>
              <td class={['figure', gapClass(x.gap_points)].filter(Boolean).join(' ')}>{formatPoints(x.gap_points)}</td>
              <td class="figure">{formatPoints(x.mom_points)}</td>
              <td class="figure">{formatPoints(x.yoy_points)}</td>
            </tr>
          )}
        />
      </details>
    </section>
  );
}
