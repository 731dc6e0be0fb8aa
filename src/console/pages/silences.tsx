import type { SilenceView } from '../../alerts/silences.ts';
import { can } from '../../identity/access.ts';
import { beijingTime } from '../alert-terms.ts';
import { Panel } from '../components/panel.tsx';
import { InlineForm } from '../components/submit.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue } from '../i18n.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    title: '生效与待生效的静默',
    none: '没有静默。',
    matchers: '匹配条件',
    window: '时段',
    until: '至',
    weekly: '每周',
    reason: '原因',
    by: '创建人',
    active: '状态',
    now: '生效中',
    waiting: '未到时段',
    expire: '立即失效',
    days: '日一二三四五六',
  },
  {
    title: 'Live silences',
    none: 'No silence.',
    matchers: 'Matchers',
    window: 'When',
    until: 'until',
    weekly: 'weekly',
    reason: 'Reason',
    by: 'By',
    active: 'State',
    now: 'in force',
    waiting: 'not now',
    expire: 'Expire now',
    days: 'SMTWTFS',
  },
);

/** The live silences (and weekly windows); ops may end one now, which keeps it on record. */
export function SilenceTable(props: { ctx: PageContext; silences: SilenceView[]; back: string }) {
  const { ctx, silences } = props;
  const m = t(ctx.lang);
  const expires = can(ctx.actor.access, 'write', 'alerting');
  return (
    <Panel id="silences" title={m.title} count={silences.length}>
      <DataTable
        id="silences"
        columns={['#', m.matchers, m.window, m.reason, m.by, m.active, expires ? m.expire : null]}
        rows={silences}
        empty={m.none}
        row={(s) => (
          <tr data-silence={String(s.id)}>
            <td>{s.id}</td>
            <td>
              {Object.entries(s.matchers).map(([key, value]) => (
                <span class="mark">
                  {key}={String(value)}
                </span>
              ))}
            </td>
            <td>
              {beijingTime(s.starts_at)} {m.until} {beijingTime(s.ends_at)}
              {s.recurrence ? (
                <>
                  <br />
                  {m.weekly} {s.recurrence.weekdays.map((d) => m.days.charAt(d)).join('')} {s.recurrence.start}–{s.recurrence.end} (
                  {s.recurrence.timezone})
                </>
              ) : null}
            </td>
            <td>{s.reason}</td>
            <td>{s.created_by}</td>
            <td>{s.active ? m.now : m.waiting}</td>
            {expires ? (
              <td>
                <InlineForm
                  method="DELETE"
                  api={`/api/v1/silences/${s.id}`}
                  next={props.back}
                  csrf={ctx.viewer.csrfToken}
                  submit={m.expire}
                />
              </td>
            ) : null}
          </tr>
        )}
      />
    </Panel>
  );
}
