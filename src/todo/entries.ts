import type { Label } from '../vocabulary/index.ts';

/** The kinds of entry a to-do list holds: stable machine names the console and clients key on. */
export const todoKinds = [
  'review_queue',
  're_reviews_overdue',
  're_reviews_due',
  'decommission_requests',
  'records_awaiting_certification',
  'records_incomplete',
  'work_orders_assigned',
  'rectification_orders',
  'failed_imports',
  'alerts_firing',
  'work_orders_breached',
  'indicators_behind_target',
  'supervision_report',
  'password_resets',
  'administrators_without_second_factor',
  'agents_silent',
  'audit_entries_today',
  'failed_logins',
  'nothing_pending',
] as const;
export type TodoKind = (typeof todoKinds)[number];

/** One line of a to-do list, its title in both languages (the API answers in one, the console picks). */
export interface TodoEntry {
  kind: TodoKind;
  title: Label;
  count?: number;
  /** Where the work is done: a console page with its filter, or the API where the console has none. */
  href: string;
  /** The earliest deadline among the entry's items (ISO date or instant). */
  due_at?: string;
}

/** A counted entry, left out when there is nothing to count. */
export const counted = (count: number, entry: Omit<TodoEntry, 'count'>): TodoEntry[] => (count > 0 ? [{ ...entry, count }] : []);
