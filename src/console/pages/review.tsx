import type { Child } from 'hono/jsx';
import { can } from '../../identity/access.ts';
import { businessDate } from '../../kernel/dates.ts';
import type { AnyRecordKind, KindRow } from '../../registry/kinds/index.ts';
import { listRecords, type Page } from '../../registry/service.ts';
import { certificationsByIds, listCertifications, listReReviews } from '../../review/service.ts';
import { ChoiceField, choicesOf } from '../components/choices.tsx';
import { Panel } from '../components/panel.tsx';
import { InlineForm } from '../components/submit.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, type Lang, valueName } from '../i18n.ts';
import { certifiedKinds, kindTitle } from '../kinds.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    title: '认定与回头看',
    pending: '待认定的{kind}',
    reReviews: '回头看队列（未完成）',
    certifications: '有效的认定',
    code: '编码',
    name: '名称',
    department: '部门',
    classification: '认定密级',
    evidence: '依据（文件或决定）',
    date: '认定日期',
    certify: '认定',
    due: '截止日期',
    result: '结果',
    reason: '原因（未通过时必填）',
    record: '记录结果',
    schedule: '安排回头看',
    certifiedBy: '认定人',
    certifiedAt: '认定日期',
    none: '队列为空。',
    shown: '显示',
    of: '共',
    readOnly: '只读：仅审核人员可以认定和记录回头看结果。',
  },
  {
    title: 'Certification and re-review',
    pending: '{kind} awaiting certification',
    reReviews: 'Open re-reviews',
    certifications: 'Active certifications',
    code: 'Code',
    name: 'Name',
    department: 'Department',
    classification: 'Classification',
    evidence: 'Evidence (document or decision)',
    date: 'Certified on',
    certify: 'Certify',
    due: 'Due',
    result: 'Result',
    reason: 'Reason (required when failed)',
    record: 'Record the result',
    schedule: 'Schedule a re-review',
    certifiedBy: 'By',
    certifiedAt: 'On',
    none: 'The queue is empty.',
    shown: 'Showing',
    of: 'of',
    readOnly: 'Read-only: only reviewers certify and record re-reviews.',
  },
);
type Messages = ReturnType<typeof t>;

/** What every form of the queue page needs besides its own fields. */
interface ReviewerProps {
  reviewer: boolean;
  today: string;
  m: Messages;
  lang: Lang;
  csrf?: string;
}

