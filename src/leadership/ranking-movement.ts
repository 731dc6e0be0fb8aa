import { and, eq } from 'drizzle-orm';
import type { LeadershipSettings } from '../config.ts';
import type { Db } from '../db/client.ts';
import { snapshotScopes } from '../db/schema/index.ts';
import { buildRanking, type RankedEntry, type Ranking, type RankingList } from './ranking.ts';
import { requireFrozen } from './snapshots.ts';

/** Where an entry stood in the previous month's ranking and how far it moved since. */
export interface Movement {
  /** Its rank in the previous month's list; null when it was not ranked then (or that month is not frozen). */
  previous_rank: number | null;
  /** previous_rank − rank: positive moved up, negative down, 0 held; null without a previous rank. */
  movement: number | null;
}

export type MovedEntry = RankedEntry & Movement;

export interface MovedList extends Omit<RankingList, 'ranked' | 'red' | 'black'> {
  ranked: MovedEntry[];
  red: MovedEntry[];
  black: MovedEntry[];
}

export interface RankingWithMovement extends Omit<Ranking, 'cities' | 'departments'> {
  cities: MovedList;
  departments: MovedList;
}

function withMovement(list: RankingList, before: RankingList | null): MovedList {
  const previousRank = new Map((before?.ranked ?? []).map((e) => [e.scope, e.rank]));
  const moved = (e: RankedEntry): MovedEntry => {
    const previous = previousRank.get(e.scope) ?? null;
    return { ...e, previous_rank: previous, movement: previous === null ? null : previous - e.rank };
  };
  return { ...list, ranked: list.ranked.map(moved), red: list.red.map(moved), black: list.black.map(moved) };
}

/**
 * The month's red/black list with each entry's rank movement since the previous month: both
 * months ranked by the one `buildRanking`, with today's weights, so last month's rank is the
 * one its own ranking answers now. Without a frozen previous month nothing has a movement.
 */
export async function rankingWithMovement(db: Db, month: string, settings: LeadershipSettings): Promise<RankingWithMovement> {
  const ranking = await buildRanking(db, month, settings);
  const before = ranking.previous_month ? await buildRanking(db, ranking.previous_month, settings) : null;
  return {
    ...ranking,
    cities: withMovement(ranking.cities, before?.cities ?? null),
    departments: withMovement(ranking.departments, before?.departments ?? null),
  };
}

/**
 * The movement as a reader sees it: ↑n, ↓n, — (held, or no frozen previous month to compare
 * with), 新 (ranked now, not ranked last month).
 */
export function movementMark(entry: Movement, previousMonth: string | null): string {
  if (previousMonth === null) return '—';
  if (entry.movement === null) return '新';
  if (entry.movement > 0) return `↑${entry.movement}`;
  if (entry.movement < 0) return `↓${-entry.movement}`;
  return '—';
}

/** The province's name as the month froze it: the heading of the printed list (广西壮族自治区…). */
export async function frozenProvinceName(db: Db, month: string): Promise<string | null> {
  const snapshot = await requireFrozen(db, month);
  const [row] = await db
    .select({ name: snapshotScopes.name })
    .from(snapshotScopes)
    .where(and(eq(snapshotScopes.snapshotId, snapshot.id), eq(snapshotScopes.level, 'province')));
  return row?.name ?? null;
}
