/**
 * 覆盖地图 — the cities coloured by the chosen indicator. Geomap's GeoJSON layer colours
 * features by their properties, not by query results, so the shapes come from yunwang itself
 * with the official figure baked into each feature (<map layer>?indicator=…: numerator,
 * denominator, ratio, percent) and the style rules read `percent`. The basemap is the same
 * outline from yunwang: no tiles are fetched from the internet. The layer's path is a variable
 * (`map_layer`): the API serves the shipped province's cities today, and another province's
 * deployment points it at its own layer; the view fits the shapes, wherever they are.
 */

import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as geomap from '@grafana/grafana-foundation-sdk/geomap';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import {
  base,
  grid,
  indicatorVariable,
  lastValue,
  named,
  one,
  onPrometheus,
  promql,
  provinceVariable,
  ratioThresholds,
  variable,
} from './common.ts';

/** The cities layer yunwang serves (src/geo/routes.ts); a deployment with its own layer sets the variable. */
export const defaultMapLayer = '/geo/guangxi-cities.json';
const mapLayerVariable = () =>
  new dashboard.TextBoxVariableBuilder('map_layer')
    .label('地图图层 Map layer (GeoJSON path on yunwang)')
    .defaultValue(defaultMapLayer)
    .current({ text: defaultMapLayer, value: defaultMapLayer });
const shapes = `${variable('yunwang_url')}${variable('map_layer')}`;
const fill = (color: string) => ({ color: { fixed: color }, opacity: 0.75, lineWidth: 1 });
const below = (percent: number, color: string) => ({ check: { property: 'percent', operation: 'lt', value: percent }, style: fill(color) });

export function coverageMap() {
  return base(
    'yunwang-coverage-map',
    '云网 · 覆盖地图 Coverage map',
    'The cities coloured by the chosen indicator; shapes and figures served by yunwang.',
  )
    .withVariable(provinceVariable())
    .withVariable(indicatorVariable())
    .withVariable(mapLayerVariable())
    .withPanel(
      onPrometheus(new geomap.PanelBuilder())
        .title('各市 $indicator（%）')
        .description('Red < 60%, orange < 90%, yellow < 100%, green 100%. Hover a city for numerator / denominator.')
        .gridPos(grid(0, 0, 16, 20))
        .view(new geomap.MapViewConfigBuilder().id('fit').allLayers(true).padding(5))
        .controls(new geomap.ControlsOptionsBuilder().showZoom(true).mouseWheelZoom(true).showAttribution(false))
        .basemap(
          new common.MapLayerOptionsBuilder()
            .type('geojson')
            .name('行政区划 outline (no internet tiles)')
            .config({ src: shapes, rules: [], style: { color: { fixed: 'transparent' }, opacity: 1, lineWidth: 1 } }),
        )
        .layers([
          new common.MapLayerOptionsBuilder()
            .type('geojson')
            .name('$indicator')
            .tooltip(true)
            .config({
              src: `${shapes}?indicator=${variable('indicator')}`,
              rules: [below(60, 'red'), below(90, 'orange'), below(100, 'yellow')],
              style: fill('green'),
            }),
        ])
        .tooltip(new geomap.TooltipOptionsBuilder().mode(geomap.TooltipMode.Details))
        .withTarget(
          promql('A', named('indicator_region:yunwang_indicator:ratio{indicator="$indicator",region!="$province"}'), '{{name}}', true),
        ),
    )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('全区 Province')
        .gridPos(grid(16, 0, 8, 5))
        .unit('percentunit')
        .decimals(1)
        .thresholds(ratioThresholds())
        .withTarget(
          // Recorded by the PrometheusRule (yunwang.records): numerators over denominators of every region.
          promql('A', 'indicator:yunwang_indicator:ratio{indicator="$indicator"}'),
        ),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('各市排名 Cities')
        .gridPos(grid(16, 5, 8, 15))
        .unit('percentunit')
        .decimals(1)
        .min(0)
        .max(1)
        .thresholds(ratioThresholds())
        .withTarget(
          promql(
            'A',
            `sort_desc(${named('indicator_region:yunwang_indicator:ratio{indicator="$indicator",region!="$province"}')})`,
            '{{name}}',
            true,
          ),
        ),
    )
    .withPanel(
      onPrometheus(new table.PanelBuilder())
        .title('分子 / 分母 Numerator and denominator by city')
        .gridPos(grid(0, 20, 24, 8))
        .withTarget(promql('A', `sum by (region) (${one('yunwang_indicator_numerator{indicator="$indicator"}')})`, '', true))
        .withTarget(promql('B', `sum by (region) (${one('yunwang_indicator_denominator{indicator="$indicator"}')})`, '', true)),
    );
}
