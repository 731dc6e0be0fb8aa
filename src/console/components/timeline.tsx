import type { Child } from 'hono/jsx';
import { beijingTime } from '../alert-terms.ts';
import { DataTable } from './table.tsx';

/** What a timeline's entries have in common: an alert's events and a work order's history. */
export interface TimelineEntry {
  at: string;
  type: string;
  actor: string;
  note: string | null;
}

export interface TimelineProps<T extends TimelineEntry> {
  id: string;
  /** Column headers: time, event, actor, note. */
  columns: readonly [string, string, string, string];
  entries: readonly T[];
  /** How the event is said: a name, or its type with the state it led to. */
  event: (entry: T) => Child;
  /** Where the entry came from, when a timeline merges several (`data-source`). */
  source?: (entry: T) => string;
}

/** A record's history, oldest first: when, what, who and why, one row an entry. */
export function TimelineTable<T extends TimelineEntry>(props: TimelineProps<T>) {
  return (
    <DataTable
      id={props.id}
      columns={props.columns}
      rows={props.entries}
      row={(entry) => (
        <tr data-event={entry.type} data-source={props.source?.(entry)}>
          <td>{beijingTime(entry.at)}</td>
          <td>{props.event(entry)}</td>
          <td>{entry.actor}</td>
          <td>{entry.note ?? ''}</td>
        </tr>
      )}
    />
  );
}
