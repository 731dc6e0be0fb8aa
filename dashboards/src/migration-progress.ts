/**
 * 迁移进度 — the "三个100%" (上云率, 专网打通率, 对接完成率) for the province, each city and the
 * province-level departments (区直部门, the province's own code), against their targets; and a row of
 * the interconnection figures (互联互通). Department by
 * department figures are not in Prometheus (department codes are not metric labels); they are
 * in the yunwang console and API (/api/v1/indicators?scope=dept:<code>), and Grafana has no
 * built-in JSON datasource to read them without a plugin.
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as text from '@grafana/grafana-foundation-sdk/text';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import {
  base,
  cityVariable,
  grid,
  indicatorVariable,
  lastValue,
  named,
  one,
  onPrometheus,
  promql,
  provinceVariable,
  ratioThresholds,
  threeHundreds,
} from './common.ts';

/** Recorded by the PrometheusRule (yunwang.records): numerators over denominators of every region. */
const provinceRatio = (key: string) => `indicator:yunwang_indicator:ratio{indicator="${key}"}`;
/** Recorded too: each city's numerators over its denominators, summed over department levels. */
const cityRatios = (selector: string) => `indicator_region:yunwang_indicator:ratio{${selector},region!="$province"}`;
const three = threeHundreds.map(([, key]) => key).join('|');

export function migrationProgress() {
  const builder = base(
    'yunwang-migration-progress',
    '云网 · 迁移进度 三个100% Migration progress',
    '上云率, 专网打通率, 对接完成率 for the province, each city and the province-level departments, against targets.',
  )
    .withVariable(provinceVariable())
    .withVariable(cityVariable())
    .withVariable(indicatorVariable());

  threeHundreds.forEach(([name, key], i) => {
    builder.withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title(`全区${name} Province`)
        .description('Sum of numerators over sum of denominators across every region; B is the province target in force today.')
        .gridPos(grid(i * 8, 0, 8, 5))
        .unit('percentunit')
        .decimals(1)
        .min(0)
        .max(1)
        .thresholds(ratioThresholds())
        .withTarget(promql('A', provinceRatio(key), '实际 actual'))
        .withTarget(promql('B', one(`yunwang_target_ratio{indicator="${key}",region="$province"}`), '目标 target')),
    );
    builder.withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title(`各市${name} By city`)
        .gridPos(grid(i * 8, 5, 8, 12))
        .unit('percentunit')
        .decimals(1)
        .min(0)
        .max(1)
        .thresholds(ratioThresholds())
        .withTarget(promql('A', `sort(${named(cityRatios(`indicator="${key}"`))})`, '{{name}}', true)),
    );
  });

  return builder
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('区直部门 Province-level departments (本级)')
        .gridPos(grid(0, 17, 8, 7))
        .unit('percentunit')
        .decimals(1)
        .min(0)
        .max(1)
        .thresholds(ratioThresholds())
        .withTarget(promql('A', one(`yunwang_indicator_ratio{region="$province",indicator=~"${three}"}`), '{{indicator}}', true)),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('对接完成率 按部门层级 Integration by department level')
        .gridPos(grid(8, 17, 8, 7))
        .unit('percentunit')
        .decimals(1)
        .min(0)
        .max(1)
        .thresholds(ratioThresholds())
        .withTarget(
          promql(
            'A',
            `sum by (level) (${one('yunwang_indicator_numerator{indicator="service_integration"}')}) / sum by (level) (${one('yunwang_indicator_denominator{indicator="service_integration"}')})`,
            '{{level}}',
            true,
          ),
        ),
    )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('待认定 Awaiting classification')
        .gridPos(grid(16, 17, 8, 7))
        .withTarget(promql('A', `sum by (kind) (${one('yunwang_pending_items')})`, '{{kind}}')),
    )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('所选城市 三个100% vs 目标 Selected city against targets')
        .gridPos(grid(0, 24, 12, 6))
        .unit('percentunit')
        .decimals(1)
        .thresholds(ratioThresholds())
        .withTarget(promql('A', one(`yunwang_indicator_ratio{region="$city",indicator=~"${three}"}`), '{{indicator}} 实际'))
        .withTarget(promql('B', one(`yunwang_target_ratio{region="$city",indicator=~"${three}"}`), '{{indicator}} 目标')),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('距目标差距 Gap to target by city (positive = behind)')
        .gridPos(grid(12, 24, 12, 6))
        .unit('percentunit')
        .withTarget(promql('A', named(one('yunwang_target_gap_ratio{indicator="$indicator",region!="$province"}')), '{{name}}')),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('全区趋势 Province trend')
        .gridPos(grid(0, 30, 24, 8))
        .unit('percentunit')
        .min(0)
        .max(1)
        .withTarget(promql('A', provinceRatio('cloud_migration'), '上云率'))
        .withTarget(promql('B', provinceRatio('private_network_interconnection'), '专网打通率'))
        .withTarget(promql('C', provinceRatio('service_integration'), '对接完成率')),
    )
    .withPanel(
      onPrometheus(new text.PanelBuilder())
        .title('部门明细 Department by department')
        .gridPos(grid(0, 38, 24, 3))
        .content(
          '逐部门数据见云网控制台和 API：`/api/v1/indicators?scope=dept:<部门编码>`。Prometheus 只按城市与层级汇总（部门编码不作标签）。' +
            ' Department-by-department figures are in the yunwang console and API; Prometheus holds them by city and level only.',
        ),
    )
    .withRow(new dashboard.RowBuilder('互联互通 Interconnection').gridPos(grid(0, 41, 24, 1)))
    .withPanel(interconnectionStats())
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('各市接口服务 Interface services by city')
        .description('Services published today whose provider system belongs to a department of the city (区直: the province itself).')
        .gridPos(grid(0, 47, 12, 10))
        .withTarget(promql('A', `sort_desc(${named(one('yunwang_interface_services'))})`, '{{name}}', true)),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('日均交换量趋势 Daily average exchanges')
        .description('Exchanges per day of the published services, from the first daily count to today.')
        .gridPos(grid(12, 47, 12, 10))
        .withTarget(promql('A', `sum(${one('yunwang_exchange_volume_daily_average')})`, '全区 province'))
        .withTarget(promql('B', named(one('yunwang_exchange_volume_daily_average{region="$city"}')), '{{name}}')),
    );
}

/**
 * The interconnection figures (互联互通) of the province: services and volumes sum over the
 * regions (a service has one provider); systems served and connected units are per region only,
 * a system or department serving several regions counting in each, so the province's are in the
 * console and GET /api/v1/interconnection.
 */
function interconnectionStats() {
  return onPrometheus(new stat.PanelBuilder())
    .reduceOptions(lastValue())
    .title('全区互联互通 Province interconnection (cumulative)')
    .description(
      'Interface services published today, cumulative exchange volume and its daily average; the selected city’s served systems and connected units.',
    )
    .gridPos(grid(0, 42, 24, 5))
    .withTarget(promql('A', `sum(${one('yunwang_interface_services')})`, '接口服务 services'))
    .withTarget(promql('B', `sum(${one('yunwang_exchange_volume')})`, '信息交换量 exchanges'))
    .withTarget(promql('C', `sum(${one('yunwang_exchange_volume_daily_average')})`, '日均交换量 a day'))
    .withTarget(promql('D', one('yunwang_interconnection_systems_served{region="$city"}'), '所选城市服务系统 systems served'))
    .withTarget(promql('E', one('yunwang_interconnection_connected_units{region="$city"}'), '所选城市接入单位 connected units'));
}
