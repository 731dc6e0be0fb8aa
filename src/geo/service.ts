import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { IndicatorCache } from '../indicators/cache.ts';
import { type IndicatorKey, indicatorKeys } from '../indicators/definitions.ts';
import { computeIndicatorsForScopes } from '../indicators/many-scopes.ts';
import { parseAt } from '../indicators/service.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { fromRoot } from '../kernel/paths.ts';

interface Feature {
  type: 'Feature';
  geometry: unknown;
  properties: { adcode: string; name: string; city_adcode?: string } & Record<string, unknown>;
}
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}

const files = {
  cities: fromRoot('data', 'guangxi-cities.geojson'),
  counties: fromRoot('data', 'guangxi-counties.geojson'),
};
const shapes = new Map<keyof typeof files, Promise<FeatureCollection>>();

/** The shipped shapes, read once per process. */
function shapesOf(layer: keyof typeof files): Promise<FeatureCollection> {
  let loaded = shapes.get(layer);
  if (!loaded) {
    loaded = readFile(files[layer], 'utf8').then((text) => JSON.parse(text) as FeatureCollection);
    shapes.set(layer, loaded);
  }
  return loaded;
}

export interface GeoQuery {
  /** Bake this indicator's figures into each feature's properties (a choropleth needs them there). */
  indicator?: string;
  at?: string;
  /** Counties only: those of this city. */
  city?: string;
}

export function parseIndicatorKey(key: string): IndicatorKey {
  if (!(indicatorKeys as readonly string[]).includes(key)) {
    throw new AppError('validation_failed', `unknown indicator "${key}"`, [
      { field: 'indicator', message: `one of ${indicatorKeys.join(', ')}` },
    ]);
  }
  return key as IndicatorKey;
}

/** Whole map layers with their figures, per (layer, city, indicator, date) and registry version. */
export const mapCache = () => new IndicatorCache<FeatureCollection>(200);

/**
 * A map date must lie within the data: from the earliest business date in the registry's
 * history to today (Asia/Shanghai). Outside it there is nothing to show, only work to do.
 */
async function mapDate(db: Db, at: string | undefined): Promise<string> {
  const date = parseAt(at);
  const today = businessDate();
  // The earliest business date in the history, or the day the first department was registered
  // (everything counted belongs to a department; undated states hold from their registration).
  const [row] = await queryRows<{ earliest: string | null }>(
    db,
    sql`select least(
          (select min(effective_at) from transitions),
          (select min(valid_from) from timeline),
          (select min((created_at at time zone 'Asia/Shanghai')::date) from departments)
        )::text as earliest`,
  );
  const earliest = row?.earliest ?? null;
  if (date > today || (earliest !== null && date < earliest)) {
    const range = earliest === null ? `up to ${today}` : `from ${earliest} to ${today}`;
    throw new AppError('validation_failed', `at ${date} is outside the data (${range})`, [
      { field: 'at', message: `must be a date ${range}` },
    ]);
  }
  return date;
}

/**
 * The cities (or one city's counties) as GeoJSON, each feature carrying the official figure
 * of the chosen indicator for that division: numerator, denominator, ratio and percent
 * (null when the division has nothing to count).
 */
export async function divisionShapes(
  db: Db,
  layer: 'cities' | 'counties',
  query: GeoQuery,
  layers?: IndicatorCache<FeatureCollection>,
): Promise<FeatureCollection> {
  const all = await shapesOf(layer);
  if (query.city !== undefined && !/^\d{6}$/.test(query.city)) {
    throw new AppError('validation_failed', `city "${query.city}" is not a six-digit division code`, [
      { field: 'city', message: 'a city code such as 450100' },
    ]);
  }
  const features = layer === 'counties' && query.city ? all.features.filter((f) => f.properties.city_adcode === query.city) : all.features;
  if (!query.indicator) return { type: 'FeatureCollection', features };
  const key = parseIndicatorKey(query.indicator);
  const at = await mapDate(db, query.at);
  if (layers) {
    return layers.getOrCompute(db, `${layer}|${query.city ?? ''}|${key}|${at}`, () =>
      divisionShapes(db, layer, { ...query, indicator: key, at }),
    );
  }
  // Every division of the layer in one pass over the rollups, not one figure at a time.
  const reports = await computeIndicatorsForScopes(
    db,
    features.map((f) => f.properties.adcode),
    at,
  );
  const withFigures = features.map((f) => {
    const report = reports.get(f.properties.adcode);
    const fig = report?.indicators.find((i) => i.key === key);
    return {
      ...f,
      properties: {
        ...f.properties,
        indicator: key,
        at,
        numerator: fig?.numerator ?? 0,
        denominator: fig?.denominator ?? 0,
        ratio: fig?.ratio ?? null,
        percent: fig?.percent ?? null,
      },
    };
  });
  return { type: 'FeatureCollection', features: withFigures };
}
