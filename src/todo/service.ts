import { consolePages, pagesFor } from '../console/nav.ts';
import type { Db } from '../db/client.ts';
import type { Actor } from '../identity/actor.ts';
import type { Role } from '../identity/roles.ts';
import type { TodoEntry } from './entries.ts';
import {
  administratorEntries,
  auditorEntries,
  departmentEntries,
  leaderEntries,
  opsEntries,
  passwordResetEntries,
  reviewerEntries,
} from './sources.ts';

export type { TodoEntry, TodoKind } from './entries.ts';

/** Each role's desk: what it is asked to act on. */
const desks: Partial<Record<Role, (db: Db, actor: Actor) => Promise<TodoEntry[]>>> = {
  reviewer: reviewerEntries,
  ops: (db, actor) => opsEntries(db, actor),
  department: (db, actor) => departmentEntries(db, actor),
  leader: (db) => leaderEntries(db),
  sysadmin: administratorEntries,
  secadmin: administratorEntries,
  auditor: async (db, actor) => [...(await passwordResetEntries(db, actor)), ...(await auditorEntries(db, actor))],
};

/** The console page a caller lands on when nothing is asked of him: his first page, else the console itself. */
function homeOf(actor: Actor): string {
  const first = pagesFor(actor.access).find((page) => page !== 'todo');
  return first ? consolePages[first].path : '/console';
}

/**
 * 待办事项: the caller's to-do list — the union of the entries of each role he holds, each
 * (kind, link) once, and never empty: with nothing pending, one entry says so.
 */
export async function todoFor(db: Db, actor: Actor): Promise<{ items: TodoEntry[] }> {
  const roles = actor.access.root ? [] : [...actor.access.roles];
  const seen = new Set<string>();
  const items: TodoEntry[] = [];
  for (const role of roles) {
    const desk = desks[role];
    if (!desk) continue;
    for (const entry of await desk(db, actor)) {
      const key = `${entry.kind} ${entry.href}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push(entry);
    }
  }
  if (items.length > 0) return { items };
  return {
    items: [{ kind: 'nothing_pending', title: { zh: '暂无待办事项', en: 'Nothing is waiting for you' }, href: homeOf(actor) }],
  };
}
