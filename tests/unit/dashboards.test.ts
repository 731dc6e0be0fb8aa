/**
 * The committed dashboards/json/*.json is what `npm run dashboards` generates from
 * dashboards/src/ (regenerated here in memory): a stale file fails. And each dashboard keeps
 * the properties Grafana needs and an operator relies on: a refId, a grid position and a
 * datasource everywhere; region and indicator lists read from label values, with no division of
 * the shipped province written in (another province's deployment must work unchanged); links to
 * every other dashboard and to the console that lead somewhere; node up/down as a state
 * timeline; a geomap that fetches nothing from the internet; and a "yunwang itself" dashboard
 * reading the self metrics of issue 19.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { variable } from '../../dashboards/src/common.ts';
import { defaultMapLayer } from '../../dashboards/src/coverage-map.ts';
import { renderDashboards } from '../../dashboards/src/index.ts';

const root = new URL('../../', import.meta.url);
const dir = fileURLToPath(new URL('dashboards/json/', root));
const rendered = renderDashboards();

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
  options?: { basemap?: { type: string; config?: { src?: string } }; layers?: { type: string; config?: { src?: string } }[] };
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  current?: { value?: string };
}
interface Link {
  title: string;
  type: string;
  url?: string;
  tags?: string[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  links?: Link[];
  templating: { list: Variable[] };
}
const parsed = Object.fromEntries(Object.entries(rendered).map(([file, json]) => [file, JSON.parse(json) as Dashboard]));
const panelsOf = (file: string) => (parsed[file] as Dashboard).panels;
const variablesOf = (file: string) => (parsed[file] as Dashboard).templating.list.map((v) => v.name);
const allPanels = (d: Dashboard): Panel[] => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

const prometheus = { type: 'prometheus', uid: variable('datasource') };

/** Every panel but a row (which queries nothing) names the datasource, and so does each of its queries. */
function datasourceProblems(d: Dashboard): string[] {
  const problems: string[] = [];
  for (const p of allPanels(d)) {
    if (p.type === 'row') continue;
    if (p.datasource?.type !== prometheus.type || p.datasource?.uid !== prometheus.uid)
      problems.push(`${d.uid}: ${p.title}: no datasource`);
    for (const t of p.targets ?? []) {
      if (t.datasource?.uid !== prometheus.uid) problems.push(`${d.uid}: ${p.title} (${t.refId}): query without the datasource`);
    }
  }
  return problems;
}

/**
 * The shipped province's divisions, from its reference file: codes (45xxxx) and names (广西,
 * 南宁市, 南宁 …). The only exception is the map layer's default path, the route the API serves
 * its shapes under (src/geo/routes.ts), which a deployment overrides with its own layer.
 */
const divisions = readFileSync(new URL('data/guangxi-divisions.csv', root), 'utf8')
  .split('\n')
  .slice(1)
  .map((line) => line.split(','))
  .filter((cells) => cells.length > 2);
const shippedProvince = divisions.find(([code]) => code?.endsWith('0000'))?.[0] ?? '';
const shippedNames = divisions
  .filter(([code]) => code?.endsWith('00'))
  .flatMap((cells) => cells.filter((c) => /[\u4e00-\u9fff]{2,}/.test(c)))
  .flatMap((name) => [name, name.replace(/(壮族自治区|自治区|市|区|县)$/, '')])
  .filter((name) => name.length >= 2);
function hardCodedProblems(d: Dashboard): string[] {
  const withoutLayer = JSON.stringify(d).replaceAll(defaultMapLayer, '');
  const problems: string[] = [];
  for (const code of withoutLayer.match(new RegExp(`\\b${shippedProvince.slice(0, 2)}\\d{4}\\b`, 'g')) ?? []) {
    problems.push(`${d.uid}: division code ${code} written in`);
  }
  for (const name of new Set(shippedNames)) if (withoutLayer.includes(name)) problems.push(`${d.uid}: division name ${name} written in`);
  if (/guangxi/i.test(withoutLayer)) problems.push(`${d.uid}: "guangxi" written in`);
  return problems;
}

/** A link to another dashboard must name one that exists; a link out must start at a variable the dashboard defines. */
function linkProblems(d: Dashboard, uids: Set<string>): string[] {
  const problems: string[] = [];
  const names = new Set(d.templating.list.map((v) => v.name));
  for (const link of d.links ?? []) {
    if (link.type !== 'link' || !link.url) {
      problems.push(`${d.uid}: link ${link.title} has no URL`);
      continue;
    }
    const internal = /^\/d\/([\w-]+)$/.exec(link.url);
    if (internal) {
      if (!uids.has(internal[1] as string)) problems.push(`${d.uid}: link ${link.title} to a dashboard that does not exist: ${link.url}`);
      continue;
    }
    const out = /^\$\{(\w+)\}(\/.*)$/.exec(link.url);
    if (!out) problems.push(`${d.uid}: link ${link.title} leads to a fixed host: ${link.url}`);
    else if (!names.has(out[1] as string)) problems.push(`${d.uid}: link ${link.title} uses an undefined variable $${out[1]}`);
  }
  return problems;
}

