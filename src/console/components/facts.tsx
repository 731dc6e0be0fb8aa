import type { Child } from 'hono/jsx';

export interface FactProps {
  term: Child;
  /** The value's id and class, for tests, scripts and state colours. */
  id?: string;
  class?: string;
  children?: Child;
}

/** One term and its value in a `<dl>` of a record's facts. */
export function Fact(props: FactProps) {
  return (
    <>
      <dt>{props.term}</dt>
      <dd id={props.id} class={props.class}>
        {props.children}
      </dd>
    </>
  );
}
