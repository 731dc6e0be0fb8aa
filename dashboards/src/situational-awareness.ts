/** 态势感知 — extranet nodes up and down by city, latency, stale agents, ingest errors, API latency, alerts and notifications, work orders. */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { base, cityVariable, grid, lastValue, named, one, onPrometheus, promql } from './common.ts';

const nodes = (state: string) => `sum(${one(`yunwang_network_nodes{state="${state}"}`)})`;
const sinceSeen = `time() - ${one('yunwang_agent_last_seen_timestamp_seconds')}`;
const firing = one('yunwang_alerts{state="firing"}');
const openOrders = one('yunwang_work_orders{state=~"new|accepted|transferred|suspended"}');
// Every replica exports the same count (read from the database): one of them, then increase.
const breachesPerHour = one('increase(yunwang_work_order_sla_breaches_total[1h])');
const redAbove = (value: number) =>
  new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value, color: 'red' },
  ]);

export function situationalAwareness() {
  return base(
    'yunwang-situational-awareness',
    '云网 · 态势感知 Situational awareness',
    'Nodes, latency, agents, ingest, alerts and notifications, work orders — from yunwang /metrics.',
  )
    .withVariable(cityVariable())
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('在线节点 Nodes up')
        .gridPos(grid(0, 0, 6, 4))
        .withTarget(promql('A', nodes('up'))),
    )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('降级 Degraded')
        .gridPos(grid(6, 0, 6, 4))
        .thresholds(redAbove(1))
        .withTarget(promql('A', nodes('degraded'))),
    )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('离线 Down')
        .gridPos(grid(12, 0, 6, 4))
        .thresholds(redAbove(1))
        .withTarget(promql('A', nodes('down'))),
    )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('无数据 Unknown')
        .gridPos(grid(18, 0, 6, 4))
        .withTarget(promql('A', nodes('unknown'))),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('各市离线节点 Nodes down by city')
        .gridPos(grid(0, 4, 12, 12))
        .thresholds(redAbove(1))
        .withTarget(
          promql('A', `sort_desc(${named(`sum by (region) (${one('yunwang_network_nodes{state="down"}')})`)})`, '{{name}}', true),
        ),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('所选城市节点 Nodes of the selected city by tier and state')
        .gridPos(grid(12, 4, 12, 12))
        .withTarget(promql('A', one('yunwang_network_nodes{region="$city"}'), '{{tier}} {{state}}', true)),
    )
    .withPanel(
      onPrometheus(new statetimeline.PanelBuilder())
        .title('骨干及市级节点 Backbone and city nodes: up / down over time')
        .description('Each row a node; green while its latest probe reached it, red while it was down or silent.')
        .gridPos(grid(0, 16, 24, 10))
        .mappings([
          {
            type: dashboard.MappingType.ValueToText,
            options: { '0': { text: '中断 down', color: 'red', index: 0 }, '1': { text: '正常 up', color: 'green', index: 1 } },
          },
        ])
        .thresholds(
          new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
            { value: null, color: 'red' },
            { value: 1, color: 'green' },
          ]),
        )
        .showValue(common.VisibilityMode.Never)
        .mergeValues(true)
        .withTarget(promql('A', one('yunwang_network_node_up'), '{{node}}')),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('时延 Latency (backbone and city nodes)')
        .gridPos(grid(0, 26, 24, 8))
        .unit('s')
        .withTarget(promql('A', one('yunwang_network_node_latency_seconds'), '{{node}}')),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('代理静默时长 Agents: intervals since last report (3 = stale)')
        .gridPos(grid(0, 34, 12, 8))
        .thresholds(redAbove(3))
        .withTarget(promql('A', `(${sinceSeen}) / ${one('yunwang_agent_interval_seconds')}`, '{{kind}} {{agent}}', true)),
    )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('静默代理 Stale agents')
        .gridPos(grid(12, 34, 12, 8))
        .thresholds(redAbove(1))
        .withTarget(promql('A', `count((${sinceSeen}) > 3 * ${one('yunwang_agent_interval_seconds')}) or vector(0)`)),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('接入批次 Ingest batches by result')
        .gridPos(grid(0, 42, 12, 8))
        .unit('reqps')
        .withTarget(promql('A', 'sum by (result) (rate(yunwang_ingest_batches_total[$__rate_interval]))', '{{result}}')),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('接入错误条目 Ingest items not applied')
        .gridPos(grid(12, 42, 12, 8))
        .withTarget(
          promql(
            'A',
            'sum by (kind, result) (rate(yunwang_ingest_items_total{result!~"accepted|duplicate"}[$__rate_interval]))',
            '{{kind}} {{result}}',
          ),
        ),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('API p95 时延 by route')
        .gridPos(grid(0, 50, 12, 8))
        .unit('s')
        .withTarget(
          promql(
            'A',
            // Recorded by the PrometheusRule (yunwang.records): one evaluation, not one per viewer.
            'max by (route) (route:yunwang_http_request_duration_seconds:p95_5m)',
            '{{route}}',
          ),
        ),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('API 5xx')
        .gridPos(grid(12, 50, 12, 8))
        .unit('reqps')
        .withTarget(promql('A', 'sum(route_status:yunwang_http_requests:rate5m{status=~"5.."}) or vector(0)', '5xx')),
    )
    .withRow(new dashboard.RowBuilder('告警与通知 Alerts and notifications').gridPos(grid(0, 58, 24, 1)))
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('告警中 Firing alerts by severity')
        .gridPos(grid(0, 59, 8, 8))
        .thresholds(redAbove(1))
        .withTarget(promql('A', `sum by (severity) (${firing})`, '{{severity}}', true)),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('各规则告警 Firing alerts by rule')
        .gridPos(grid(8, 59, 16, 8))
        .withTarget(promql('A', `sum by (rule) (${firing})`, '{{rule}}')),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('待发通知 Notification queue depth')
        .gridPos(grid(0, 67, 8, 8))
        .withTarget(promql('A', one('yunwang_notification_queue_depth'), 'queued or retrying')),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('通知结果 Notifications by channel and outcome')
        .gridPos(grid(8, 67, 8, 8))
        .unit('reqps')
        .withTarget(
          promql(
            'A',
            'sum by (channel_kind, outcome) (rate(yunwang_notifications_total[$__rate_interval]))',
            '{{channel_kind}} {{outcome}}',
          ),
        ),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('告警评估 p95 Alert evaluation duration')
        .gridPos(grid(16, 67, 8, 8))
        .unit('s')
        .withTarget(
          promql(
            'A',
            'histogram_quantile(0.95, sum by (le) (rate(yunwang_alert_evaluation_duration_seconds_bucket[$__rate_interval])))',
            'p95',
          ),
        ),
    )
    .withRow(new dashboard.RowBuilder('工单 Work orders').gridPos(grid(0, 75, 24, 1)))
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('未办结工单 Open work orders by priority')
        .gridPos(grid(0, 76, 8, 8))
        .withTarget(promql('A', `sum by (priority) (${openOrders})`, '{{priority}}', true)),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('未办结工单 Open work orders by priority')
        .gridPos(grid(8, 76, 8, 8))
        .withTarget(promql('A', `sum by (priority) (${openOrders})`, '{{priority}}')),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('超时工单 SLA breaches by priority (per hour)')
        .gridPos(grid(16, 76, 8, 8))
        .withTarget(promql('A', `sum by (priority) (${breachesPerHour})`, '{{priority}}')),
    );
}
