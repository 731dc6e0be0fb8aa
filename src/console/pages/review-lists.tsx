import type { Child } from 'hono/jsx';
import type { Page } from '../../registry/service.ts';
import type { CertificationView, ReReviewView } from '../../review/service.ts';
import { ChoiceField, choicesOf } from '../components/choices.tsx';
import { DocumentLinks } from '../components/documents.tsx';
import { Pager } from '../components/pager.tsx';
import { Panel } from '../components/panel.tsx';
import { InlineForm } from '../components/submit.tsx';
import { DataTable } from '../components/table.tsx';
import { type Lang, valueName } from '../i18n.ts';
import { certifiedKinds, kindTitle } from '../kinds.ts';
import type { ReviewMessages } from '../review-terms.ts';

/** What the reviewer's forms of the lists need besides their own fields. */
export interface ListProps {
  reviewer: boolean;
  today: string;
  csrf?: string;
  /** Where a form goes back to: this page, as it was. */
  back: string;
  href: (changes: Record<string, string | null>) => string;
  pageSize: number;
  lang: Lang;
  m: ReviewMessages;
}

/**
 * A list's pager: its links keep the rest of the page (the other list's page among it) and come
 * back down to the list's own section.
 */
function ListPager(props: ListProps & { page: Page<unknown>; label: string; param: 'rpage' | 'cpage'; section: string }) {
  const { page, pageSize, m } = props;
  return (
    <Pager
      label={props.label}
      current={Math.floor(page.offset / pageSize) + 1}
      last={Math.max(1, Math.ceil(page.total / pageSize))}
      href={(n) => `${props.href({ [props.param]: String(n) })}#${props.section}`}
      previous={m.previous}
      next={m.next}
    />
  );
}

/** 回头看 in bulk: a filter of kind, department and division, a sample percent and its seed, a due date. */
export function CampaignForm(props: { cities: { code: string; name: string }[]; today: string; lang: Lang; m: ReviewMessages }) {
  const { m, lang } = props;
  return (
    <form id="campaign-form" class="inline campaign">
      <ChoiceField
        label={m.kind}
        name="kind"
        blank={m.all}
        choices={certifiedKinds().map((k) => ({ value: k.segment, label: kindTitle(k, lang) }))}
      />
      <label>
        {m.department}
        <input name="department" maxlength={64} placeholder={m.departmentHint} size={20} />
      </label>
      <ChoiceField
        label={m.region}
        name="region"
        blank={m.province}
        choices={props.cities.map((city) => ({ value: city.code, label: city.name }))}
      />
      <label>
        {m.samplePercent}
        <input name="sample_percent" type="number" min={0.1} max={100} step="any" size={5} />
      </label>
      <label>
        {m.seed}
        <input name="seed" type="number" min={0} max={2147483647} step={1} size={10} />
      </label>
      <label>
        {m.due}
        <input name="due_at" type="date" min={props.today} required />
      </label>
      <button type="submit">{m.schedule}</button>
      <span class="result" role="status" aria-live="polite" />
    </form>
  );
}

/** A reviewer's form in a list's last cell; other readers see no such cell. */
function ReviewCell(props: { reviewer: boolean; api: string; back: string; csrf?: string; submit: string; children?: Child }) {
  if (!props.reviewer) return null;
  return (
    <td>
      <InlineForm next={props.back} api={props.api} csrf={props.csrf} submit={props.submit}>
        {props.children}
      </InlineForm>
    </td>
  );
}

/** The open re-reviews, soonest due first, each with the reviewer's result form; paged. */
export function ReReviewList(props: ListProps & { page: Page<ReReviewView>; certifications: Map<number, CertificationView> }) {
  const { m, lang, page } = props;
  return (
    <Panel id="rereviews" sectionId="rereviews-section" title={m.reReviews} count={page.total}>
      <DataTable
        id="queue-rereviews"
        columns={[m.code, m.classification, m.due, props.reviewer ? m.record : null]}
        rows={page.items}
        empty={m.empty}
        row={(r) => {
          const cert = props.certifications.get(r.certification_id);
          return (
            <tr class={r.due_at < props.today ? 'overdue' : undefined} data-certification={String(r.certification_id)}>
              <td>{cert?.code ?? `#${r.certification_id}`}</td>
              <td>{cert ? valueName(cert.classification, lang) : '—'}</td>
              <td>{r.due_at}</td>
              <ReviewCell {...props} api={`/api/v1/re-reviews/${r.id}/result`} submit={m.record}>
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
      <ListPager {...props} label={m.reReviewPages} param="rpage" section="rereviews-section" />
    </Panel>
  );
}

/** The certifications in force, with their basis and documents, each with the reviewer's re-review form; paged. */
export function CertificationList(props: ListProps & { page: Page<CertificationView> }) {
  const { m, lang, page } = props;
  return (
    <Panel id="certs" sectionId="certifications-section" title={m.certifications} count={page.total}>
      <DataTable
        id="certifications"
        scroll
        columns={[m.code, m.classification, m.basis, m.files, m.certifiedBy, m.certifiedOn, props.reviewer ? m.scheduleOne : null]}
        rows={page.items}
        row={(x) => (
          <tr data-certification={String(x.id)}>
            <td>{x.code}</td>
            <td>{valueName(x.classification, lang)}</td>
            <td>{x.evidence}</td>
            <td>
              <DocumentLinks documents={x.documents} />
            </td>
            <td>{x.certified_by}</td>
            <td>{x.certified_at.slice(0, 10)}</td>
            <ReviewCell {...props} api={`/api/v1/certifications/${x.id}/re-reviews`} submit={m.scheduleOne}>
              <label>
                {m.due}
                <input type="date" name="due_at" min={props.today} required />
              </label>
            </ReviewCell>
          </tr>
        )}
      />
      <ListPager {...props} label={m.certificationPages} param="cpage" section="certifications-section" />
    </Panel>
  );
}
