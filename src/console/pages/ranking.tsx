import type { LeadershipSettings } from '../../config.ts';
import { assertCan } from '../../identity/access.ts';
import { businessDate } from '../../kernel/dates.ts';
import { AppError } from '../../kernel/errors.ts';
import {
  frozenProvinceName,
  type MovedEntry,
  type MovedList,
  movementMark,
  rankingWithMovement,
} from '../../leadership/ranking-movement.ts';
import { rankedIndicators, rankingXlsx } from '../../leadership/ranking-xlsx.ts';
import { listSnapshots } from '../../leadership/snapshots.ts';
import { rankingGroupLabels, rankingListLabels } from '../../vocabulary/index.ts';
import { Panel } from '../components/panel.tsx';
import { PrintHead } from '../components/print-head.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, formatPercent, indicatorName, type Lang } from '../i18n.ts';
import type { PageContext, PageHandler } from '../page.tsx';

const t = catalogue(
  {
    title: '红黑榜',
    month: '月份',
    show: '查看',
    download: '下载 XLSX',
    print: '打印',
    none: '尚无已冻结的月份。审核人员冻结月度快照后（yunwang snapshot --month YYYY-MM），这里即可查看红黑榜。',
    asOf: '数据截至',
    compared: '对比',
    noPrevious: '上月未冻结，名次变化无从比较',
    weights: '权重',
    comma: '、',
    progressWeight: '进步权重',
    rank: '名次',
    movement: '变化',
    name: '名称',
    score: '得分',
    level: '水平',
    progress: '进步',
    list: '榜单',
    reasons: '理由',
    target: '目标',
    gap: '差距',
    behind: '落后',
    ahead: '超出',
    noTarget: '无目标',
    emptyList: '无',
    unranked: '未排名（无可计量的指标）',
    full: '完整排名',
    issuer: '大数据发展局',
    network: '电子政务外网',
    printed: '打印日期',
    legend: '得分 = 水平 + 进步权重 × 进步；水平为各指标完成率的加权平均，进步为较上月变化（百分点）的加权平均。差距 = 目标 − 实际。',
  },
  {
    title: 'Red/black list',
    month: 'Month',
    show: 'Show',
    download: 'Download XLSX',
    print: 'Print',
    none: 'No month is frozen yet. Once a reviewer freezes a monthly snapshot (yunwang snapshot --month YYYY-MM), its ranking shows here.',
    asOf: 'Figures as of',
    compared: 'compared with',
    noPrevious: 'the previous month is not frozen: no movement to show',
    weights: 'Weights',
    comma: ', ',
    progressWeight: 'progress weight',
    rank: 'Rank',
    movement: 'Move',
    name: 'Name',
    score: 'Score',
    level: 'Level',
    progress: 'Progress',
    list: 'List',
    reasons: 'Reasons',
    target: 'target',
    gap: 'gap',
    behind: 'behind',
    ahead: 'ahead',
    noTarget: 'no target',
    emptyList: 'None',
    unranked: 'Not ranked (nothing to measure)',
    full: 'Full ranking',
    issuer: 'Big Data Development Bureau',
    network: 'e-government extranet',
    printed: 'Printed',
    legend:
      'Score = level + progress weight × progress; level is the weighted mean of the indicators’ rates, progress the weighted mean of their change since last month (points). Gap = target − actual.',
  },
);

type Messages = ReturnType<typeof t>;

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const groupLabel = (group: 'cities' | 'departments', lang: Lang) =>
  lang === 'en' ? capital(rankingGroupLabels[group].en) : rankingGroupLabels[group].zh;
const listLabel = (color: 'red' | 'black', lang: Lang) =>
  lang === 'en' ? capital(rankingListLabels[color].en) : rankingListLabels[color].zh;

/** The items behind one entry's figure: the figure's drill-down as of the month's last day. */
const itemsHref = (indicator: string, scope: string, at: string, missing: boolean) =>
  `/console/items?${new URLSearchParams({ indicator, scope, at, ...(missing ? { missing: 'true' } : {}) })}`;

