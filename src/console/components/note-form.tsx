import { ApiForm } from '../forms.tsx';
import { DocumentsInput } from './documents.tsx';
import { SubmitRow } from './submit.tsx';

export interface NoteFormProps {
  id: string;
  api: string;
  next: string;
  csrf?: string;
  /**
   * The text field: its label, name, length limit and height. By default a two-line `note` of
   * at most 2,000 characters, as the API's notes are.
   */
  label: string;
  name?: string;
  maxlength?: number;
  rows?: number;
  submit: string;
  /** A file picker for documents attached with the text (sent as `documents`), labelled so. */
  attachments?: string;
}

/** A form of one required text, such as an acknowledgement's note or a comment. */
export function NoteForm(props: NoteFormProps) {
  return (
    <ApiForm id={props.id} class="stack" api={props.api} next={props.next} csrf={props.csrf}>
      <label>
        {props.label}
        <textarea name={props.name ?? 'note'} required maxlength={props.maxlength ?? 2000} rows={props.rows ?? 2} />
      </label>
      {props.attachments ? <DocumentsInput label={props.attachments} /> : null}
      <SubmitRow label={props.submit} />
    </ApiForm>
  );
}
