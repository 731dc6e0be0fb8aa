import type { Child } from 'hono/jsx';
import { can } from '../../identity/access.ts';
import { businessDate } from '../../kernel/dates.ts';
import { listRecords } from '../../registry/service.ts';
import { listCertifications, listReReviews } from '../../review/service.ts';
import { ApiForm } from '../forms.tsx';
import { catalogue, valueName } from '../i18n.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    title: '认定与回头看',
    pendingSystems: '待认定的信息系统',
    pendingNetworks: '待认定的业务专网',
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
    pendingSystems: 'Systems awaiting certification',
    pendingNetworks: 'Private networks awaiting certification',
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

export async function reviewPage(ctx: PageContext): Promise<Response> {
  const { db, actor, lang } = ctx;
  const m = t(lang);
  const reviewer = can(actor.access, 'write', 'certifications');
  const [systems, networks, reReviews, certifications] = await Promise.all([
    listRecords(db, 'systems', { limit: 50, offset: 0, classification: 'pending' }, actor),
    listRecords(db, 'private-networks', { limit: 50, offset: 0, classification: 'pending' }, actor),
    listReReviews(db, { open: true }, actor),
    listCertifications(db, { status: 'active' }, actor),
  ]);
  const today = businessDate();
  const byId = new Map(certifications.map((x) => [x.id, x]));
  const pending = (kind: 'systems' | 'private-networks', page: typeof systems | typeof networks, title: string) => (
    <section aria-labelledby={`pending-${kind}`}>
      <h2 id={`pending-${kind}`}>
        {title}{' '}
        <small>
          {m.shown} {page.items.length} {m.of} {page.total}
        </small>
      </h2>
      {page.items.length === 0 ? (
        <p>{m.none}</p>
      ) : (
        <table id={`queue-${kind}`}>
          <thead>
            <tr>
              <th scope="col">{m.code}</th>
              <th scope="col">{m.name}</th>
              <th scope="col">{m.department}</th>
              {reviewer ? <th scope="col">{m.certify}</th> : null}
            </tr>
          </thead>
          <tbody>
            {page.items.map((x) => (
              <tr data-code={x.code}>
                <td>{x.code}</td>
                <td>{x.name}</td>
                <td>{x.department_code}</td>
                {reviewer ? (
                  <td>
                    <CertifyForm kind={kind} code={x.code} today={today} m={m} lang={lang} csrf={ctx.viewer.csrfToken} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );

  return ctx.render({
    title: m.title,
    active: 'review',
    children: (
      <>
        <h1>{m.title}</h1>
        {reviewer ? null : <p class="hint">{m.readOnly}</p>}
        {pending('systems', systems, m.pendingSystems)}
        {pending('private-networks', networks, m.pendingNetworks)}
        <section aria-labelledby="rereviews-title">
          <h2 id="rereviews-title">{m.reReviews}</h2>
          {reReviews.length === 0 ? (
            <p>{m.none}</p>
          ) : (
            <table id="queue-rereviews">
              <thead>
                <tr>
                  <th scope="col">{m.code}</th>
                  <th scope="col">{m.classification}</th>
                  <th scope="col">{m.due}</th>
                  {reviewer ? <th scope="col">{m.record}</th> : null}
                </tr>
              </thead>
              <tbody>
                {reReviews.map((r) => {
                  const cert = byId.get(r.certification_id);
                  return (
                    <tr class={r.due_at < today ? 'overdue' : undefined}>
                      <td>{cert?.code ?? `#${r.certification_id}`}</td>
                      <td>{cert ? valueName(cert.classification, lang) : '—'}</td>
                      <td>{r.due_at}</td>
                      {reviewer ? (
                        <td>
                          <ReviewForm api={`/api/v1/re-reviews/${r.id}/result`} csrf={ctx.viewer.csrfToken} submit={m.record}>
                            <label>
                              {m.result}
                              <select name="result">
                                <option value="passed">{valueName('passed', lang)}</option>
                                <option value="failed">{valueName('failed', lang)}</option>
                              </select>
                            </label>
                            <label>
                              {m.reason}
                              <input name="reason" maxlength={2000} />
                            </label>
                          </ReviewForm>
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>
        <section aria-labelledby="certs-title">
          <h2 id="certs-title">
            {m.certifications} <small>{certifications.length}</small>
          </h2>
          <div class="scroll">
            <table id="certifications">
              <thead>
                <tr>
                  <th scope="col">{m.code}</th>
                  <th scope="col">{m.classification}</th>
                  <th scope="col">{m.evidence}</th>
                  <th scope="col">{m.certifiedBy}</th>
                  <th scope="col">{m.certifiedAt}</th>
                  {reviewer ? <th scope="col">{m.schedule}</th> : null}
                </tr>
              </thead>
              <tbody>
                {certifications.slice(0, 100).map((x) => (
                  <tr>
                    <td>{x.code}</td>
                    <td>{valueName(x.classification, lang)}</td>
                    <td>{x.evidence}</td>
                    <td>{x.certified_by}</td>
                    <td>{x.certified_at.slice(0, 10)}</td>
                    {reviewer ? (
                      <td>
                        <ReviewForm api={`/api/v1/certifications/${x.id}/re-reviews`} csrf={ctx.viewer.csrfToken} submit={m.schedule}>
                          <label>
                            {m.due}
                            <input type="date" name="due_at" min={today} required />
                          </label>
                        </ReviewForm>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </>
    ),
  });
}

function CertifyForm(props: { kind: string; code: string; today: string; m: Messages; lang: 'zh' | 'en'; csrf?: string }) {
  const { m } = props;
  return (
    <ReviewForm api={`/api/v1/${props.kind}/${encodeURIComponent(props.code)}/certifications`} csrf={props.csrf} submit={m.certify}>
      <label>
        {m.classification}
        <select name="classification">
          <option value="non_classified">{valueName('non_classified', props.lang)}</option>
          <option value="classified">{valueName('classified', props.lang)}</option>
        </select>
      </label>
      <label>
        {m.evidence}
        <input name="evidence" required maxlength={2000} />
      </label>
      <label>
        {m.date}
        <input type="date" name="certified_at" value={props.today} max={props.today} />
      </label>
    </ReviewForm>
  );
}

/** A reviewer's form on the queue page: its fields, the button, and where the answer shows; back to the queue after. */
function ReviewForm(props: { api: string; csrf?: string; submit: string; children?: Child }) {
  return (
    <ApiForm class="inline" next="/console/review" api={props.api} csrf={props.csrf}>
      {props.children}
      <button type="submit">{props.submit}</button>
      <span class="result" role="status" aria-live="polite" />
    </ApiForm>
  );
}