const moveClass = (e: MovedEntry) => (e.movement === null ? 'move' : e.movement > 0 ? 'move up' : e.movement < 0 ? 'move down' : 'move');

/** The frozen months, newest first, and the one asked for (default: the newest). */
async function pickMonth(ctx: PageContext): Promise<{ months: string[]; month: string | null }> {
  const months = (await listSnapshots(ctx.db))
    .filter((s) => s.status === 'frozen')
    .map((s) => s.month)
    .reverse();
  const asked = ctx.c.req.query('month');
  if (asked) {
    if (!months.includes(asked)) {
      throw new AppError('not_found', `${asked} is not a frozen month`, [
        { field: 'month', message: `one of ${months.slice(0, 6).join(', ')}…` },
      ]);
    }
    return { months, month: asked };
  }
  return { months, month: months[0] ?? null };
}

/**
 * 红黑榜: a frozen month's ranking of the cities and the province-level departments, each with
 * its red and black lists and the full table — rank, movement since last month, score, and each
 * indicator's figure and gap to target linking to the items behind it. Read through
 * `rankingWithMovement`, the API's own function, so the page and GET /api/v1/ranking agree.
 */
export function rankingPage(settings: LeadershipSettings): PageHandler {
  return async (ctx) => {
    const { db, lang } = ctx;
    const m = t(lang);
    assertCan(ctx.actor.access, 'read', 'leadership');
    const { months, month } = await pickMonth(ctx);
    if (month === null) {
      return ctx.render({
        title: m.title,
        active: 'ranking',
        children: (
          <>
            <h1>{m.title}</h1>
            <p id="ranking-none">{m.none}</p>
          </>
        ),
      });
    }
    const ranking = await rankingWithMovement(db, month, settings);
    const province = (await frozenProvinceName(db, month)) ?? '';
    const indicators = rankedIndicators(ranking);
    const docTitle = `${province}${m.network} · ${m.title} ${month}`;
    return ctx.render({
      title: `${m.title} ${month}`,
      active: 'ranking',
      scripts: ['ranking.js'],
      children: (
        <>
          <PrintHead
            issuer={`${province}${m.issuer}`}
            title={docTitle}
            date={`${m.asOf} ${ranking.as_of} · ${m.printed} ${businessDate()}`}
          />
          <h1 class="screen-only">
            {m.title} · {month}
          </h1>
          <form class="filters screen-only" method="get" action="/console/ranking" id="ranking-filters">
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
            <a class="button" id="ranking-xlsx" href={`/console/ranking.xlsx?${new URLSearchParams({ month })}`}>
              {m.download}
            </a>
            <button type="button" id="ranking-print">
              {m.print}
            </button>
          </form>
          <p class="meta" id="ranking-meta">
            {m.asOf} {ranking.as_of} · {ranking.previous_month ? `${m.compared} ${ranking.previous_month}` : m.noPrevious} · {m.weights}{' '}
            {indicators.map((k) => `${indicatorName(k, lang)} ${ranking.weights[k]}`).join(m.comma)} · {m.progressWeight}{' '}
            {ranking.progress_weight}
          </p>
          {(['cities', 'departments'] as const).map((group) => (
            <Group
              group={group}
              list={ranking[group]}
              indicators={indicators}
              asOf={ranking.as_of}
              previousMonth={ranking.previous_month}
              lang={lang}
              m={m}
            />
          ))}
          <p class="hint legend">{m.legend}</p>
        </>
      ),
    });
  };
}

interface GroupProps {
  group: 'cities' | 'departments';
  list: MovedList;
  indicators: string[];
  asOf: string;
  previousMonth: string | null;
  lang: Lang;
  m: Messages;
}

