import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import { computeIndicators, type IndicatorReport } from '../indicators/service.ts';
import type { TargetSample } from '../metrics/registry.ts';
import { todayIso } from '../registry/history.ts';
import { checkAgainst, loadTrajectoryIndex } from './targets.ts';

/**
 * Target and gap samples for the province and each city, today, kept for `ttlMs`: scrapes
 * in between (and every replica's scrape of the same moment) reuse them.
 */
export function targetSampleSource(
  db: Db,
  options: { ttlMs: number; now?: () => Date /** The app's shared figure cache. */; cache?: IndicatorCache<IndicatorReport> },
) {
  const now = options.now ?? (() => new Date());
  let cached: { at: number; samples: TargetSample[] } | null = null;
  let inFlight: Promise<TargetSample[]> | null = null;

  const compute = async (): Promise<TargetSample[]> => {
    const today = todayIso(now());
    const regions = await queryRows<{ code: string; level: 'province' | 'city' }>(
      db,
      sql`select code, level from regions where level in ('province', 'city') order by code`,
    );
    const trajectories = await loadTrajectoryIndex(db);
    const samples: TargetSample[] = [];
    for (const region of regions) {
      const report = await computeIndicators(db, { scope: region.code, at: today }, options.cache);
      for (const f of report.indicators) {
        const check = checkAgainst(
          trajectories.for({ scope: region.code, level: region.level, provinceLevel: false }, f.key),
          f.ratio,
          today,
        );
        if (check.target === null) continue;
        samples.push({ indicator: f.key, region: region.code, target: check.target, gap: check.gap });
      }
    }
    return samples;
  };

  return {
    targetSamples: async (): Promise<TargetSample[]> => {
      const t = now().getTime();
      if (cached && t - cached.at < options.ttlMs) return cached.samples;
      // One computation at a time: concurrent scrapes wait for it instead of each scanning the registry.
      inFlight ??= compute()
        .then((samples) => {
          cached = { at: t, samples };
          return samples;
        })
        .finally(() => {
          inFlight = null;
        });
      return inFlight;
    },
  };
}
