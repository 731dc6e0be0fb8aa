import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import { computeIndicators, type IndicatorReport } from '../indicators/service.ts';
import { businessDate } from '../kernel/dates.ts';
import type { JobMonitor } from '../metrics/jobs.ts';
import type { TargetSample } from '../metrics/registry.ts';
import { refreshedEvery } from '../metrics/ttl.ts';
import { checkAgainst, loadTrajectoryIndex } from './targets.ts';

/**
 * Target and gap samples for the province and each city, today, recomputed at most once per
 * `ttlMs` and behind the scrape that finds them expired (like the business gauges): scrapes in
 * between reuse them. Figures come through `cache`, the app's shared figure cache.
 */
export function targetSampleSource(
  db: Db,
  options: { ttlMs: number; jobs?: JobMonitor; now?: () => Date; cache?: IndicatorCache<IndicatorReport> },
) {
  const now = options.now ?? (() => new Date());

  const compute = async (): Promise<TargetSample[]> => {
    const today = businessDate(now());
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

  return { targetSamples: refreshedEvery(options.ttlMs, compute, { now: () => now().getTime(), jobs: options.jobs }) };
}
