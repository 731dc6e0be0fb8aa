/**
 * What the dashboards share: the variables (datasource; province, city and indicator read from
 * the label values yunwang exports, so another province's deployment needs no edit; yunwang's
 * URL), the links between the dashboards and to the console, a PromQL query helper that always
 * sets refId, and fixed grid positions (the SDK's auto-layout misplaces wide panels).
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';

/** Grafana's variable syntax, not a template literal. */
export const variable = (name: string) => `$${'{'}${name}}`;

export const datasource = { type: 'prometheus', uid: variable('datasource') };

/**
 * The province's division code: GB/T 2260 gives a province a code ending in 0000 and each of its
 * cities one ending in 00, so the province is found among the regions yunwang exports, whichever
 * province this deployment serves.
 */
export const provinceCodes = '[0-9]{2}0000';

/** The "三个100%" (上云率, 专网打通率, 对接完成率): yunwang's own indicator keys, the same in every province. */
export const threeHundreds: [string, string][] = [
  ['上云率', 'cloud_migration'],
  ['专网打通率', 'private_network_interconnection'],
  ['对接完成率', 'service_integration'],
];

const fromLabelValues = (name: string, label: string, query: string) =>
  new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(datasource)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalAsc);

export const datasourceVariable = () =>
  new dashboard.DatasourceVariableBuilder('datasource')
    .label('数据源 Prometheus')
    .type('prometheus')
    .current({ text: 'Prometheus', value: 'prometheus' });
/** The province itself (hidden): the region whose code ends in 0000. */
export const provinceVariable = () =>
  fromLabelValues('province', '省 Province', `label_values(yunwang_region_info{region=~"${provinceCodes}"}, region)`).hide(
    dashboard.VariableHide.HideVariable,
  );
/** The cities, as the deployment's own divisions: every region yunwang exports but the province. */
export const cityVariable = () =>
  fromLabelValues('city', '城市 City', `label_values(yunwang_region_info{region!~"${provinceCodes}"}, region)`);
/** The indicators yunwang exports. */
export const indicatorVariable = () =>
  fromLabelValues('indicator', '指标 Indicator', 'label_values(yunwang_indicator_numerator, indicator)');
/** The Prometheus job that scrapes the API (yunwang-api under the ServiceMonitor). */
export const jobVariable = () => fromLabelValues('job', '抓取任务 Scrape job', 'label_values(yunwang_build_info, job)');
/** Where the browser reaches yunwang (the console links and the geomap's GeoJSON). */
export const yunwangUrlVariable = () =>
  new dashboard.TextBoxVariableBuilder('yunwang_url')
    .label('云网地址 yunwang URL')
    .defaultValue('http://localhost:8080')
    .current({ text: 'http://localhost:8080', value: 'http://localhost:8080' });

/** Every panel names its datasource: the `datasource` variable, as its queries do. */
export const onPrometheus = <T extends { datasource(ref: { type: string; uid: string }): T }>(panel: T): T => panel.datasource(datasource);

/** A PromQL target; business gauges are the same on every replica, hence `max without (instance, pod)` in the callers. */
export function promql(refId: string, expr: string, legend = '', instant = false) {
  const q = new prometheus.DataqueryBuilder().datasource(datasource).refId(refId).expr(expr);
  if (legend) q.legendFormat(legend);
  return instant ? q.instant().format(prometheus.PromQueryFormat.Table) : q.range();
}

export const grid = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });

/** Red below 60%, orange below 90%, green from 90% (ratios 0–1). */
export const ratioThresholds = () =>
  new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'red' },
    { value: 0.6, color: 'orange' },
    { value: 0.9, color: 'green' },
  ]);

/** One business gauge as the cluster sees it: replicas export the same value. */
export const one = (expr: string) => `max without (instance, pod) (${expr})`;

/** Joins each region's name from yunwang_region_info: legends show the division's name, not its code. */
export const named = (expr: string) => `${expr} * on (region) group_left (name) ${one('yunwang_region_info')}`;

/** The dashboards, by uid, as each links to the others. */
export const dashboardTitles: Record<string, string> = {
  'yunwang-multi-cloud': '多云管理 Multi-cloud',
  'yunwang-migration-progress': '迁移进度 Migration progress',
  'yunwang-coverage-map': '覆盖地图 Coverage map',
  'yunwang-situational-awareness': '态势感知 Situational awareness',
  'yunwang-self': '云网自身 yunwang itself',
};

/** Links to every other dashboard (keeping the time range and variables) and to yunwang's console. */
function links(uid: string) {
  const others = Object.entries(dashboardTitles)
    .filter(([other]) => other !== uid)
    .map(([other, title]) =>
      new dashboard.DashboardLinkBuilder(title)
        .type(dashboard.DashboardLinkType.Link)
        .url(`/d/${other}`)
        .icon('dashboard')
        .keepTime(true)
        .includeVars(true),
    );
  const console = new dashboard.DashboardLinkBuilder('控制台 Console')
    .type(dashboard.DashboardLinkType.Link)
    .url(`${variable('yunwang_url')}/console`)
    .icon('external link')
    .tooltip('yunwang console (云网控制台)')
    .targetBlank(true);
  return [...others, console];
}

export function base(uid: string, title: string, description: string) {
  return new dashboard.DashboardBuilder(title)
    .links(links(uid))
    .uid(uid)
    .description(description)
    .tags(['yunwang', '云网'])
    .timezone('Asia/Shanghai')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .editable()
    .withVariable(datasourceVariable())
    .withVariable(yunwangUrlVariable());
}

/** Stat and bar gauge panels show the latest value of each series. */
export const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
