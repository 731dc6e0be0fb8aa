import type { Child } from 'hono/jsx';

export interface PanelProps {
  /** Names the heading `<id>-title`, which labels the section. */
  id: string;
  title: Child;
  /** A count shown small beside the title. */
  count?: number;
  class?: string;
  /** The section's own id, for links and tests. */
  sectionId?: string;
  children?: Child;
}

/** A page section under an h2 that labels it, with an optional count beside the title. */
export function Panel(props: PanelProps) {
  const titleId = `${props.id}-title`;
  return (
    <section id={props.sectionId} aria-labelledby={titleId} class={props.class}>
      <h2 id={titleId}>
        {props.title}
        {props.count === undefined ? null : (
          <>
            {' '}
            <small>{props.count}</small>
          </>
        )}
      </h2>
      {props.children}
    </section>
  );
}
