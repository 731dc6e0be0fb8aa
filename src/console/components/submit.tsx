import type { Child } from 'hono/jsx';

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
