export interface PagerProps {
  label: string;
  current: number;
  last: number;
  href: (page: number) => string;
  previous: string;
  next: string;
}

/** Previous and next links around "page / pages"; nothing when everything fits on one page. */
export function Pager(props: PagerProps) {
  const { current, last } = props;
  if (last <= 1) return null;
  return (
    <nav class="pager" aria-label={props.label}>
      {current > 1 ? <a href={props.href(current - 1)}>← {props.previous}</a> : null}
      <span>
        {current} / {last}
      </span>
      {current < last ? <a href={props.href(current + 1)}>{props.next} →</a> : null}
    </nav>
  );
}
