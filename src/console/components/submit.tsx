import type { Child } from 'hono/jsx';
import { ApiForm, type ApiFormProps } from '../forms.tsx';

/** An ApiForm's submit button (with e.g. a cancel link beside it) and the live region the script answers in. */
export function SubmitRow(props: { label: string; children?: Child }) {
  return (
    <>
      <div class="buttons">
        <button type="submit">{props.label}</button>
        {props.children}
      </div>
      <span class="result" role="status" aria-live="polite" />
    </>
  );
}

/** A one-line form in a table cell: its fields, the button, and the live region the answer shows in. */
export function InlineForm(props: Omit<ApiFormProps, 'class'> & { submit: string }) {
  const { submit, children, ...form } = props;
  return (
    <ApiForm class="inline" {...form}>
      {children}
      <button type="submit">{submit}</button>
      <span class="result" role="status" aria-live="polite" />
    </ApiForm>
  );
}
