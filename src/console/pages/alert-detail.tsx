import type { AlertDetail, AlertItem } from '../../alerts/schemas.ts';
import { alertRuleKeys, alertSeverities } from '../../db/schema/enums.ts';
import type { SilenceMatchers } from '../../db/schema/index.ts';
import { can } from '../../identity/access.ts';
import { beijingTime, eventNames, ruleNames, severityNames, term } from '../alert-terms.ts';
import { ChoiceField, choicesOf } from '../components/choices.tsx';
import { Fact } from '../components/facts.tsx';
import { NoteForm } from '../components/note-form.tsx';
import { SubmitRow } from '../components/submit.tsx';
import { TimelineTable } from '../components/timeline.tsx';
import { ApiForm } from '../forms.tsx';
import { catalogue } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { alertTerms, SeverityMark, StateCell, SubjectCell } from './alert-row.tsx';

const t = catalogue(
  {
    close: '关闭',
    lastChanged: '最近变化',
    acknowledgedBy: '确认人',
    resolvedAt: '恢复时间',
    timeline: '时间线',
    at: '时间',
    type: '事件',
    actor: '操作人',
    note: '说明',
    acknowledge: '确认告警',
    ackNote: '处置说明（必填）',
    silence: '静默此告警',
    silenceTitle: '静默告警',
    silenceHint: '匹配条件已按此告警填好；留空的条件不作限制。静默期间告警照常记录，但不发送通知。',
    node: '节点编码',
    region: '地区编码',
    agent: '采集代理',
    cloud: '云平台编码',
    anySeverity: '任意级别',
    anyRule: '任意规则',
    endsAt: '结束时间（ISO 8601，含时区）',
    reason: '原因（必填）',
    create: '创建静默',
    cancel: '取消',
  },
  {
    close: 'Close',
    lastChanged: 'Last change',
    acknowledgedBy: 'Acknowledged by',
    resolvedAt: 'Resolved',
    timeline: 'Timeline',
    at: 'At',
    type: 'Event',
    actor: 'By',
    note: 'Note',
    acknowledge: 'Acknowledge',
    ackNote: 'What you are doing about it (required)',
    silence: 'Silence this',
    silenceTitle: 'Silence alerts',
    silenceHint: 'The matchers come from this alert; an empty one matches anything. Silenced alerts are still recorded, not notified.',
    node: 'Node code',
    region: 'Region code',
    agent: 'Agent',
    cloud: 'Cloud code',
    anySeverity: 'Any severity',
    anyRule: 'Any rule',
    endsAt: 'Ends at (ISO 8601 with a time zone)',
    reason: 'Reason (required)',
    create: 'Create the silence',
    cancel: 'Cancel',
  },
);

/** A silence of an alert lasts two hours unless ops say otherwise: long enough for a repair, short enough to be noticed. */
const defaultSilenceMs = 2 * 3600_000;

/** An instant in Beijing time with its offset, as the silence API takes it (and a person can edit it). */
const beijingIso = (at: Date) => `${beijingTime(at.toISOString()).replace(' ', 'T')}+08:00`;

/** One alert: its facts, its timeline, and for ops the acknowledge form and the way to silence it. */
export function AlertDetailPanel(props: { ctx: PageContext; alert: AlertDetail; closeHref: string; here: string; silenceHref: string }) {
  const { ctx, alert } = props;
  const { lang } = ctx;
  const m = t(lang);
  const w = alertTerms(lang);
  const acknowledges = can(ctx.actor.access, 'write', 'alerts') && alert.state === 'firing';
  const silences = can(ctx.actor.access, 'write', 'alerting') && alert.state !== 'resolved';
  return (
    <section class="alert-detail" id="alert-detail" data-alert={String(alert.id)} aria-labelledby="alert-detail-title">
      <h2 id="alert-detail-title">
        #{alert.id} {term(ruleNames, alert.rule, lang)} · {alert.subject.name}{' '}
        <small>
          <a href={props.closeHref}>{m.close}</a>
        </small>
      </h2>
      <dl>
        <Fact term={w.severity}>
          <SeverityMark severity={alert.severity} lang={lang} />
        </Fact>
        <Fact term={w.state} id="alert-state">
          <StateCell alert={alert} lang={lang} />
        </Fact>
        <Fact term={w.rule}>
          {term(ruleNames, alert.rule, lang)} <code>{alert.rule}</code>
        </Fact>
        <Fact term={w.subject}>
          <SubjectCell alert={alert} />
        </Fact>
        <Fact term={w.region}>{alert.region_name ?? alert.region ?? '—'}</Fact>
        <Fact term={w.summary}>{alert.summary}</Fact>
        <Fact term={w.started}>{beijingTime(alert.started_at)}</Fact>
        <Fact term={m.lastChanged}>{beijingTime(alert.last_changed_at)}</Fact>
        <Fact term={w.occurrences}>{alert.occurrences}</Fact>
        {alert.acknowledged_by ? (
          <Fact term={m.acknowledgedBy}>
            {alert.acknowledged_by} · {beijingTime(alert.acknowledged_at)}
          </Fact>
        ) : null}
        {alert.resolved_at ? <Fact term={m.resolvedAt}>{beijingTime(alert.resolved_at)}</Fact> : null}
      </dl>
      {acknowledges ? (
        <NoteForm
          id="ack-form"
          api={`/api/v1/alerts/${alert.id}/acknowledge`}
          next={props.here}
          csrf={ctx.viewer.csrfToken}
          label={m.ackNote}
          submit={m.acknowledge}
        />
      ) : null}
      {silences ? (
        <p>
          <a href={props.silenceHref} id="silence-link">
            {m.silence}
          </a>
        </p>
      ) : null}
      <AlertWorkOrder ctx={ctx} alert={alert} here={props.here} />
      <h3>{m.timeline}</h3>
      <TimelineTable
        id="timeline"
        columns={[m.at, m.type, m.actor, m.note]}
        entries={alert.events}
        event={(e) => term(eventNames, e.type, lang)}
      />
    </section>
  );
}

