import type { AlertItem } from '../../alerts/schemas.ts';
import { beijingTime, ruleNames, severityNames, stateNames, term } from '../alert-terms.ts';
import { DataTable } from '../components/table.tsx';
import { catalogue, type Lang } from '../i18n.ts';

/** Column words and marks shared by the alert list and a node's alert history. */
export const alertTerms = catalogue(
  {
    severity: '级别',
    rule: '规则',
    subject: '对象',
    region: '地区',
    summary: '摘要',
    started: '开始时间',
    occurrences: '次数',
    state: '状态',
    silenced: '已静默',
    inhibited: '已抑制',
    silencedBy: '被静默 #{id} 屏蔽，不发通知',
    inhibitedBy: '被告警 #{id}（采集代理失联）抑制',
  },
  {
    severity: 'Severity',
    rule: 'Rule',
    subject: 'Subject',
    region: 'Region',
    summary: 'Summary',
    started: 'Started',
    occurrences: 'Times',
    state: 'State',
    silenced: 'silenced',
    inhibited: 'inhibited',
    silencedBy: 'muted by silence #{id}: not notified',
    inhibitedBy: 'inhibited by alert #{id} (a silent agent)',
  },
);

export function SeverityMark(props: { severity: AlertItem['severity']; lang: Lang }) {
  return <span class={`sev sev-${props.severity}`}>{term(severityNames, props.severity, props.lang)}</span>;
}

/** A node subject links to its page; other subjects are named. */
export function SubjectCell(props: { alert: AlertItem }) {
  const { subject } = props.alert;
  if (subject.kind === 'node')
    return (
      <a href={`/console/nodes/${encodeURIComponent(subject.code)}`} class="subject-node">
        {subject.name} <small>{subject.code}</small>
      </a>
    );
  return (
    <>
      {subject.name} <small>{subject.code}</small>
    </>
  );
}

/** The state and the silenced/inhibited marks, as words (not only colour). */
export function StateCell(props: { alert: AlertItem; lang: Lang }) {
  const w = alertTerms(props.lang);
  const { alert } = props;
  return (
    <>
      <span class="state">{term(stateNames, alert.state, props.lang)}</span>
      {alert.silenced_by !== null ? (
        <span class="mark mark-silenced" title={w.silencedBy.replace('{id}', String(alert.silenced_by))}>
          {w.silenced}
        </span>
      ) : null}
      {alert.inhibited_by !== null ? (
        <span class="mark mark-inhibited" title={w.inhibitedBy.replace('{id}', String(alert.inhibited_by))}>
          {w.inhibited}
        </span>
      ) : null}
    </>
  );
}

export function AlertRow(props: { alert: AlertItem; lang: Lang; href: string; selected?: boolean }) {
  const { alert, lang } = props;
  const classes = [`state-${alert.state}`, props.selected ? 'selected' : ''].filter(Boolean).join(' ');
  return (
    <tr data-alert={String(alert.id)} data-state={alert.state} class={classes} aria-current={props.selected ? 'true' : undefined}>
      <td>
        <SeverityMark severity={alert.severity} lang={lang} />
      </td>
      <td>
        <a href={props.href} class="open-alert">
          {term(ruleNames, alert.rule, lang)}
        </a>{' '}
        <code>{alert.rule}</code>
      </td>
      <td>
        <SubjectCell alert={alert} />
      </td>
      <td>{alert.region_name ?? alert.region ?? '—'}</td>
      <td>{alert.summary}</td>
      <td>{beijingTime(alert.started_at)}</td>
      <td>{alert.occurrences}</td>
      <td>
        <StateCell alert={alert} lang={lang} />
      </td>
    </tr>
  );
}

/** Alerts as a table, one AlertRow each, or `empty` when there is none. */
export function AlertTable(props: {
  id: string;
  alerts: AlertItem[];
  lang: Lang;
  href: (alert: AlertItem) => string;
  selected?: number | null;
  empty: string;
  emptyId?: string;
}) {
  const { lang } = props;
  const w = alertTerms(lang);
  return (
    <DataTable
      id={props.id}
      columns={[w.severity, w.rule, w.subject, w.region, w.summary, w.started, w.occurrences, w.state]}
      rows={props.alerts}
      row={(alert) => <AlertRow alert={alert} lang={lang} href={props.href(alert)} selected={alert.id === props.selected} />}
      empty={props.empty}
      emptyId={props.emptyId}
    />
  );
}
