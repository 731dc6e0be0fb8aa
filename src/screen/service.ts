import { troubledNodes } from '../alerts/nodes.ts';
import { firingCriticalAlerts } from '../alerts/service.ts';
import type { LeadershipSettings } from '../config.ts';
import type { Db } from '../db/client.ts';
import { divisionShapes } from '../geo/service.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import { threeHundred } from '../indicators/definitions.ts';
import { computeIndicators, type IndicatorReport } from '../indicators/service.ts';
import { frozenSeries } from '../leadership/frozen-figures.ts';
import { buildRanking, type RankedEntry, type RankingList } from '../leadership/ranking.ts';
import { listSnapshots } from '../leadership/snapshots.ts';
import type { Screen } from './schemas.ts';

/** The province: the scope of the screen's figures and trends. */
export const provinceScope = '450000';
/** How much each list on the screen shows: a wall screen is read from across the room. */
export const screenLimits = { alerts: 10, nodes: 10, trendMonths: 12 } as const;
/** Nodes read to find the down ones (troubledNodes puts them first). */
const nodeScan = 200;

const entry = (e: RankedEntry) => ({ rank: e.rank, scope: e.scope, name: e.name, score: e.score, summary: e.summary });
const redBlack = (list: RankingList) => ({ red: list.red.map(entry), black: list.black.map(entry) });

export interface ScreenSources {
  cache?: IndicatorCache<IndicatorReport>;
  leadership: LeadershipSettings;
}

/**
 * Everything the wall screen (大屏) shows, in one answer, read through the services the rest
 * of yunwang reads: the official figures (the same cache as the API), the frozen series, the
 * red/black list of the latest frozen month, the firing critical alerts and the nodes down.
 */
export async function readScreen(db: Db, actor: Actor, sources: ScreenSources): Promise<Screen> {
  assertCan(actor.access, 'read', 'screen');
  const { cache, leadership } = sources;
  const province = await computeIndicators(db, { scope: provinceScope }, cache);
  const figures = await Promise.all(
    threeHundred.map(async (key) => {
      const f = province.indicators.find((i) => i.key === key);
      const series = await frozenSeries(db, { scope: provinceScope, indicator: key });
      return {
        key,
        name: f?.name ?? key,
        name_en: f?.name_en ?? key,
        numerator: f?.numerator ?? 0,
        denominator: f?.denominator ?? 0,
        percent: f?.percent ?? null,
        trend: series.slice(-screenLimits.trendMonths).map((p) => ({ month: p.month, percent: p.percent })),
      };
    }),
  );

  // The map's cities are the shipped shapes' (as /geo/guangxi-cities.json), each with its figures.
  const shapes = await divisionShapes(db, 'cities', {});
  const cities = await Promise.all(
    shapes.features
      .map((f) => f.properties)
      .sort((a, b) => a.adcode.localeCompare(b.adcode))
      .map(async ({ adcode, name }) => {
        const report = await computeIndicators(db, { scope: adcode, at: province.at }, cache);
        const percents = Object.fromEntries(
          threeHundred.map((key) => [key, report.indicators.find((i) => i.key === key)?.percent ?? null]),
        ) as Record<(typeof threeHundred)[number], number | null>;
        return { adcode, name, percents };
      }),
  );

  const latest = (await listSnapshots(db)).filter((s) => s.status === 'frozen').at(-1);
  const ranking = latest ? await buildRanking(db, latest.month, leadership) : null;

  const alerts = await firingCriticalAlerts(db, screenLimits.alerts);
  const down = (await troubledNodes(db, nodeScan)).filter((n) => n.live_state === 'down');

  return {
    at: province.at,
    generated_at: new Date().toISOString(),
    province: { scope: province.scope, name: province.scope_name },
    figures,
    cities,
    ranking: ranking ? { month: ranking.month, cities: redBlack(ranking.cities), departments: redBlack(ranking.departments) } : null,
    alerts,
    nodes_down: {
      total: down.length,
      items: down.slice(0, screenLimits.nodes).map((n) => ({ code: n.code, name: n.name, region_name: n.region_name, since: n.since })),
    },
  };
}
