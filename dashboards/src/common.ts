/**
 * What the four dashboards share: the variables (datasource, city, indicator, yunwang's URL),
 * a PromQL query helper that always sets refId, and fixed grid positions (the SDK's
 * auto-layout misplaces wide panels).
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';

/** Grafana's variable syntax, not a template literal. */
export const variable = (name: string) => `$${'{'}${name}}`;

export const datasource = { type: 'prometheus', uid: variable('datasource') };

/** The 14 cities (GB/T 2260), for the city variable: text shown, code sent. */
export const cities: [string, string][] = [
  ['南宁市', '450100'],
  ['柳州市', '450200'],
  ['桂林市', '450300'],
  ['梧州市', '450400'],
  ['北海市', '450500'],
  ['防城港市', '450600'],
  ['钦州市', '450700'],
  ['贵港市', '450800'],
  ['玉林市', '450900'],
  ['百色市', '451000'],
  ['贺州市', '451100'],
  ['河池市', '451200'],
  ['来宾市', '451300'],
  ['崇左市', '451400'],
];

export const indicators: [string, string][] = [
  ['上云率', 'cloud_migration'],
  ['专网打通率', 'private_network_interconnection'],
  ['对接完成率', 'service_integration'],
  ['横向网络覆盖率（市级）', 'horizontal_coverage_city'],
  ['横向网络覆盖率（县级）', 'horizontal_coverage_county'],
  ['横向网络覆盖率（乡镇级）', 'horizontal_coverage_township'],
  ['电子政务外网横向接入率', 'extranet_access'],
  ['数据中心整合率', 'data_centre_consolidation'],
  ['网上可办率', 'online_service'],
  ['最多跑一次率', 'one_visit'],
  ['等保测评率', 'security_assessment'],
  ['灾备覆盖率', 'dr_coverage'],
];

/** The "三个100%": 上云率, 专网打通率, 对接完成率. */
export const threeHundreds = indicators.slice(0, 3);

const custom = (name: string, label: string, options: [string, string][]) => {
  const [text, value] = options[0] as [string, string];
  return new dashboard.CustomVariableBuilder(name)
    .label(label)
    .values(options.map(([t, v]) => `${t} : ${v}`).join(','))
    .current({ text, value, selected: true });
};

export const datasourceVariable = () =>
  new dashboard.DatasourceVariableBuilder('datasource')
    .label('数据源 Prometheus')
    .type('prometheus')
    .current({ text: 'Prometheus', value: 'prometheus' });
export const cityVariable = () => custom('city', '城市 City', cities);
export const indicatorVariable = () => custom('indicator', '指标 Indicator', indicators);
/** Where the browser reaches yunwang (the geomap fetches its GeoJSON from there). */
export const yunwangUrlVariable = () =>
  new dashboard.TextBoxVariableBuilder('yunwang_url')
    .label('云网地址 yunwang URL')
    .defaultValue('http://localhost:8080')
    .current({ text: 'http://localhost:8080', value: 'http://localhost:8080' });

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

export function base(uid: string, title: string, description: string) {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['yunwang', '云网'])
    .timezone('Asia/Shanghai')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .editable()
    .withVariable(datasourceVariable());
}

/** Stat and bar gauge panels show the latest value of each series. */
export const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
