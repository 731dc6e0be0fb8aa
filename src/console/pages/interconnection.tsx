import { readInterconnection } from '../../interconnection/service.ts';
import { listRecords } from '../../registry/records/read.ts';
import { interfaceServiceStateLabels } from '../../vocabulary/records.ts';
import { HeaderRow } from '../components/table.tsx';
import { catalogue, valueName } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { listFilterOf, pageScope, ScopeFilters } from '../scope.tsx';

const t = catalogue(
  {
    title: '互联互通',
    from: '起始日期',
    to: '截至日期',
    cumulative: '留空为累计（自首条交换量起）',
    show: '查看',
    connectedUnits: '接入单位',
    services: '接口服务',
    systemsServed: '服务系统',
    volumeTotal: '信息交换量',
    dailyAverage: '日均交换量',
    days: '天',
    period: '统计期',
    trend: '月度趋势',
    list: '接口服务清单',
    code: '编码',
    name: '名称',
    provider: '提供方系统',
    consumers: '消费方系统数',
    state: '状态',
    department: '所属部门',
    more: '共 {total} 项，显示前 {shown} 项',
    none: '范围内尚无接口服务',
    definitions:
      '接口服务：截至日期处于“已发布”、提供方系统属于范围内部门的服务；服务系统：截至日期消费其中至少一项服务的系统；接入单位：拥有这些服务的提供方或消费方系统的部门；信息交换量：统计期内这些服务每日交换量之和；日均交换量：交换量 ÷ 统计期天数。',
  },
  {
    title: 'Interconnection',
    from: 'From',
    to: 'To',
    cumulative: 'empty: cumulative, from the first daily count',
    show: 'Show',
    connectedUnits: 'Connected units',
    services: 'Interface services',
    systemsServed: 'Systems served',
    volumeTotal: 'Exchange volume',
    dailyAverage: 'Daily average',
    days: 'days',
    period: 'Period',
    trend: 'Monthly trend',
    list: 'Interface services',
    code: 'Code',
    name: 'Name',
    provider: 'Provider system',
    consumers: 'Consumer systems',
    state: 'State',
    department: 'Department',
    more: '{total} in all; the first {shown} shown',
    none: 'No interface services in this scope yet',
    definitions:
      'Interface services: published (active) on the last day, provider system in scope; systems served: systems consuming at least one of them that day; connected units: departments owning a provider or consumer system of them; exchange volume: their daily counts summed over the period; daily average: volume ÷ days in the period.',
  },
);

const shownServices = 50;
const number = (n: number) => n.toLocaleString('en-US');

/**
 * 互联互通: the five figures for a scope and a period, their monthly trend (drawn by
 * interconnection.js from the trend API) and the interface services in scope. A department
 * user sees his own department's; the services read through the same functions as the API.
 */
export async function interconnectionPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  const picked = await pageScope(ctx);
  const { scope } = picked;
  const from = c.req.query('from') || undefined;
  const to = c.req.query('to') || undefined;
  const figures = await readInterconnection(db, { scope, from, to }, actor);
  const filter = listFilterOf(scope);
  const services = await listRecords(db, 'interface-services', { limit: shownServices, offset: 0, state: 'active', ...filter }, actor);
  const cards: [string, string, string?][] = [
    [m.connectedUnits, number(figures.connected_units)],
    [m.services, number(figures.services)],
    [m.systemsServed, number(figures.systems_served)],
    [m.volumeTotal, number(figures.volume_total)],
    [m.dailyAverage, number(figures.volume_daily_average), `${figures.days} ${m.days}`],
  ];

  return ctx.render({
    title: m.title,
    active: 'interconnection',
    charts: true,
    scripts: ['interconnection.js'],
    config: { scope: figures.scope, from: figures.from, to: figures.to },
    children: (
      <>
        <h1>{m.title}</h1>
        <ScopeFilters action="/console/interconnection" picked={picked} lang={lang} show={m.show}>
          <label>
            {m.from}
            <input type="date" name="from" value={from ?? ''} title={m.cumulative} />
          </label>
          <label>
            {m.to}
            <input type="date" name="to" value={figures.to} />
          </label>
        </ScopeFilters>
        <p class="hint">
          {m.period}: {figures.from} — {figures.to}
        </p>
        <section class="cards" aria-label={m.title}>
          {cards.map(([label, value, note]) => (
            <article class="card" data-figure={label}>
              <h2>{label}</h2>
              <p class="big">{value}</p>
              {note ? <p class="frac">{note}</p> : null}
            </article>
          ))}
        </section>
        <section>
          <h2>{m.trend}</h2>
          <div id="interconnection-trend" class="chart" role="img" aria-label={m.trend} />
        </section>
        <section>
          <h2>{m.list}</h2>
          {services.items.length === 0 ? (
            <p>{m.none}</p>
          ) : (
            <>
              <table>
                <thead>
                  <HeaderRow columns={[m.code, m.name, m.provider, m.consumers, m.department, m.state]} />
                </thead>
                <tbody>
                  {services.items.map((s) => (
                    <tr>
                      <td>
                        {picked.cities === null ? (
                          <a href={`/console/workspace/interface-services/${encodeURIComponent(s.code)}`}>{s.code}</a>
                        ) : (
                          s.code
                        )}
                      </td>
                      <td>{s.name}</td>
                      <td>{s.provider_system_code}</td>
                      <td>{s.consumer_system_codes.length}</td>
                      <td>{s.department_code}</td>
                      <td>{interfaceServiceStateLabels[s.state]?.[lang] ?? valueName(s.state, lang)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {services.total > services.items.length ? (
                <p class="hint">{m.more.replace('{total}', String(services.total)).replace('{shown}', String(services.items.length))}</p>
              ) : null}
            </>
          )}
        </section>
        <p class="hint">{m.definitions}</p>
      </>
    ),
  });
}
