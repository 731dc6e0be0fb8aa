import { can } from '../../identity/access.ts';
import { defaultIdleDays } from '../../registry/idle.ts';
import { listRecords } from '../../registry/service.ts';
import { listDecommissionRequests, readIdleCounts } from '../../review/decommission.ts';
import { decommissionStatusLabels } from '../../vocabulary/records.ts';
import { beijingTime } from '../alert-terms.ts';
import { ChoiceField, choicesOf } from '../components/choices.tsx';
import { Panel } from '../components/panel.tsx';
import { InlineForm } from '../components/submit.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, valueName } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { listFilterOf, pageScope, ScopeFilters } from '../scope.tsx';

const t = catalogue(
  {
    title: '僵尸系统',
    intro: '在用、却连续 {days} 天没有云上负载、也没有交换流量的信息系统，是僵尸系统候选；由所属部门申请下线，审核人员确认后转为已下线。',
    byDepartment: '各部门候选数',
    candidates: '候选系统',
    requests: '下线申请',
    department: '部门',
    region: '行政区划',
    count: '候选数',
    code: '编码',
    name: '名称',
    state: '状态',
    lastSeen: '最近一次云上负载',
    never: '从未',
    ask: '申请下线',
    reason: '原因',
    status: '申请状态',
    requestedBy: '申请人',
    evidence: '申请时的依据',
    exchange: '最近交换',
    decide: '审核',
    result: '结果',
    note: '意见',
    none: '没有候选。',
    show: '查看',
    noRequests: '没有申请。',
  },
  {
    title: 'Idle systems',
    intro:
      'Systems in use with no workload seen on a cloud and no exchange traffic for {days} days are idle candidates; their department asks to decommission them and a reviewer confirms.',
    byDepartment: 'Candidates by department',
    candidates: 'Candidates',
    requests: 'Decommission requests',
    department: 'Department',
    region: 'Division',
    count: 'Candidates',
    code: 'Code',
    name: 'Name',
    state: 'State',
    lastSeen: 'Last workload seen',
    never: 'never',
    ask: 'Ask to decommission',
    reason: 'Reason',
    status: 'Status',
    requestedBy: 'Asked by',
    evidence: 'Evidence when asked',
    exchange: 'last exchange',
    decide: 'Decide',
    result: 'Result',
    note: 'Note',
    none: 'No candidate.',
    show: 'Show',
    noRequests: 'No request.',
  },
);

/**
 * 僵尸系统: the candidates counted by department and listed, the department's request form on
 * each of its own, and the requests with the reviewer's decision form on the open ones.
 */
export async function idlePage(ctx: PageContext): Promise<Response> {
  const { db, actor, lang } = ctx;
  const m = t(lang);
  const access = actor.access;
  const picked = await pageScope(ctx);
  const inScope = listFilterOf(picked.scope);
  const [idle, candidates, requests] = await Promise.all([
    readIdleCounts(db, picked.scope, defaultIdleDays, actor),
    listRecords(db, 'systems', { limit: 200, offset: 0, idle: true, ...inScope }, actor),
    listDecommissionRequests(db, { limit: 100, offset: 0 }, actor),
  ]);
  const asks = can(access, 'write', 'systems');
  const decides = can(access, 'write', 'certifications');
  const csrf = ctx.viewer.csrfToken;
  const open = new Set(requests.items.filter((r) => r.status === 'open').map((r) => r.system_code));

  return ctx.render({
    title: m.title,
    active: 'idle',
    children: (
      <>
        <h1>
          {m.title} — {idle.scope_name}
        </h1>
        <p class="hint">{m.intro.replace('{days}', String(defaultIdleDays))}</p>
        {picked.cities ? <ScopeFilters action="/console/idle" picked={picked} lang={lang} show={m.show} /> : null}
        <Panel id="idle-by-department" title={m.byDepartment} count={idle.total}>
          <DataTable
            id="idle-counts"
            columns={[m.department, m.region, m.count]}
            rows={idle.departments}
            empty={m.none}
            row={(d) => (
              <tr data-department={d.department_code}>
                <td>{d.department_name}</td>
                <td>{d.region_code}</td>
                <td class="figure">{d.candidates}</td>
              </tr>
            )}
          />
        </Panel>
        <Panel id="idle-candidates" title={m.candidates} count={candidates.total}>
          <DataTable
            id="idle-systems"
            scroll
            columns={[m.code, m.name, m.department, m.state, m.lastSeen, asks ? m.ask : null]}
            rows={candidates.items}
            empty={m.none}
            row={(s) => (
              <tr data-code={s.code}>
                <td>{s.code}</td>
                <td>{s.name}</td>
                <td>{s.department_code}</td>
                <td>{valueName(s.state, lang)}</td>
                <td>{s.last_seen_at ? beijingTime(s.last_seen_at) : m.never}</td>
                {asks ? (
                  <td>
                    {open.has(s.code) ? (
                      valueName('open', lang, decommissionStatusLabels)
                    ) : (
                      <InlineForm
                        api={`/api/v1/systems/${encodeURIComponent(s.code)}/decommission-requests`}
                        next="/console/idle"
                        csrf={csrf}
                        submit={m.ask}
                      >
                        <label>
                          {m.reason}
                          <input name="reason" required maxlength={2000} />
                        </label>
                      </InlineForm>
                    )}
                  </td>
                ) : null}
              </tr>
            )}
          />
        </Panel>
        <Panel id="decommission-requests" title={m.requests} count={requests.total}>
          <DataTable
            id="decommissions"
            columns={['#', m.code, m.department, m.reason, m.evidence, m.requestedBy, m.status, decides ? m.decide : null]}
            rows={requests.items}
            empty={m.noRequests}
            row={(r) => (
              <tr data-request={String(r.id)}>
                <td>{r.id}</td>
                <td>
                  {r.system_code} {r.system_name}
                </td>
                <td>{r.department_code}</td>
                <td>{r.reason}</td>
                <td>
                  {m.lastSeen} {r.evidence.last_seen_at ? beijingTime(r.evidence.last_seen_at) : m.never} · {m.exchange}{' '}
                  {r.evidence.last_exchange_on ?? m.never}
                </td>
                <td>
                  {r.requested_by} {beijingTime(r.requested_at)}
                </td>
                <td>
                  {valueName(r.status, lang, decommissionStatusLabels)}
                  {r.decided_by ? ` · ${r.decided_by}${r.decision_note ? `：${r.decision_note}` : ''}` : ''}
                </td>
                {decides ? (
                  <td>
                    {r.status === 'open' ? (
                      <InlineForm api={`/api/v1/decommission-requests/${r.id}/decision`} next="/console/idle" csrf={csrf} submit={m.decide}>
                        <ChoiceField
                          label={m.result}
                          name="result"
                          choices={choicesOf(['confirmed', 'rejected'], (v) => valueName(v, lang, decommissionStatusLabels))}
                        />
                        <label>
                          {m.note}
                          <input name="note" required maxlength={2000} />
                        </label>
                      </InlineForm>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            )}
          />
        </Panel>
      </>
    ),
  });
}
