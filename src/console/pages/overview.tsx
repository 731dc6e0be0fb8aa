import { can } from '../../identity/access.ts';
import { readIndicators } from '../../indicators/service.ts';
import { targetStatus } from '../../leadership/targets.ts';
import { HeaderRow } from '../components/table.tsx';
import { catalogue, formatPercent, indicatorName, type Lang, threeHundred } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { pageScope, ScopeFilters } from '../scope.tsx';

const t = catalogue(
  {
    title: '总览 · 三个100%',
    at: '截至日期',
    show: '查看',
    target: '当前目标',
    gap: '差距',
    behind: '落后',
    ahead: '达标',
    noTarget: '尚无目标',
    next: '下一节点',
    pending: '待认定',
    items: '查看未完成清单',
    trend: '月度趋势',
    coverage: '覆盖与接入',
    indicator: '指标',
    figure: '完成 / 应完成',
    percent: '比率',
    points: '个百分点',
  },
  {
    title: 'Overview · the three 100%',
    at: 'As of',
    show: 'Show',
    target: 'Target now',
    gap: 'Gap',
    behind: 'behind',
    ahead: 'on track',
    noTarget: 'no target yet',
    next: 'Next deadline',
    pending: 'Pending',
    items: 'Items still missing',
    trend: 'Monthly trend',
    coverage: 'Coverage and access',
    indicator: 'Indicator',
    figure: 'Done / required',
    percent: 'Rate',
    points: 'points',
  },
);

const itemsHref = (key: string, scope: string, at: string, missing: boolean) =>
  `/console/items?${new URLSearchParams({ indicator: key, scope, at, ...(missing ? { missing: 'true' } : {}) })}`;

const gapText = (gapPoints: number | null, behind: boolean | null, m: ReturnType<typeof t>) =>
  gapPoints === null ? m.noTarget : `${Math.abs(gapPoints).toFixed(1)} ${m.points} ${behind ? m.behind : m.ahead}`;

/** Red behind, green on track, plain when there is no target to be measured against. */
const gapClass = (target: { gap_points: number | null; behind: boolean | null } | undefined) =>
  target?.gap_points == null ? undefined : target.behind ? 'behind' : 'ahead';

export async function overviewPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  const access = actor.access;
  const picked = await pageScope(ctx);
  const { scope } = picked;
  const at = c.req.query('at') || undefined;
  // The same service functions the API answers with, with the caller's actor: scoping holds.
  const report = await readIndicators(db, { scope, at }, actor, ctx.settings.cache);
  const withTargets = can(access, 'read', 'leadership') && !scope.startsWith('dept:');
  const status = withTargets ? await targetStatus(db, { scope, at: report.at }) : null;
  const three = report.indicators.filter((f) => (threeHundred as readonly string[]).includes(f.key));
  const rest = report.indicators.filter((f) => !(threeHundred as readonly string[]).includes(f.key));

  return ctx.render({
    title: m.title,
    active: 'overview',
    charts: withTargets,
    scripts: withTargets ? ['overview.js'] : [],
    config: { scope: report.scope, at: report.at },
    wall: c.req.query('wall') === '1',
    children: (
      <>
        <h1>
          {m.title} — {report.scope_name}
        </h1>
        <ScopeFilters action="/console/overview" picked={picked} lang={lang} show={m.show}>
          <label>
            {m.at}
            <input type="date" name="at" value={report.at} />
          </label>
        </ScopeFilters>
        <section class="cards" aria-label="三个100%">
          {three.map((f) => {
            const target = status?.indicators.find((s) => s.key === f.key);
            return (
              <article class="card" data-indicator={f.key}>
                <h2>{indicatorName(f.key, lang)}</h2>
                <p class="big">
                  <a href={itemsHref(f.key, report.scope, report.at, false)} class="figure">
                    {formatPercent(f.percent)}
                  </a>
                </p>
                <p class="frac">
                  {f.numerator} / {f.denominator}
                  {f.pending > 0 ? (
                    <span class="pending">
                      {' '}
                      · {m.pending} {f.pending}
                    </span>
                  ) : null}
                </p>
                {withTargets ? (
                  <dl class="target">
                    <dt>{m.target}</dt>
                    <dd>{formatPercent(target?.target_percent)}</dd>
                    <dt>{m.gap}</dt>
                    <dd class={gapClass(target)}>{gapText(target?.gap_points ?? null, target?.behind ?? null, m)}</dd>
                    {target?.next_deadline ? (
                      <>
                        <dt>{m.next}</dt>
                        <dd>
                          {target.next_deadline} → {formatPercent((target.next_target ?? 0) * 100)}
                        </dd>
                      </>
                    ) : null}
                  </dl>
                ) : null}
                {withTargets ? (
                  <div class="spark" data-indicator={f.key} role="img" aria-label={`${m.trend} ${indicatorName(f.key, lang)}`} />
                ) : null}
                <p>
                  <a href={itemsHref(f.key, report.scope, report.at, true)}>{m.items}</a>
                </p>
              </article>
            );
          })}
        </section>
        <FigureTable title={m.coverage} figures={rest} lang={lang} scope={report.scope} at={report.at} m={m} targets={status} />
      </>
    ),
  });
}

function FigureTable(props: {
  title: string;
  figures: { key: string; numerator: number; denominator: number; percent: number | null }[];
  lang: Lang;
  scope: string;
  at: string;
  m: ReturnType<typeof t>;
  /** The targets in force, when the caller may read them: each row then has its target, gap and trend. */
  targets: Awaited<ReturnType<typeof targetStatus>> | null;
}) {
  if (props.figures.length === 0) return null;
  const { m, targets } = props;
  return (
    <section>
      <h2>{props.title}</h2>
      <table>
        <thead>
          <HeaderRow columns={[m.indicator, m.figure, m.percent, ...(targets ? [m.target, m.gap, m.trend] : [])]} />
        </thead>
        <tbody>
          {props.figures.map((f) => {
            const target = targets?.indicators.find((x) => x.key === f.key);
            return (
              <tr>
                <th scope="row">{indicatorName(f.key, props.lang)}</th>
                <td>
                  <a href={itemsHref(f.key, props.scope, props.at, true)}>
                    {f.numerator} / {f.denominator}
                  </a>
                </td>
                <td>{formatPercent(f.percent)}</td>
                {targets ? (
                  <>
                    <td>{formatPercent(target?.target_percent)}</td>
                    <td class={gapClass(target)}>{gapText(target?.gap_points ?? null, target?.behind ?? null, m)}</td>
                    <td>
                      <div
                        class="spark small"
                        data-indicator={f.key}
                        role="img"
                        aria-label={`${m.trend} ${indicatorName(f.key, props.lang)}`}
                      />
                    </td>
                  </>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