/**
 * The alert's work order: a link to it, or (for who may write orders) a one-step
 * "create work order" form posting to POST /api/v1/alerts/{id}/work-order.
 */
function AlertWorkOrder(props: { ctx: PageContext; alert: AlertDetail; here: string }) {
  const { ctx, alert } = props;
  if (alert.work_order) {
    return (
      <p id="alert-work-order">
        {ctx.lang === 'en' ? 'Work order: ' : '工单：'}
        <a href={`/console/work-orders/${alert.work_order}`}>{alert.work_order}</a>
      </p>
    );
  }
  if (!can(ctx.actor.access, 'write', 'work-orders')) return null;
  return (
    <ApiForm id="alert-work-order-form" api={`/api/v1/alerts/${alert.id}/work-order`} next={props.here} csrf={ctx.viewer.csrfToken}>
      <SubmitRow label="创建工单 Create work order" />
    </ApiForm>
  );
}

/** "Silence this": a silence form with the alert's matchers filled in, ending in two hours. */
export function SilenceForm(props: { ctx: PageContext; alert: AlertItem; matchers: SilenceMatchers; back: string }) {
  const { ctx, matchers } = props;
  const { lang } = ctx;
  const m = t(lang);
  const w = alertTerms(lang);
  const endsAt = beijingIso(new Date(Date.now() + defaultSilenceMs));
  return (
    <section class="alert-detail" aria-labelledby="silence-title">
      <h2 id="silence-title">
        {m.silenceTitle} <small>#{props.alert.id}</small>
      </h2>
      <p class="hint">{m.silenceHint}</p>
      <ApiForm id="silence-form" class="stack" api="/api/v1/silences" next={props.back} csrf={ctx.viewer.csrfToken}>
        <ChoiceField
          label={w.rule}
          name="matchers.rule"
          blank={m.anyRule}
          choices={choicesOf(alertRuleKeys, (r) => `${term(ruleNames, r, lang)} (${r})`)}
          selected={matchers.rule}
        />
        <ChoiceField
          label={w.severity}
          name="matchers.severity"
          blank={m.anySeverity}
          choices={choicesOf(alertSeverities, (s) => term(severityNames, s, lang))}
          selected={matchers.severity}
        />
        <label>
          {m.node}
          <input name="matchers.node" value={matchers.node ?? ''} maxlength={100} />
        </label>
        <label>
          {m.region}
          <input name="matchers.region" value={matchers.region ?? ''} maxlength={12} inputmode="numeric" />
        </label>
        <label>
          {m.agent}
          <input name="matchers.agent" value={matchers.agent ?? ''} maxlength={100} />
        </label>
        <label>
          {m.cloud}
          <input name="matchers.cloud" value={matchers.cloud ?? ''} maxlength={100} />
        </label>
        <label>
          {m.endsAt}
          <input name="ends_at" value={endsAt} required maxlength={40} />
        </label>
        <label>
          {m.reason}
          <textarea name="reason" required maxlength={2000} rows={2} />
        </label>
        <SubmitRow label={m.create}>
          <a href={props.back}>{m.cancel}</a>
        </SubmitRow>
      </ApiForm>
    </section>
  );
}
