import { silenceDraft } from '../../alerts/nodes.ts';
import { type AlertQuery, getAlert, listAlerts } from '../../alerts/service.ts';
import { listSilences } from '../../alerts/silences.ts';
import { alertRuleKeys, alertSeverities, alertStates } from '../../db/schema/enums.ts';
import { can } from '../../identity/access.ts';
import { listRegions } from '../../regions/service.ts';
import { ruleNames, severityNames, stateNames, term } from '../alert-terms.ts';
import { ChoiceField, choicesOf } from '../components/choices.tsx';
import { ListHeading } from '../components/heading.tsx';
import { Pager } from '../components/pager.tsx';
import { catalogue } from '../i18n.ts';
import { hrefWith, type PageContext } from '../page.tsx';
import { AlertDetailPanel, SilenceForm } from './alert-detail.tsx';
import { AlertTable } from './alert-row.tsx';
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
  const href = (changes: Record<string, string | null>) => hrefWith(c, changes);
  const filters = [
    { label: m.state, name: 'state', choices: choicesOf(alertStates, (s) => term(stateNames, s, lang)), selected: query.state },
    {
      label: m.severity,
      name: 'severity',
      choices: choicesOf(alertSeverities, (s) => term(severityNames, s, lang)),
      selected: query.severity,
    },
    { label: m.rule, name: 'rule', choices: choicesOf(alertRuleKeys, (r) => term(ruleNames, r, lang)), selected: query.rule },
    { label: m.region, name: 'scope', choices: cities.map((city) => ({ value: city.code, label: city.name })), selected: query.scope },
  ];
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
        <ListHeading title={m.title} shown={page.items.length} total={page.total} words={m} />
        {can(actor.access, 'write', 'alerts') ? null : <p class="hint">{m.readOnly}</p>}
        <form class="filters" method="get" action="/console/alerts" id="alert-filters">
          {filters.map((filter) => (
            <ChoiceField {...filter} blank={m.all} />
          ))}
          <button type="submit">{m.filter}</button>
        </form>
        <div class={detail ? 'alerts-layout' : 'alerts-layout single'}>
          <section aria-label={m.title}>
            <AlertTable
              id="alerts"
              alerts={page.items}
              lang={lang}
              href={(alert) => href({ id: String(alert.id), silence: null })}
              selected={selected}
              empty={m.none}
              emptyId="alerts-none"
            />
            <Pager
              label={m.pages}
              current={current}
              last={last}
              href={(n) => href({ page: String(n), id: null })}
              previous={m.previous}
              next={m.next}
            />
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
