import type { Db } from '../../db/client.ts';
import type { Actor } from '../../identity/actor.ts';
import { AppError } from '../../kernel/errors.ts';
import type { AnyRecordKind, KindRow } from '../../registry/kinds/index.ts';
import { listRecords, readRecord } from '../../registry/service.ts';
import { listTransitions } from '../../registry/transitions.ts';
import { Fact } from '../components/facts.tsx';
import { DataTable, HeaderRow } from '../components/table.tsx';
import { type Lang, valueName } from '../i18n.ts';
import { certifiedKinds, columnLabel, columnValue, kindTitle, stateName } from '../kinds.ts';
import type { ReviewMessages } from '../review-terms.ts';

/** How many of each kind the pane lists of the department's other records. */
const siblingLimit = 20;

/** Fields the pane shows in its own words above the kind's other columns. */
const shownAbove = new Set(['code', 'name', 'department_code', 'classification', 'state', 'state_at']);

type TransitionItem = Awaited<ReturnType<typeof listTransitions>>['items'][number];

export interface RecordDetail {
  kind: AnyRecordKind;
  record: KindRow;
  history: TransitionItem[];
  /** The department's other records of each certified kind, a few of each, and how many there are. */
  siblings: { kind: AnyRecordKind; items: KindRow[]; total: number }[];
}

/** `systems/S-001`: a certified kind's segment and a code; anything else is a filter to fix. */
export function parseSelected(value: string): { kind: AnyRecordKind; code: string } {
  const slash = value.indexOf('/');
  const kind = certifiedKinds().find((k) => k.segment === value.slice(0, slash));
  const code = value.slice(slash + 1);
  if (slash < 0 || !kind || code === '' || code.length > 64) {
    throw new AppError('validation_failed', `selected "${value.slice(0, 80)}" names no record`, [
      {
        field: 'selected',
        message: `must be <kind>/<code>, the kind one of ${certifiedKinds()
          .map((k) => k.segment)
          .join(', ')}`,
      },
    ]);
  }
  return { kind, code };
}

/** The selected record, its history and its department's other records, all read as the caller. */
export async function readRecordDetail(db: Db, selected: string, actor: Actor): Promise<RecordDetail> {
  const { kind, code } = parseSelected(selected);
  const record = await readRecord(db, kind, code, actor);
  const department = String(record.department_code);
  const [history, siblings] = await Promise.all([
    listTransitions(db, kind, code, actor),
    Promise.all(
      certifiedKinds().map(async (k) => {
        const page = await listRecords(db, k, { department, limit: siblingLimit + 1, offset: 0 }, actor);
        const others = page.items.filter((x) => !(k.segment === kind.segment && x.code === code)).slice(0, siblingLimit);
        return { kind: k, items: others, total: page.total - (k.segment === kind.segment ? 1 : 0) };
      }),
    ),
  ]);
  return { kind, record, history: history.items, siblings };
}

/** A transition's value as its field names it: a state in its kind's words, a classification or attribute as stored. */
const transitionValue = (kind: AnyRecordKind, field: string, value: string | null, lang: Lang) =>
  value === null || value === '' ? '—' : field === 'state' ? stateName(kind, value, lang) : valueName(value, lang);

/** The detail pane beside the queue: the record's facts, its history and its department's other records. */
export function RecordDetailPane(props: {
  detail: RecordDetail;
  /** The link that shows another record in the pane (the filter and page kept). */
  selectHref: (key: string) => string;
  closeHref: string;
  lang: Lang;
  m: ReviewMessages;
}) {
  const { detail, m, lang } = props;
  const { kind, record } = detail;
  const code = String(record.code);
  const fieldName = (field: string) => (field === 'state' ? m.state : field === 'classification' ? m.classification : field);
  return (
    <section id="review-detail" class="alert-detail" aria-labelledby="review-detail-title">
      <h2 id="review-detail-title">
        {String(record.name)} <small>({code})</small>
      </h2>
      <p>
        <a href={props.closeHref}>{m.close}</a>
      </p>
      <dl class="record">
        <Fact term={m.kind}>{kindTitle(kind, lang)}</Fact>
        <Fact term={m.department}>{String(record.department_code)}</Fact>
        <Fact term={m.classification} id="detail-classification">
          {valueName(record.classification, lang)}
        </Fact>
        <Fact term={m.state}>{stateName(kind, kind.declaredState(record).value, lang)}</Fact>
        {kind.columns
          .filter((column) => !shownAbove.has(column.field) && record[column.field] != null && record[column.field] !== '')
          .map((column) => (
            <Fact term={columnLabel(column, lang)}>{columnValue(column, record[column.field], lang)}</Fact>
          ))}
      </dl>
      <h3>{m.history}</h3>
      <DataTable
        id="detail-history"
        columns={[m.effectiveAt, m.field, m.from, m.to, m.note, m.by]}
        rows={detail.history}
        empty={m.noHistory}
        row={(h) => (
          <tr class={h.superseded_at ? 'superseded' : undefined} data-field={h.field}>
            <td>{h.effective_at ?? h.recorded_at.slice(0, 10)}</td>
            <td>{fieldName(h.field)}</td>
            <td>{transitionValue(kind, h.field, h.from, lang)}</td>
            <td>{transitionValue(kind, h.field, h.to, lang)}</td>
            <td>{h.note ?? ''}</td>
            <td>{h.actor}</td>
          </tr>
        )}
      />
      <h3>{m.siblings}</h3>
      {detail.siblings.every((s) => s.items.length === 0) ? (
        <p id="detail-siblings-none">{m.noSiblings}</p>
      ) : (
        <table id="detail-siblings">
          <thead>
            <HeaderRow columns={[m.kind, m.code, m.name, m.classification]} />
          </thead>
          {detail.siblings
            .filter((s) => s.items.length > 0)
            .map((s) => (
              <tbody data-kind={s.kind.segment}>
                {s.items.map((x) => (
                  <tr data-key={`${s.kind.segment}/${x.code}`}>
                    <td>{kindTitle(s.kind, lang)}</td>
                    <td>{x.code}</td>
                    <td>
                      <a href={props.selectHref(`${s.kind.segment}/${x.code}`)}>{String(x.name)}</a>
                    </td>
                    <td>{valueName(x.classification, lang)}</td>
                  </tr>
                ))}
                {s.total > s.items.length ? (
                  <tr>
                    <td colspan={4} class="hint">
                      {kindTitle(s.kind, lang)}: {m.shown} {s.items.length} {m.of} {s.total}
                    </td>
                  </tr>
                ) : null}
              </tbody>
            ))}
        </table>
      )}
    </section>
  );
}
