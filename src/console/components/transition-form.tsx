import type { AnyRecordKind } from '../../registry/kinds/index.ts';
import { ApiForm } from '../forms.tsx';
import { catalogue, type Lang } from '../i18n.ts';
import { stateName } from '../kinds.ts';
import { ChoiceField } from './choices.tsx';

const t = catalogue(
  {
    to: '变更为',
    effectiveAt: '生效日期',
    note: '说明',
    submit: '提交变更',
    none: '此记录已是终态，不能再变更。',
  },
  {
    to: 'New state',
    effectiveAt: 'Effective date',
    note: 'Note',
    submit: 'Submit the change',
    none: 'This record is in a final state and cannot move.',
  },
);

export interface TransitionFormProps {
  kind: AnyRecordKind;
  code: string;
  /** The state the record is in: the kind's lifecycle says where it may move from there. */
  state: string;
  /** The business day: the latest effective date a change may take. */
  today: string;
  lang: Lang;
  csrf?: string;
}

/** A record's transition form from its kind's lifecycle: the legal moves, a date, a note; a sentence when none is left. */
export function TransitionForm(props: TransitionFormProps) {
  const { kind, lang } = props;
  const m = t(lang);
  const moves = kind.lifecycle.moves[props.state] ?? [];
  if (moves.length === 0) return <p>{m.none}</p>;
  const here = `/console/workspace/${kind.segment}/${encodeURIComponent(props.code)}`;
  return (
    <ApiForm
      id="transition-form"
      class="stack"
      api={`/api/v1/${kind.segment}/${encodeURIComponent(props.code)}/transitions`}
      next={here}
      csrf={props.csrf}
    >
      <ChoiceField label={m.to} name="to" choices={moves.map((to) => ({ value: to, label: stateName(kind, to, lang) }))} />
      <label>
        {m.effectiveAt}
        <input type="date" name="effective_at" value={props.today} max={props.today} required />
      </label>
      <label>
        {m.note}
        <textarea name="note" rows={2} maxlength={2000} />
      </label>
      <button type="submit">{m.submit}</button>
      <div class="result" role="status" aria-live="polite" />
    </ApiForm>
  );
}
