/**
 * The map shapes served by the app (/geo/…): the 14 cities and each city's counties, with the
 * chosen indicator's official figures baked into each feature — the same figures as the
 * indicators API for that division. Signed-in readers only (issue 14): the console's map sends
 * its session cookie; the refusals are in exposure-hardening.test.ts.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadDemoData } from '../../src/demo/load.ts';
import { computeIndicators } from '../../src/indicators/service.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { bumpRegistryVersion } from '../../src/registry/version.ts';
import { type ApiClient, apiClient } from '../helpers/api.ts';
import { callerWith } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';

interface Feature {
  properties: { adcode: string; name: string; city_adcode?: string; numerator?: number; denominator?: number; percent?: number | null };
}
const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };

describeEachBackend('map shapes', (getDb) => {
  let app: App;
  /** Requests as a leader, a signed-in reader. */
  let api: ApiClient;
  beforeAll(async () => {
    await loadDivisions(getDb().db);
    await loadDemoData(getDb().db, { scale: 0.2 });
    app = createApp({ database: getDb(), config });
    api = apiClient(app, await callerWith(getDb().db, ['leader']));
  }, 120_000);

  const features = async (path: string): Promise<Feature[]> => {
    const res = await api.get<{ features: Feature[] }>(path);
    expect(res.status, res.text).toBe(200);
    return res.body.features;
  };

  it('serves the 14 cities to a signed-in reader, each feature carrying the figures of the indicators API', async () => {
    const plain = await features('/geo/guangxi-cities.json');
    expect(plain).toHaveLength(14);
    expect(plain[0]?.properties).not.toHaveProperty('percent');

    const cities = await features('/geo/guangxi-cities.json?indicator=cloud_migration&at=2020-07-31');
    expect(cities.map((f) => f.properties.adcode).sort()).toEqual(plain.map((f) => f.properties.adcode).sort());
    let counted = 0;
    for (const f of cities) {
      const report = await computeIndicators(getDb().db, { scope: f.properties.adcode, at: '2020-07-31' });
      const official = report.indicators.find((i) => i.key === 'cloud_migration');
      expect([f.properties.numerator, f.properties.denominator, f.properties.percent]).toEqual([
        official?.numerator,
        official?.denominator,
        official?.percent,
      ]);
      counted += f.properties.denominator ?? 0;
    }
    expect(counted).toBeGreaterThan(0);
  });

  it("serves one city's counties", async () => {
    const counties = await features('/geo/guangxi-counties.json?city=450100&indicator=private_network_interconnection');
    expect(counties.length).toBeGreaterThan(5);
    expect(counties.every((f) => f.properties.city_adcode === '450100')).toBe(true);
    expect(counties.every((f) => typeof f.properties.denominator === 'number')).toBe(true);
  });

  it('refuses an unknown indicator or a malformed city with problem+json naming the field', async () => {
    for (const [path, field] of [
      ['/geo/guangxi-cities.json?indicator=nope', 'indicator'],
      ['/geo/guangxi-counties.json?city=45', 'city'],
    ] as const) {
      const res = await api.get<{ errors: { field: string }[] }>(path);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e) => e.field)).toContain(field);
    }
  });

  // Last in the file: it rewrites history behind the registry's back.
  it('computes a layer once per (indicator, date, registry version): a repeat is served from the cache until the registry changes', async () => {
    const path = '/geo/guangxi-cities.json?indicator=cloud_migration&at=2020-06-30';
    const total = (fs: Feature[]) => fs.reduce((n, f) => n + (f.properties.numerator ?? 0), 0);
    const first = total(await features(path));
    expect(first).toBeGreaterThan(0);
    // Undo every migration in the figures' source without bumping the registry version, as no
    // write path would: the cached layer must not notice ...
    // (The figures are read from the indicator rollups, which the write paths keep.)
    await getDb().db.execute(sql`update rollup_checkpoints set numerator = 0 where indicator = 'cloud_migration'`);
    await getDb().db.execute(sql`update rollup_deltas set numerator = 0 where indicator = 'cloud_migration'`);
    expect(total(await features(path))).toBe(first);
    // ... until the registry says it changed.
    await bumpRegistryVersion(getDb().db);
    expect(total(await features(path))).toBeLessThan(first);
  });
});
