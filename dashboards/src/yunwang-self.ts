/**
 * 云网自身 — yunwang watched as it watches others: its build, its HTTP routes (rate, p95, 5xx),
 * its database pool, its background jobs and its process (memory, CPU, event-loop lag). The
 * expensive per-route figures are read from the PrometheusRule's recorded series (yunwang.records).
 * The jobs' own `job` label is stored by Prometheus as `exported_job` (the scrape keeps its own).
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { base, grid, jobVariable, lastValue, onPrometheus, promql } from './common.ts';

const scraped = (metric: string) => `${metric}{job="$job"}`;
const redAbove = (value: number) =>
  new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value, color: 'red' },
  ]);
const row = (title: string, y: number) => new dashboard.RowBuilder(title).gridPos(grid(0, y, 24, 1));

export function yunwangSelf() {
  return (
    base(
      'yunwang-self',
      '云网 · 自身运行 yunwang itself',
      "yunwang's own health: build, HTTP routes, database pool, background jobs, process and Node runtime — from its /metrics.",
    )
      .withVariable(jobVariable())
      // --- Build and replicas ---------------------------------------------------------------
      .withPanel(
        onPrometheus(new table.PanelBuilder())
          .title('版本 Build (version, revision, Node.js) by replica')
          .gridPos(grid(0, 0, 12, 6))
          .withTarget(promql('A', `max by (pod, version, revision, node_version) (${scraped('yunwang_build_info')})`, '', true)),
      )
      .withPanel(
        onPrometheus(new statetimeline.PanelBuilder())
          .title('副本 Replicas scraped (up / down)')
          .gridPos(grid(12, 0, 12, 6))
          .mappings([
            {
              type: dashboard.MappingType.ValueToText,
              options: { '0': { text: '不可用 down', color: 'red', index: 0 }, '1': { text: '正常 up', color: 'green', index: 1 } },
            },
          ])
          .showValue(common.VisibilityMode.Never)
          .mergeValues(true)
          .withTarget(promql('A', scraped('up'), '{{pod}}')),
      )
      // --- HTTP -----------------------------------------------------------------------------
      .withRow(row('HTTP 请求 Requests', 6))
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('请求速率 Requests per second by route')
          .gridPos(grid(0, 7, 8, 8))
          .unit('reqps')
          .withTarget(promql('A', 'sort_desc(sum by (route) (route_status:yunwang_http_requests:rate5m))', '{{route}}')),
      )
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('p95 时延 Latency by route')
          .gridPos(grid(8, 7, 8, 8))
          .unit('s')
          .withTarget(promql('A', 'max by (route) (route:yunwang_http_request_duration_seconds:p95_5m)', '{{route}}'))
          .withTarget(promql('B', 'max(namespace:yunwang_http_request_duration_seconds:p95_5m)', '全部 all routes')),
      )
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('5xx 比例 Server-error ratio (alert above 5%)')
          .gridPos(grid(16, 7, 8, 8))
          .unit('percentunit')
          .min(0)
          .thresholds(redAbove(0.05))
          .withTarget(promql('A', 'max(namespace:yunwang_http_requests_5xx:ratio_rate5m)', '5xx'))
          .withTarget(
            promql(
              'B',
              // `or … * 0`: each route reads 0 while it has not failed, rather than nothing.
              '(sum by (route) (route_status:yunwang_http_requests:rate5m{status=~"5.."}) or sum by (route) (route_status:yunwang_http_requests:rate5m) * 0) / sum by (route) (route_status:yunwang_http_requests:rate5m)',
              '{{route}}',
            ),
          ),
      )
      // --- Database pool --------------------------------------------------------------------
      .withRow(row('数据库连接池 Database pool', 15))
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('连接 Connections in use and idle')
          .gridPos(grid(0, 16, 12, 8))
          .withTarget(promql('A', `sum by (pod, state) (${scraped('yunwang_db_pool_connections')})`, '{{pod}} {{state}}')),
      )
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('等待连接的查询 Queries waiting for a connection')
          .gridPos(grid(12, 16, 12, 8))
          .thresholds(redAbove(1))
          .withTarget(promql('A', `max by (pod) (${scraped('yunwang_db_pool_waiting_requests')})`, '{{pod}}')),
      )
      // --- Background jobs ------------------------------------------------------------------
      .withRow(row('后台任务 Background jobs', 24))
      .withPanel(
        onPrometheus(new bargauge.PanelBuilder())
          .reduceOptions(lastValue())
          .title('距上次成功 Periods since last success (3 = late)')
          .description('Seconds since the last success over the job’s configured period; the alert YunwangJobLate fires above 3.')
          .gridPos(grid(0, 25, 8, 8))
          .thresholds(redAbove(3))
          .withTarget(
            promql(
              'A',
              'exported_job:yunwang_job_last_success:age_seconds / on (namespace, exported_job) max by (namespace, exported_job) (yunwang_job_interval_seconds)',
              '{{exported_job}}',
              true,
            ),
          ),
      )
      .withPanel(
        onPrometheus(new bargauge.PanelBuilder())
          .reduceOptions(lastValue())
          .title('距上次成功 Time since last success')
          .gridPos(grid(8, 25, 8, 8))
          .unit('s')
          .withTarget(promql('A', 'exported_job:yunwang_job_last_success:age_seconds', '{{exported_job}}', true)),
      )
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('失败次数 Failures per hour')
          .gridPos(grid(16, 25, 8, 8))
          .thresholds(redAbove(1))
          .withTarget(promql('A', `sum by (exported_job) (increase(${scraped('yunwang_job_failures_total')}[1h]))`, '{{exported_job}}')),
      )
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('平均耗时 Mean run duration (last hour)')
          .gridPos(grid(0, 33, 24, 8))
          .unit('s')
          .withTarget(
            promql(
              'A',
              `sum by (exported_job) (increase(${scraped('yunwang_job_duration_seconds_sum')}[1h])) / sum by (exported_job) (increase(${scraped('yunwang_job_duration_seconds_count')}[1h]))`,
              '{{exported_job}}',
            ),
          ),
      )
      // --- Process and Node runtime ---------------------------------------------------------
      .withRow(row('进程 Process and Node.js runtime', 41))
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('内存 Memory: resident, heap used, heap total, external')
          .gridPos(grid(0, 42, 12, 8))
          .unit('bytes')
          .withTarget(promql('A', scraped('process_resident_memory_bytes'), '{{pod}} RSS'))
          .withTarget(promql('B', `sum by (pod) (${scraped('nodejs_heap_size_used_bytes')})`, '{{pod}} heap used'))
          .withTarget(promql('C', `sum by (pod) (${scraped('nodejs_heap_size_total_bytes')})`, '{{pod}} heap total'))
          .withTarget(promql('D', scraped('nodejs_external_memory_bytes'), '{{pod}} external')),
      )
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('CPU 使用 CPU (cores)')
          .gridPos(grid(12, 42, 12, 8))
          .unit('none')
          .withTarget(promql('A', `rate(${scraped('process_cpu_seconds_total')}[$__rate_interval])`, '{{pod}}')),
      )
      .withPanel(
        onPrometheus(new timeseries.PanelBuilder())
          .title('事件循环延迟 Event-loop lag (p99 and mean)')
          .gridPos(grid(0, 50, 12, 8))
          .unit('s')
          .withTarget(promql('A', scraped('nodejs_eventloop_lag_p99_seconds'), '{{pod}} p99'))
          .withTarget(promql('B', scraped('nodejs_eventloop_lag_mean_seconds'), '{{pod}} mean')),
      )
      .withPanel(
        onPrometheus(new stat.PanelBuilder())
          .reduceOptions(lastValue())
          .title('运行时长 Uptime by replica')
          .gridPos(grid(12, 50, 12, 8))
          .unit('s')
          .withTarget(promql('A', `time() - ${scraped('process_start_time_seconds')}`, '{{pod}}')),
      )
  );
}
