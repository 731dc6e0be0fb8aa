import { can } from '../../identity/access.ts';
import { AppError } from '../../kernel/errors.ts';
import {
  getSupervisionReportRecord,
  listSupervisionReports,
  type SupervisionReportView,
  supervisionReportBytes,
} from '../../leadership/publication.ts';
import { listSnapshots } from '../../leadership/snapshots.ts';
import { beijingTime } from '../alert-terms.ts';
import { ChoiceField, choicesOf } from '../components/choices.tsx';
import { Fact } from '../components/facts.tsx';
import { NoteForm } from '../components/note-form.tsx';
import { Panel } from '../components/panel.tsx';
import { InlineForm } from '../components/submit.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, type Lang } from '../i18n.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    title: '督查通报',
    intro: '审核人员起草（草稿可重新生成）并送审；未参与起草的领导签发或退回。签发后编号、按原样保存并不可更改；更正以新版本签发。',
    draft: '起草月度通报',
    month: '月份',
    make: '起草 / 重新生成',
    list: '通报',
    version: '版本',
    state: '状态',
    number: '文号',
    draftedBy: '起草人',
    submitted: '送审',
    decided: '签发 / 退回',
    open: '查看',
    none: '暂无通报。',
    preview: '预览',
    download: '下载 XLSX',
    openHtml: '在新窗口打开',
    submit: '送审',
    publish: '签发',
    return: '退回',
    comment: '退回意见',
    comment_: '意见',
    supersedes: '更正',
    blackList: '黑榜部门（签发后各生成整改工单）',
    sha256: 'SHA-256（XLSX）',
    ownDraft: '您参与了起草，须由其他领导签发或退回。',
    back: '全部通报',
  },
  {
    title: 'Supervision reports',
    intro:
      'Reviewers draft (a draft may be regenerated) and submit; a leader who drafted none of it signs it off or returns it. A published report is numbered, kept as it was and cannot change; a correction is published as a new version.',
    draft: 'Draft a month’s report',
    month: 'Month',
    make: 'Draft / regenerate',
    list: 'Reports',
    version: 'Version',
    state: 'State',
    number: 'Number',
    draftedBy: 'Drafted by',
    submitted: 'Submitted',
    decided: 'Signed off / returned',
    open: 'Open',
    none: 'No reports yet.',
    preview: 'Preview',
    download: 'Download XLSX',
    openHtml: 'Open in a new window',
    submit: 'Submit',
    publish: 'Sign off (publish)',
    return: 'Return',
    comment: 'What to change',
    comment_: 'Comment',
    supersedes: 'Corrects',
    blackList: 'Black-listed departments (each gets a rectification order on publication)',
    sha256: 'SHA-256 (XLSX)',
    ownDraft: 'You drafted part of it: another leader signs it off or returns it.',
    back: 'All reports',
  },
);

const stateNames: Record<SupervisionReportView['state'], { zh: string; en: string }> = {
  draft: { zh: '草稿', en: 'Draft' },
  submitted: { zh: '待签发', en: 'Submitted' },
  returned: { zh: '已退回', en: 'Returned' },
  published: { zh: '已签发', en: 'Published' },
};
const stateName = (state: SupervisionReportView['state'], lang: Lang) => stateNames[state][lang];
const when = (at: string | null, who: string | null) => (at ? `${beijingTime(at)}${who ? ` · ${who}` : ''}` : '—');

/** 督查通报: the reports on their way and published; reviewers draft, leaders decide. */
export async function reportsPage(ctx: PageContext): Promise<Response> {
  const { db, actor, lang } = ctx;
  const m = t(lang);
  const drafter = can(actor.access, 'write', 'report-drafts');
  const [{ items }, months] = await Promise.all([
    listSupervisionReports(db, {}, actor),
    drafter
      ? listSnapshots(db).then((all) =>
          all
            .filter((s) => s.status === 'frozen')
            .map((s) => s.month)
            .reverse(),
        )
      : [],
  ]);
  return ctx.render({
    title: m.title,
    active: 'reports',
    children: (
      <>
        <h1>{m.title}</h1>
        <p class="hint">{m.intro}</p>
        {drafter && months.length > 0 ? (
          <Panel id="draft" title={m.draft}>
            <InlineForm
              id="draft-form"
              api="/api/v1/supervision-reports"
              next="/console/reports"
              csrf={ctx.viewer.csrfToken}
              submit={m.make}
            >
              <ChoiceField label={m.month} name="month" choices={choicesOf(months, (x) => x)} />
            </InlineForm>
          </Panel>
        ) : null}
        <Panel id="reports" title={m.list} count={items.length}>
          <DataTable
            id="reports-table"
            columns={[m.month, m.version, m.state, m.number, m.draftedBy, m.submitted, m.decided, '']}
            rows={items}
            empty={m.none}
            row={(r) => (
              <tr data-report={String(r.id)} data-state={r.state}>
                <td>{r.month}</td>
                <td>{r.version}</td>
                <td>{stateName(r.state, lang)}</td>
                <td>{r.number ?? '—'}</td>
                <td>{r.drafted_by.join('、')}</td>
                <td>{when(r.submitted_at, r.submitted_by)}</td>
                <td>{when(r.decided_at, r.decided_by)}</td>
                <td>
                  <a href={`/console/reports/${r.id}`}>{m.open}</a>
                </td>
              </tr>
            )}
          />
        </Panel>
      </>
    ),
  });
}