const uids = new Set(Object.values(parsed).map((d) => d.uid));

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

  it('names the datasource on every panel and every query', () => {
    for (const d of Object.values(parsed)) expect(datasourceProblems(d)).toEqual([]);
    // The check sees a panel that lacks it.
    const broken = structuredClone(parsed['multi-cloud.json'] as Dashboard);
    delete (broken.panels[0] as Panel).datasource;
    expect(datasourceProblems(broken)).toEqual([`yunwang-multi-cloud: ${broken.panels[0]?.title}: no datasource`]);
  });

  it('reads regions and indicators from label values, with no division of the shipped province written in', () => {
    expect(shippedProvince).toMatch(/^\d{2}0000$/);
    expect(shippedNames.length).toBeGreaterThan(14);
    for (const d of Object.values(parsed)) {
      expect(hardCodedProblems(d)).toEqual([]);
      for (const v of d.templating.list.filter((x) => ['province', 'city', 'indicator', 'job'].includes(x.name))) {
        expect(v.type, `${d.uid}: $${v.name}`).toBe('query');
        expect(String(v.query), `${d.uid}: $${v.name}`).toMatch(/^label_values\(/);
      }
      expect(
        d.templating.list.some((v) => v.type === 'custom'),
        `${d.uid}: a fixed list`,
      ).toBe(false);
    }
    // The check sees a city or a division name written into a query.
    const broken = structuredClone(parsed['migration-progress.json'] as Dashboard);
    (broken.panels[0]?.targets?.[0] as Target).expr =
      'yunwang_indicator_ratio{region="450100"} or yunwang_indicator_ratio{region="南宁市"}';
    expect(hardCodedProblems(broken)).toEqual(
      expect.arrayContaining([
        'yunwang-migration-progress: division code 450100 written in',
        'yunwang-migration-progress: division name 南宁市 written in',
      ]),
    );
  });

  it('offers the datasource and yunwang URL everywhere, and the variables each query uses', () => {
    for (const [file, d] of Object.entries(parsed)) {
      const names = variablesOf(file);
      expect(names).toEqual(expect.arrayContaining(['datasource', 'yunwang_url']));
      const used = new Set(
        JSON.stringify(d.panels)
          .match(/\$\{?(\w+)/g)
          ?.map((m) => m.replace(/^\$\{?/, ''))
          .filter((n) => !n.startsWith('__')),
      );
      for (const name of used) expect(names, `${file} uses $${name}`).toContain(name);
    }
  });

  it('links every dashboard to every other and to the console, and every link leads somewhere', () => {
    for (const d of Object.values(parsed)) {
      expect(linkProblems(d, uids)).toEqual([]);
      const targets = (d.links ?? []).map((l) => l.url);
      for (const other of uids) if (other !== d.uid) expect(targets, d.uid).toContain(`/d/${other}`);
      expect(targets, d.uid).toContain(`${variable('yunwang_url')}/console`);
    }
    // The console is a page the app serves.
    expect(readFileSync(new URL('src/console/routes.tsx', root), 'utf8')).toContain("app.get('/console',");
    // The check sees a link to a dashboard that is gone, and one to a fixed host.
    const broken = structuredClone(parsed['multi-cloud.json'] as Dashboard);
    broken.links = [
      { title: 'gone', type: 'link', url: '/d/yunwang-gone' },
      { title: 'fixed', type: 'link', url: 'http://10.1.2.3/console' },
    ];
    expect(linkProblems(broken, uids)).toHaveLength(2);
  });

  it('draws each node up or down over time in a state timeline', () => {
    const timeline = panelsOf('situational-awareness.json').find((p) => p.type === 'state-timeline');
    expect(timeline?.targets?.[0]?.expr).toMatch(/\byunwang_network_node_up\b/);
  });

  it('draws the coverage map from the GeoJSON yunwang serves, with no internet tiles', () => {
    const map = panelsOf('coverage-map.json').find((p) => p.type === 'geomap');
    const layers = [map?.options?.basemap, ...(map?.options?.layers ?? [])];
    expect(layers.map((l) => l?.type)).toEqual(['geojson', 'geojson']);
    expect(layers.map((l) => l?.config?.src)).toEqual([
      `${variable('yunwang_url')}${variable('map_layer')}`,
      `${variable('yunwang_url')}${variable('map_layer')}?indicator=${variable('indicator')}`,
    ]);
    // The default layer is the route the API serves its cities under.
    expect(readFileSync(new URL('src/geo/routes.ts', root), 'utf8')).toContain(
      `path: \`${defaultMapLayer.replace('cities', variable('layer'))}\``,
    );
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

  it('has a "yunwang itself" dashboard reading its build, routes, pool, jobs and runtime', () => {
    const exprs = allPanels(parsed['yunwang-self.json'] as Dashboard)
      .flatMap((p) => p.targets ?? [])
      .map((t) => t.expr ?? '')
      .join('\n');
    for (const metric of [
      'yunwang_build_info',
      'route_status:yunwang_http_requests:rate5m',
      'route:yunwang_http_request_duration_seconds:p95_5m',
      'namespace:yunwang_http_requests_5xx:ratio_rate5m',
      'yunwang_db_pool_connections',
      'yunwang_db_pool_waiting_requests',
      'exported_job:yunwang_job_last_success:age_seconds',
      'yunwang_job_interval_seconds',
      'yunwang_job_failures_total',
      'yunwang_job_duration_seconds_sum',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(exprs, metric).toContain(metric);
    }
  });
});
