import type { Page } from '../../registry/service.ts';
import { maxBatch } from '../../review/batch.ts';
import type { ReviewQueueItem } from '../../review/queue.ts';
import { ChoiceField, choicesOf } from '../components/choices.tsx';
import { documentAccept } from '../components/documents.tsx';
import { Pager } from '../components/pager.tsx';
import { DataTable } from '../components/table.tsx';
import { type Lang, valueName } from '../i18n.ts';
import { certifiedKinds, kindTitle } from '../kinds.ts';
import type { ReviewMessages } from '../review-terms.ts';
import { type PageScope, ScopeField } from '../scope.tsx';

/** The queue's filter as the page reads it from its URL: the API's filter, and the city and county picked. */
export interface QueueQuery {
  kind?: string;
  department?: string;
  /** The city picked (the province when none). */
  city: string;
  county?: string;
  q?: string;
  older_than_days?: number;
}

/** The queue's filter bar: a GET form, so the URL carries the filter (and a link or a reload keeps it). */
export function QueueFilters(props: {
  query: QueueQuery;
  scope: PageScope;
  counties: { code: string; name: string }[];
  lang: Lang;
  m: ReviewMessages;
}) {
  const { query, m, lang } = props;
  return (
    <form class="filters" method="get" action="/console/review" id="queue-filters">
      <ChoiceField
        label={m.kind}
        name="kind"
        blank={m.all}
        choices={certifiedKinds().map((k) => ({ value: k.segment, label: kindTitle(k, lang) }))}
        selected={query.kind}
      />
      <label>
        {m.department}
        <input name="department" value={query.department ?? ''} maxlength={64} placeholder={m.departmentHint} size={20} />
      </label>
      <ScopeField {...props.scope} scope={query.city} lang={lang} />
      {props.counties.length > 0 ? (
        <ChoiceField
          label={m.county}
          name="county"
          blank={m.wholeCity}
          choices={props.counties.map((r) => ({ value: r.code, label: r.name }))}
          selected={query.county}
        />
      ) : null}
      <label>
        {m.text}
        <input name="q" type="search" value={query.q ?? ''} maxlength={200} size={14} />
      </label>
      <label>
        {m.olderThan}
        <input name="older_than_days" type="number" min={0} max={36500} step={1} value={query.older_than_days ?? ''} size={5} />
      </label>
      <button type="submit">{m.filter}</button>
      <a href="/console/review">{m.reset}</a>
    </form>
  );
}

export interface QueueTableProps {
  page: Page<ReviewQueueItem>;
  /** Division names by code, for the region column. */
  regionNames: Map<string, string>;
  /** The `kind/code` of the row shown in the detail pane. */
  selected: string | null;
  /** The page's URL with some parameters changed. */
  href: (changes: Record<string, string | null>) => string;
  pageSize: number;
  reviewer: boolean;
  today: string;
  lang: Lang;
  m: ReviewMessages;
}

const dayMs = 86_400_000;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs);

/** The queue as one table across kinds, oldest first: a reviewer's checkbox, the name opening the detail pane. */
export function QueueTable(props: QueueTableProps) {
  const { page, m, lang } = props;
  const kindNames = new Map(certifiedKinds().map((k) => [k.segment, kindTitle(k, lang)]));
  const current = Math.floor(page.offset / props.pageSize) + 1;
  const last = Math.max(1, Math.ceil(page.total / props.pageSize));
  return (
    <>
      <DataTable
        id="review-queue"
        columns={[
          props.reviewer ? m.pick : null,
          m.kind,
          m.code,
          m.name,
          m.department,
          m.region,
          m.waitingSince,
          { label: m.days, class: 'figure' },
        ]}
        rows={page.items}
        empty={m.none}
        emptyId="review-queue-none"
        row={(x) => {
          const key = `${x.kind}/${x.code}`;
          return (
            <tr data-key={key} data-region={x.region_code} class={props.selected === key ? 'selected' : undefined}>
              {props.reviewer ? (
                <td>
                  <input type="checkbox" name="pick" value={key} form="batch-form" aria-label={`${m.pick} ${x.code}`} />
                </td>
              ) : null}
              <td>{kindNames.get(x.kind) ?? x.kind}</td>
              <td class="code">{x.code}</td>
              <td>
                <a href={`${props.href({ selected: key, certified: null })}#review-detail`}>{x.name}</a>
              </td>
              <td class="code">{x.department_code}</td>
              <td>{props.regionNames.get(x.region_code) ?? x.region_code}</td>
              <td>{x.waiting_since}</td>
              <td class="figure">{daysBetween(x.waiting_since, props.today)}</td>
            </tr>
          );
        }}
      />
      <Pager
        label={m.pages}
        current={current}
        last={last}
        href={(n) => props.href({ page: String(n), selected: null, certified: null })}
        previous={m.previous}
        next={m.next}
      />
    </>
  );
}

/**
 * The reviewer's 批量认定 form: the rows ticked in the table (their checkboxes belong to this
 * form) or everything the filter selects, one classification, one basis and its documents.
 * The page script uploads the documents first and certifies only when every one was taken.
 */
export function BatchForm(props: { total: number; today: string; lang: Lang; m: ReviewMessages }) {
  const { m, total } = props;
  const tooMany = total > maxBatch;
  return (
    <form id="batch-form" class="stack batch" data-total={String(total)}>
      <fieldset>
        <legend>{m.batchTarget}</legend>
        <label class="choice">
          <input type="checkbox" id="pick-all" />
          <span>{m.pickAll}</span>
        </label>
        <label class="choice">
          <input type="radio" name="target" value="selected" checked />
          <span id="picked-label" data-template={m.selectedRows}>
            {m.selectedRows.replace('{n}', '0')}
          </span>
        </label>
        <label class="choice">
          <input type="radio" name="target" value="filter" disabled={tooMany || total === 0} />
          <span>{m.allMatching.replace('{n}', String(total))}</span>
        </label>
        {tooMany ? <p class="hint">{m.tooMany.replace('{max}', String(maxBatch))}</p> : null}
        {total === 0 ? <p class="hint">{m.noneMatching}</p> : null}
      </fieldset>
      <ChoiceField
        label={m.classification}
        name="classification"
        choices={choicesOf(['non_classified', 'classified'], (v) => valueName(v, props.lang))}
      />
      <label>
        {m.evidence}
        <input name="evidence" required maxlength={2000} />
      </label>
      <label>
        {m.documents}
        <input type="file" name="documents" multiple accept={documentAccept} />
      </label>
      <label>
        {m.certifiedAt}
        <input type="date" name="certified_at" value={props.today} max={props.today} />
      </label>
      <div class="buttons">
        <button type="submit">{m.certify}</button>
      </div>
      <noscript>
        <p class="hint">{m.noScript}</p>
      </noscript>
      <span class="result" role="status" aria-live="polite" />
    </form>
  );
}