/** One report: its facts, the forms its state and the caller's roles allow, and the stored HTML as it will go out. */
export async function reportPage(ctx: PageContext): Promise<Response> {
  const { db, actor, lang } = ctx;
  const m = t(lang);
  const id = Number(ctx.c.req.param('id'));
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('not_found', `supervision report ${ctx.c.req.param('id')} not found`);
  const report = await getSupervisionReportRecord(db, id, actor);
  const html = new TextDecoder().decode((await supervisionReportBytes(db, id, 'html', actor)).bytes);
  const here = `/console/reports/${id}`;
  const csrf = ctx.viewer.csrfToken;
  const drafter = can(actor.access, 'write', 'report-drafts');
  const leader = can(actor.access, 'write', 'report-sign-off');
  const drafted = !actor.access.root && report.drafted_by.includes(actor.name);
  return ctx.render({
    title: `${m.title} ${report.number ?? `${report.month} v${report.version}`}`,
    active: 'reports',
    children: (
      <>
        <p>
          <a href="/console/reports">← {m.back}</a>
        </p>
        <h1>
          {report.number ?? `${report.month} · ${m.version} ${report.version}`} <small>{stateName(report.state, lang)}</small>
        </h1>
        <dl class="facts">
          <Fact term={m.month}>{report.month}</Fact>
          <Fact term={m.draftedBy}>{report.drafted_by.join('、')}</Fact>
          <Fact term={m.submitted}>{when(report.submitted_at, report.submitted_by)}</Fact>
          <Fact term={m.decided}>{when(report.decided_at, report.decided_by)}</Fact>
          {report.return_comment ? <Fact term={m.comment_}>{report.return_comment}</Fact> : null}
          {report.supersedes ? <Fact term={m.supersedes}>{report.supersedes.number ?? `#${report.supersedes.id}`}</Fact> : null}
          <Fact term={m.blackList}>{report.black_list.map((d) => d.name).join('、') || '—'}</Fact>
          <Fact term={m.sha256}>
            <code>{report.sha256}</code>
          </Fact>
        </dl>
        <p class="buttons">
          <a href={`/api/v1/supervision-reports/${id}.xlsx`} download>
            {m.download}
          </a>{' '}
          <a href={`/api/v1/supervision-reports/${id}.html`} target="_blank" rel="noopener">
            {m.openHtml}
          </a>
        </p>
        {drafter && report.state === 'draft' ? (
          <InlineForm id="submit-form" api={`/api/v1/supervision-reports/${id}/submit`} next={here} csrf={csrf} submit={m.submit} />
        ) : null}
        {drafter && (report.state === 'draft' || report.state === 'returned') ? (
          <InlineForm id="regenerate-form" api="/api/v1/supervision-reports" next={here} csrf={csrf} submit={m.make}>
            <input type="hidden" name="month" value={report.month} />
          </InlineForm>
        ) : null}
        {leader && report.state === 'submitted' && drafted ? <p class="hint">{m.ownDraft}</p> : null}
        {leader && report.state === 'submitted' && !drafted ? (
          <>
            <InlineForm id="publish-form" api={`/api/v1/supervision-reports/${id}/publish`} next={here} csrf={csrf} submit={m.publish} />
            <NoteForm
              id="return-form"
              api={`/api/v1/supervision-reports/${id}/return`}
              next={here}
              csrf={csrf}
              label={m.comment}
              name="comment"
              submit={m.return}
            />
          </>
        ) : null}
        <Panel id="preview" title={m.preview}>
          {/* The stored HTML as it goes out, in a sandbox: no script, no reach into the console. */}
          <iframe id="report-preview" title={m.preview} sandbox="" srcdoc={html} class="report-preview" />
        </Panel>
      </>
    ),
  });
}