function Group(props: GroupProps) {
  const { group, list, lang, m } = props;
  return (
    <Panel
      id={`ranking-${group}`}
      sectionId={`group-${group}`}
      class="ranking-group"
      title={groupLabel(group, lang)}
      count={list.ranked.length}
    >
      <div class="two lists">
        {(['red', 'black'] as const).map((color) => (
          <section class={`ranking-list ${color}`} aria-label={`${groupLabel(group, lang)} ${listLabel(color, lang)}`}>
            <h3 class="list-title">{listLabel(color, lang)}</h3>
            <DataTable
              id={`${color}-${group}`}
              columns={[m.rank, m.movement, m.name, m.score, m.reasons]}
              rows={list[color]}
              empty={m.emptyList}
              row={(e) => (
                <tr data-scope={e.scope}>
                  <td>{e.rank}</td>
                  <td class={moveClass(e)}>{movementMark(e, props.previousMonth)}</td>
                  <th scope="row">{e.name}</th>
                  <td>{e.score.toFixed(2)}</td>
                  <td class="reasons">{e.summary}</td>
                </tr>
              )}
            />
          </section>
        ))}
      </div>
      <h3>{m.full}</h3>
      <DataTable
        id={`ranking-table-${group}`}
        columns={[m.rank, m.movement, m.name, m.score, m.level, m.progress, m.list, ...props.indicators.map((k) => indicatorName(k, lang))]}
        rows={list.ranked}
        row={(e) => <RankedRow entry={e} {...props} />}
      />
      {list.unranked.length > 0 ? (
        <p class="hint" id={`unranked-${group}`}>
          {m.unranked}：{list.unranked.map((u) => u.name).join('、')}
        </p>
      ) : null}
    </Panel>
  );
}

function RankedRow(props: GroupProps & { entry: MovedEntry }) {
  const { entry: e, list, m } = props;
  const color = list.red.some((x) => x.scope === e.scope) ? 'red' : list.black.some((x) => x.scope === e.scope) ? 'black' : null;
  return (
    <tr data-scope={e.scope} data-rank={String(e.rank)} data-movement={e.movement === null ? '' : String(e.movement)}>
      <td>{e.rank}</td>
      <td class={moveClass(e)}>{movementMark(e, props.previousMonth)}</td>
      <th scope="row">
        <a href={`/console/targets?${new URLSearchParams({ scope: e.scope, month: props.asOf.slice(0, 7) })}`}>{e.name}</a>{' '}
        <small class="hint">{e.scope}</small>
      </th>
      <td>{e.score.toFixed(2)}</td>
      <td>{e.level.toFixed(2)}</td>
      <td>{`${e.progress > 0 ? '+' : ''}${e.progress.toFixed(2)}`}</td>
      <td>{color ? <span class={`tag ${color}`}>{listLabel(color, props.lang)}</span> : null}</td>
      {props.indicators.map((k) => {
        const r = e.reasons.find((x) => x.indicator === k);
        if (!r) return <td class="hint">—</td>;
        return (
          <td data-indicator={k}>
            <a href={itemsHref(k, e.scope, props.asOf, false)}>{formatPercent(r.percent)}</a>
            <br />
            <small>
              {r.gap_points === null ? (
                <span class="hint">{m.noTarget}</span>
              ) : (
                <>
                  {m.target} {formatPercent(r.target_percent)} ·{' '}
                  {r.gap_points > 0 ? (
                    <a class="behind" href={itemsHref(k, e.scope, props.asOf, true)}>
                      {m.behind} {r.gap_points.toFixed(1)}
                    </a>
                  ) : (
                    <span class="ahead">
                      {m.ahead} {(-r.gap_points).toFixed(1)}
                    </span>
                  )}
                </>
              )}
            </small>
          </td>
        );
      })}
    </tr>
  );
}

/** GET /console/ranking.xlsx?month=: the same ranking as a workbook, a sheet per category. */
export function rankingXlsxDownload(settings: LeadershipSettings): PageHandler {
  return async (ctx) => {
    assertCan(ctx.actor.access, 'read', 'leadership');
    const month = ctx.c.req.query('month') ?? '';
    const ranking = await rankingWithMovement(ctx.db, month, settings);
    const body = await rankingXlsx(ranking);
    return ctx.c.body(body.slice().buffer, 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="ranking-${ranking.month}.xlsx"`,
    });
  };
}
