import { silenceDraft } from '../../alerts/nodes.ts';
import { type AlertQuery, getAlert, listAlerts } from '../../alerts/service.ts';
import { listSilences } from '../../alerts/silences.ts';
import { alertRuleKeys, alertSeverities, alertStates } from '../../db/schema/enums.ts';
import { can } from '../../identity/access.ts';
import { listRegions } from '../../regions/service.ts';
import { ruleNames, severityNames, stateNames, term } from '../alert-terms.ts';
import { catalogue } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { AlertDetailPanel, SilenceForm } from './alert-detail.tsx';
import { AlertRow, alertTerms } from './alert-row.tsx';
import { SilenceTable } from './silences.tsx';

const t = catalogue(
  {
    title: '告警',
    severity: '级别',
    rule: '规则',
    region: '地区',
    state: '状态',
    all: '全部',
    open: '未恢复（告警中与已确认）',
    filter: '筛选',
    shown: '显示',
    of: '共',
    none: '没有符合条件的告警。',
    previous: '上一页',
    next: '下一页',
    pages: '告警分页',
    readOnly: '只读：仅运维人员可以确认和静默告警。',
    times: '时间均为北京时间。',
  },
  {
    title: 'Alerts',
    severity: 'Severity',
    rule: 'Rule',
    region: 'Region',
    state: 'State',
    all: 'All',
    open: 'Open (firing and acknowledged)',
    filter: 'Filter',
    shown: 'Showing',
    of: 'of',
    none: 'No alert matches.',
    previous: 'Previous',
    next: 'Next',
    pages: 'Alert pages',
    readOnly: 'Read-only: only ops acknowledge and silence alerts.',
    times: 'Times are Beijing time.',
  },
);

const pageSize = 50;
const oneOf = <T extends string>(values: readonly T[], value: string | undefined): T | undefined => values.find((v) => v === value);

/**
 * GET /console/alerts: the alert list (firing first, as the service orders it) with GET filters
 * that work without scripts; `?id=` opens one alert's detail beside it, `&silence=1` its
 * silence form; ops and sysadmins see the live silences below.
 */
export async function alertsPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  const q = (name: string) => c.req.query(name)?.trim() || undefined;
  const query: AlertQuery = {
    state: oneOf(alertStates, q('state')),
    severity: oneOf(alertSeverities, q('severity')),
    rule: oneOf(alertRuleKeys, q('rule')),
    scope: q('scope') && /^\d{6,12}$/.test(q('scope') as string) ? q('scope') : undefined,
    limit: pageSize,
    offset: (Math.max(1, Math.floor(Number(q('page'))) || 1) - 1) * pageSize,
  };
  const selected = Number(q('id')) > 0 ? Math.floor(Number(q('id'))) : null;
  const readsSilences = can(actor.access, 'read', 'alerting');
  const silencing = selected !== null && q('silence') === '1' && can(actor.access, 'write', 'alerting');
  const [page, cities, silences, shown, draft] = await Promise.all([
    listAlerts(db, actor.access, query),
    listRegions(db, { level: 'city' }),
    readsSilences ? listSilences(db, { state: 'live' }) : Promise.resolve(null),
    // An alert the caller may not see is a 404 page, as in the API.
    selected === null ? Promise.resolve(null) : getAlert(db, actor.access, selected),
    silencing && selected !== null ? silenceDraft(db, actor.access, selected) : Promise.resolve(null),
  ]);
  const words = alertTerms(lang);
  const href = (changes: Record<string, string | null>) => {
    const url = new URL(c.req.url);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) url.searchParams.delete(key);
      else url.searchParams.set(key, value);
    }
    url.searchParams.delete('lang');
    return `${url.pathname}${url.search}`;
  };
  const current = query.offset / pageSize + 1;
  const last = Math.max(1, Math.ceil(page.total / pageSize));
  const detail = shown ? (
    <AlertDetailPanel
      ctx={ctx}
      alert={shown}
      closeHref={href({ id: null, silence: null })}
      here={href({ silence: null })}
      silenceHref={`${href({ silence: '1' })}#silence-form`}
    />
  ) : null;
  const silenceForm = draft ? <SilenceForm ctx={ctx} alert={draft.alert} matchers={draft.matchers} back={href({ silence: null })} /> : null;

  return ctx.render({
    title: m.title,
    active: 'alerts',
    children: (
      <>
        <h1>
          {m.title}{' '}
          <small>
            {m.shown} {page.items.length} {m.of} {page.total} · {m.times}
          </small>
        </h1>
        {can(actor.access, 'write', 'alerts') ? null : <p class="hint">{m.readOnly}</p>}
        <form class="filters" method="get" action="/console/alerts" id="alert-filters">
          <label>
            {m.state}
            <select name="state">
              <option value="">{m.all}</option>
              {alertStates.map((s) => (
                <option value={s} selected={query.state === s}>
                  {term(stateNames, s, lang)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {m.severity}
            <select name="severity">
              <option value="">{m.all}</option>
              {alertSeverities.map((s) => (
                <option value={s} selected={query.severity === s}>
                  {term(severityNames, s, lang)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {m.rule}
            <select name="rule">
              <option value="">{m.all}</option>
              {alertRuleKeys.map((r) => (
                <option value={r} selected={query.rule === r}>
                  {term(ruleNames, r, lang)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {m.region}
            <select name="scope">
              <option value="">{m.all}</option>
              {cities.map((city) => (
                <option value={city.code} selected={query.scope === city.code}>
                  {city.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{m.filter}</button>
        </form>
        <div class={detail ? 'alerts-layout' : 'alerts-layout single'}>
          <section aria-label={m.title}>
            {page.items.length === 0 ? (
              <p id="alerts-none">{m.none}</p>
            ) : (
              <table id="alerts">
                <thead>
                  <tr>
                    <th scope="col">{words.severity}</th>
                    <th scope="col">{words.rule}</th>
                    <th scope="col">{words.subject}</th>
                    <th scope="col">{words.region}</th>
                    <th scope="col">{words.summary}</th>
                    <th scope="col">{words.started}</th>
                    <th scope="col">{words.occurrences}</th>
                    <th scope="col">{words.state}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((alert) => (
                    <AlertRow
                      alert={alert}
                      lang={lang}
                      href={href({ id: String(alert.id), silence: null })}
                      selected={alert.id === selected}
                    />
                  ))}
                </tbody>
              </table>
            )}
            {last > 1 ? (
              <nav class="pager" aria-label={m.pages}>
                {current > 1 ? <a href={href({ page: String(current - 1), id: null })}>← {m.previous}</a> : null}
                <span>
                  {current} / {last}
                </span>
                {current < last ? <a href={href({ page: String(current + 1), id: null })}>{m.next} →</a> : null}
              </nav>
            ) : null}
          </section>
          {detail ? (
            <div>
              {detail}
              {silenceForm}
            </div>
          ) : null}
        </div>
        {silences ? <SilenceTable ctx={ctx} silences={silences} back={href({})} /> : null}
      </>
    ),
  });
}
