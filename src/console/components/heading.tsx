/** The words of a list's heading: "Showing 50 of 120 · Times are Beijing time." */
export interface CountWords {
  shown: string;
  of: string;
  times: string;
}

/** A list page's h1: its title, how many rows it shows of how many, and that times are Beijing time. */
export function ListHeading(props: { title: string; shown: number; total: number; words: CountWords }) {
  const { words } = props;
  return (
    <h1>
      {props.title}{' '}
      <small>
        {words.shown} {props.shown} {words.of} {props.total} · {words.times}
      </small>
    </h1>
  );
}
