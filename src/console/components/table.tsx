import type { Child } from 'hono/jsx';

/** A column header: its label, or a label with a class (a state column coloured like its cells). */
export type Column = string | { label: string; class: string };

/** A header row of `scope="col"` cells; a null column is one this caller does not see. */
export function HeaderRow(props: { columns: readonly (Column | null)[] }) {
  return (
    <tr>
      {props.columns.map((column) =>
        column === null ? null : typeof column === 'string' ? (
          <th scope="col">{column}</th>
        ) : (
          <th scope="col" class={column.class}>
            {column.label}
          </th>
        ),
      )}
    </tr>
  );
}

export interface DataTableProps<T> {
  id?: string;
  caption?: string;
  columns: readonly (Column | null)[];
  rows: readonly T[];
  row: (item: T) => Child;
  /** Said instead of an empty table; without it an empty table is drawn. */
  empty?: string;
  /** The id of the paragraph said instead, for tests and scripts. */
  emptyId?: string;
  /** Wrapped in a horizontally scrolling box, for wide tables in narrow panels. */
  scroll?: boolean;
}

/** A table with one header row and a row per item, or a sentence when there is none. */
export function DataTable<T>(props: DataTableProps<T>) {
  if (props.empty !== undefined && props.rows.length === 0) return <p id={props.emptyId}>{props.empty}</p>;
  const table = (
    <table id={props.id}>
      {props.caption === undefined ? null : <caption>{props.caption}</caption>}
      <thead>
        <HeaderRow columns={props.columns} />
      </thead>
      <tbody>{props.rows.map(props.row)}</tbody>
    </table>
  );
  return props.scroll ? <div class="scroll">{table}</div> : table;
}
