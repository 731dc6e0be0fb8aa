/**
 * The committed dashboards/json/*.json is what `npm run dashboards` generates from
 * dashboards/src/ (regenerated here in memory): a stale file fails. And each dashboard keeps
 * the properties Grafana needs: a refId and grid position everywhere, the variables, and a
 * geomap that fetches nothing from the internet.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { variable } from '../../dashboards/src/common.ts';
import { renderDashboards } from '../../dashboards/src/index.ts';

const dir = fileURLToPath(new URL('../../dashboards/json/', import.meta.url));
const rendered = renderDashboards();

interface Panel {
  type: string;
  title: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: { refId?: string; expr?: string }[];
  options?: { basemap?: { type: string; config?: { src?: string } }; layers?: { type: string; config?: { src?: string } }[] };
}
const panelsOf = (file: string) => (JSON.parse(rendered[file] as string) as { panels: Panel[] }).panels;
const variablesOf = (file: string) =>
  (JSON.parse(rendered[file] as string) as { templating: { list: { name: string }[] } }).templating.list.map((v) => v.name);

describe('dashboards', () => {
  it('commits exactly what npm run dashboards generates', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(rendered).sort());
    for (const [file, json] of Object.entries(rendered)) {
      expect(readFileSync(`${dir}${file}`, 'utf8'), `dashboards/json/${file} is stale: run npm run dashboards`).toBe(json);
    }
  });

  it('gives every query a refId unique in its panel, and every panel a place on the grid', () => {
    for (const file of Object.keys(rendered)) {
      for (const panel of panelsOf(file)) {
        expect(panel.gridPos, `${file}: ${panel.title}`).toMatchObject({ w: expect.any(Number), h: expect.any(Number) });
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(
          refIds.every((r) => typeof r === 'string' && r !== ''),
          `${file}: ${panel.title}`,
        ).toBe(true);
        expect(new Set(refIds).size, `${file}: ${panel.title}`).toBe(refIds.length);
      }
    }
  });

  it('offers the datasource, city and indicator variables', () => {
    const all = new Set(Object.keys(rendered).flatMap(variablesOf));
    expect([...all].sort()).toEqual(['city', 'datasource', 'indicator', 'yunwang_url']);
    for (const file of Object.keys(rendered)) expect(variablesOf(file)).toContain('datasource');
  });

  it('draws the coverage map from the GeoJSON yunwang serves, with no internet tiles', () => {
    const map = panelsOf('coverage-map.json').find((p) => p.type === 'geomap');
    const layers = [map?.options?.basemap, ...(map?.options?.layers ?? [])];
    expect(layers.map((l) => l?.type)).toEqual(['geojson', 'geojson']);
    expect(layers.map((l) => l?.config?.src)).toEqual([
      `${variable('yunwang_url')}/geo/guangxi-cities.json`,
      `${variable('yunwang_url')}/geo/guangxi-cities.json?indicator=${variable('indicator')}`,
    ]);
    expect(rendered['coverage-map.json']).not.toMatch(/https?:\/\/(?!localhost)|arcgis|carto|openstreetmap|"xyz"/i);
  });

  it('has a row of the interconnection figures, read from their /metrics gauges', () => {
    const panels = panelsOf('migration-progress.json');
    const row = panels.findIndex((p) => p.type === 'row' && p.title.includes('互联互通'));
    expect(row).toBeGreaterThan(0);
    const exprs = panels.slice(row + 1).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
    for (const gauge of [
      'yunwang_interface_services',
      'yunwang_exchange_volume',
      'yunwang_exchange_volume_daily_average',
      'yunwang_interconnection_systems_served',
      'yunwang_interconnection_connected_units',
    ]) {
      expect(
        exprs.some((e) => new RegExp(`\\b${gauge}\\b`).test(e)),
        gauge,
      ).toBe(true);
    }
  });
});