/** The records of each certified kind awaiting certification, then the re-reviews and the certifications in force. */
export async function reviewPage(ctx: PageContext): Promise<Response> {
  const { db, actor, lang } = ctx;
  const m = t(lang);
  const reviewer = can(actor.access, 'write', 'certifications');
  const [queues, reReviews, certifications] = await Promise.all([
    Promise.all(
      certifiedKinds().map(async (kind) => ({
        kind,
        page: await listRecords(db, kind, { limit: 50, offset: 0, classification: 'pending' }, actor),
      })),
    ),
    listReReviews(db, { open: true, limit: 200, offset: 0 }, actor),
    listCertifications(db, { status: 'active', limit: 100, offset: 0 }, actor),
  ]);
  const shared: ReviewerProps = { reviewer, today: businessDate(), m, lang, csrf: ctx.viewer.csrfToken };
  const { today } = shared;
  // The certifications the queued re-reviews are about, whichever page of the list they are on.
  const reReviewed = await certificationsByIds(
    db,
    reReviews.items.map((r) => r.certification_id),
    actor,
  );
  const byId = new Map(reReviewed.map((x) => [x.id, x]));
  const action = (label: string) => (reviewer ? label : null);

  return ctx.render({
    title: m.title,
    active: 'review',
    children: (
      <>
        <h1>{m.title}</h1>
        {reviewer ? null : <p class="hint">{m.readOnly}</p>}
        {queues.map(({ kind, page }) => (
          <PendingQueue kind={kind} page={page} {...shared} />
        ))}
        <Panel id="rereviews" title={m.reReviews}>
          <DataTable
            id="queue-rereviews"
            columns={[m.code, m.classification, m.due, action(m.record)]}
            rows={reReviews.items}
            empty={m.none}
            row={(r) => {
              const cert = byId.get(r.certification_id);
              return (
                <tr class={r.due_at < today ? 'overdue' : undefined}>
                  <td>{cert?.code ?? `#${r.certification_id}`}</td>
                  <td>{cert ? valueName(cert.classification, lang) : '—'}</td>
                  <td>{r.due_at}</td>
                  <ReviewCell {...shared} api={`/api/v1/re-reviews/${r.id}/result`} submit={m.record}>
                    <ChoiceField label={m.result} name="result" choices={choicesOf(['passed', 'failed'], (v) => valueName(v, lang))} />
                    <label>
                      {m.reason}
                      <input name="reason" maxlength={2000} />
                    </label>
                  </ReviewCell>
                </tr>
              );
            }}
          />
        </Panel>
        <Panel id="certs" title={m.certifications} count={certifications.total}>
          <DataTable
            id="certifications"
            scroll
            columns={[m.code, m.classification, m.evidence, m.certifiedBy, m.certifiedAt, action(m.schedule)]}
            rows={certifications.items}
            row={(x) => (
              <tr>
                <td>{x.code}</td>
                <td>{valueName(x.classification, lang)}</td>
                <td>{x.evidence}</td>
                <td>{x.certified_by}</td>
                <td>{x.certified_at.slice(0, 10)}</td>
                <ReviewCell {...shared} api={`/api/v1/certifications/${x.id}/re-reviews`} submit={m.schedule}>
                  <label>
                    {m.due}
                    <input type="date" name="due_at" min={today} required />
                  </label>
                </ReviewCell>
              </tr>
            )}
          />
        </Panel>
      </>
    ),
  });
}

/** One certified kind's records awaiting certification, each with the reviewer's certify form. */
function PendingQueue(props: ReviewerProps & { kind: AnyRecordKind; page: Page<KindRow> }) {
  const { kind, page, m } = props;
  const titleId = `pending-${kind.segment}`;
  return (
    <section aria-labelledby={titleId}>
      <h2 id={titleId}>
        {m.pending.replace('{kind}', kindTitle(kind, props.lang))}{' '}
        <small>
          {m.shown} {page.items.length} {m.of} {page.total}
        </small>
      </h2>
      <DataTable
        id={`queue-${kind.segment}`}
        columns={[m.code, m.name, m.department, props.reviewer ? m.certify : null]}
        rows={page.items}
        empty={m.none}
        row={(x) => (
          <tr data-code={x.code}>
            <td>{x.code}</td>
            <td>{String(x.name)}</td>
            <td>{String(x.department_code)}</td>
            <CertifyCell {...props} code={x.code} />
          </tr>
        )}
      />
    </section>
  );
}

/** A reviewer's 认定 of one record: the classification, its evidence and date. */
function CertifyCell(props: ReviewerProps & { kind: AnyRecordKind; code: string }) {
  const { m, lang } = props;
  return (
    <ReviewCell {...props} api={`/api/v1/${props.kind.segment}/${encodeURIComponent(props.code)}/certifications`} submit={m.certify}>
      <ChoiceField
        label={m.classification}
        name="classification"
        choices={choicesOf(['non_classified', 'classified'], (v) => valueName(v, lang))}
      />
      <label>
        {m.evidence}
        <input name="evidence" required maxlength={2000} />
      </label>
      <label>
        {m.date}
        <input type="date" name="certified_at" value={props.today} max={props.today} />
      </label>
    </ReviewCell>
  );
}

/**
 * A reviewer's form in a queue's last cell: its fields, the button, and where the answer shows;
 * back to the queue after. Other readers see no such cell.
 */
function ReviewCell(props: { reviewer: boolean; api: string; csrf?: string; submit: string; children?: Child }) {
  if (!props.reviewer) return null;
  return (
    <td>
      <InlineForm next="/console/review" api={props.api} csrf={props.csrf} submit={props.submit}>
        {props.children}
      </InlineForm>
    </td>
  );
}
