import type { LeadershipSettings } from '../config.ts';
import type { Db } from '../db/client.ts';
import { definitions, type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { type FrozenFigure, frozenFigures, scopesOf } from './frozen-figures.ts';
import { previousMonth } from './months.ts';
import { frozenSnapshot, requireFrozen } from './snapshots.ts';
import { ALL_CITIES, ALL_DEPARTMENTS, checkAgainst, loadTrajectoryIndex, type TargetCheck } from './targets.ts';

export interface Counts {
  numerator: number;
  denominator: number;
}

/** One city or department to rank: its frozen figures this month and last month. */
export interface RankInput {
  scope: string;
  name: string;
  current: Partial<Record<IndicatorKey, Counts>>;
  previous: Partial<Record<IndicatorKey, Counts>> | null;
  /** Targets in force on the month's last day, for the reasons only: they never move the score. */
  targets: Partial<Record<IndicatorKey, TargetCheck>>;
}

export interface RankingRules {
  weights: Partial<Record<IndicatorKey, number>>;
  progressWeight: number;
  listSize: number;
}

export interface Reason {
  indicator: IndicatorKey;
  name: string;
  weight: number;
  percent: number;
  previous_percent: number | null;
  /** Percentage points gained since last month (null without last month's figure). */
  progress_points: number | null;
  target_percent: number | null;
  /** target − actual in percentage points: positive = behind the trajectory. */
  gap_points: number | null;
  behind: boolean | null;
  text: string;
}

export interface RankedEntry {
  rank: number;
  scope: string;
  name: string;
  /** level + progress weight × progress, two decimals. */
  score: number;
  /** Weighted mean of the indicators' percents. */
  level: number;
  /** Weighted mean month-over-month change, percentage points. */
  progress: number;
  reasons: Reason[];
  summary: string;
}

export interface RankingList {
  ranked: RankedEntry[];
  red: RankedEntry[];
  black: RankedEntry[];
  /** Entries with no weighted indicator to measure (every denominator 0). */
  unranked: { scope: string; name: string; reason: string }[];
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f + 0;
};
const pct = (c: Counts) => (100 * c.numerator) / c.denominator;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

function reasonText(r: Omit<Reason, 'text'>): string {
  const parts = [`${r.name} ${r.percent.toFixed(1)}%`];
  if (r.target_percent !== null && r.gap_points !== null) {
    parts.push(
      r.gap_points > 0
        ? `（目标 ${r.target_percent.toFixed(1)}%，落后 ${r.gap_points.toFixed(1)} 个百分点）`
        : `（目标 ${r.target_percent.toFixed(1)}%，超出 ${(-r.gap_points).toFixed(1)} 个百分点）`,
    );
  }
  parts.push(r.progress_points === null ? '，上月无数据' : `，较上月 ${signed(r.progress_points)} 个百分点`);
  return parts.join('');
}

/**
 * Ranks by score = level + progressWeight × progress, where level is the weighted mean of
 * the indicators' percents and progress the weighted mean of their change since last month
 * (weights renormalised over the indicators the entry has). Ties go to the higher level,
 * then the higher progress, then the lower code, so the same figures always give one order.
 */
export function rankEntities(inputs: readonly RankInput[], rules: RankingRules): RankingList {
  const weighted = indicatorKeys.filter((k) => (rules.weights[k] ?? 0) > 0);
  const scored: (Omit<RankedEntry, 'rank'> & { exact: number; exactLevel: number; exactProgress: number })[] = [];
  const unranked: RankingList['unranked'] = [];
  for (const input of inputs) {
    const present = weighted.filter((k) => (input.current[k]?.denominator ?? 0) > 0);
    if (present.length === 0) {
      unranked.push({ scope: input.scope, name: input.name, reason: '无可计量的指标 (no weighted indicator has a denominator)' });
      continue;
    }
    let levelSum = 0;
    let levelWeight = 0;
    let progressSum = 0;
    let progressWeight = 0;
    const reasons: Reason[] = [];
    for (const k of present) {
      const w = rules.weights[k] as number;
      const now = pct(input.current[k] as Counts);
      levelSum += w * now;
      levelWeight += w;
      const before = input.previous?.[k];
      const prev = before && before.denominator > 0 ? pct(before) : null;
      if (prev !== null) {
        progressSum += w * (now - prev);
        progressWeight += w;
      }
      const target = input.targets[k];
      const gapPoints = target?.target_percent != null ? round(target.target_percent - now, 1) : null;
      const reason = {
        indicator: k,
        name: definitions[k].name,
        weight: w,
        percent: round(now, 1),
        previous_percent: prev === null ? null : round(prev, 1),
        progress_points: prev === null ? null : round(now - prev, 1),
        target_percent: target?.target_percent ?? null,
        gap_points: gapPoints,
        behind: target?.behind ?? null,
      };
      reasons.push({ ...reason, text: reasonText(reason) });
    }
    const level = levelSum / levelWeight;
    const progress = progressWeight > 0 ? progressSum / progressWeight : 0;
    const exact = level + rules.progressWeight * progress;
    scored.push({
      scope: input.scope,
      name: input.name,
      score: round(exact, 2),
      level: round(level, 2),
      progress: round(progress, 2),
      reasons,
      summary: '',
      // Compared at 1e-6: sums taken in another order must not split a true tie.
      exact: round(exact, 6),
      exactLevel: round(level, 6),
      exactProgress: round(progress, 6),
    });
  }
  scored.sort(
    (a, b) =>
      b.exact - a.exact ||
      b.exactLevel - a.exactLevel ||
      b.exactProgress - a.exactProgress ||
      (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0),
  );
  const ranked: RankedEntry[] = scored.map(({ exact: _e, exactLevel: _l, exactProgress: _p, ...entry }, i) => ({
    ...entry,
    rank: i + 1,
    summary: entry.reasons.map((r) => r.text).join('；'),
  }));
  const redSize = Math.min(rules.listSize, ranked.length);
  const red = ranked.slice(0, redSize);
  // The black list never repeats a red entry, even when there are fewer than 2N to rank.
  const blackSize = Math.min(rules.listSize, ranked.length - redSize);
  const black = ranked
    .slice(ranked.length - blackSize)
    .reverse()
    .map((e) => {
      const worstFirst = [...e.reasons].sort(
        (a, b) => (b.gap_points ?? Number.NEGATIVE_INFINITY) - (a.gap_points ?? Number.NEGATIVE_INFINITY),
      );
      return { ...e, reasons: worstFirst, summary: worstFirst.map((r) => r.text).join('；') };
    });
  return { ranked, red, black, unranked };
}

export interface Ranking {
  month: string;
  as_of: string;
  /** The month progress is measured against; null when it was not frozen. */
  previous_month: string | null;
  weights: Partial<Record<IndicatorKey, number>>;
  progress_weight: number;
  cities: RankingList;
  departments: RankingList;
}

const countsBy = (figures: FrozenFigure[]) => {
  const by = new Map<string, Partial<Record<IndicatorKey, Counts>>>();
  for (const f of figures) {
    const entry = by.get(f.scope) ?? {};
    entry[f.indicator] = { numerator: f.numerator, denominator: f.denominator };
    by.set(f.scope, entry);
  }
  return by;
};

/** The red/black list (红黑榜) of a frozen month: cities, and separately province-level departments. */
export async function buildRanking(db: Db, month: string, settings: LeadershipSettings): Promise<Ranking> {
  const snapshot = await requireFrozen(db, month);
  const previous = await frozenSnapshot(db, previousMonth(month));
  const trajectories = await loadTrajectoryIndex(db);
  const category = async (group: typeof ALL_CITIES | typeof ALL_DEPARTMENTS, listSize: number): Promise<RankingList> => {
    const scopes = await scopesOf(db, snapshot.id, group);
    const keys = scopes.map((s) => s.scope);
    const current = countsBy(await frozenFigures(db, snapshot.id, { scopes: keys }));
    const before = previous ? countsBy(await frozenFigures(db, previous.id, { scopes: keys })) : null;
    const inputs = scopes.map((s): RankInput => {
      const figures = current.get(s.scope) ?? {};
      const facts = { scope: s.scope, level: group === ALL_CITIES ? ('city' as const) : ('department' as const), provinceLevel: true };
      const targets: RankInput['targets'] = {};
      for (const k of indicatorKeys) {
        const c = figures[k];
        if (c) targets[k] = checkAgainst(trajectories.for(facts, k), c.denominator > 0 ? c.numerator / c.denominator : null, snapshot.asOf);
      }
      return { scope: s.scope, name: s.name, current: figures, previous: before?.get(s.scope) ?? null, targets };
    });
    return rankEntities(inputs, { weights: settings.rankingWeights, progressWeight: settings.progressWeight, listSize });
  };
  return {
    month: snapshot.month,
    as_of: snapshot.asOf,
    previous_month: previous?.month ?? null,
    weights: settings.rankingWeights,
    progress_weight: settings.progressWeight,
    cities: await category(ALL_CITIES, settings.cityListSize),
    departments: await category(ALL_DEPARTMENTS, settings.departmentListSize),
  };
}
