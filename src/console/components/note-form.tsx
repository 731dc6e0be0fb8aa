import { ApiForm } from '../forms.tsx';
import { SubmitRow } from './submit.tsx';

export interface NoteFormProps {
  id: string;
  api: string;
  next: string;
  csrf?: string;
  /** The text field: its label, name, length limit and height. */
  label: string;
  name: string;
  maxlength: number;
  rows: number;
  submit: string;
}

/** A form of one required text, such as an acknowledgement's note or a comment. */
export function NoteForm(props: NoteFormProps) {
  return (
    <ApiForm id={props.id} class="stack" api={props.api} next={props.next} csrf={props.csrf}>
      <label>
        {props.label}
        <textarea name={props.name} required maxlength={props.maxlength} rows={props.rows} />
      </label>
      <SubmitRow label={props.submit} />
    </ApiForm>
  );
}
