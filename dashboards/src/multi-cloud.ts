/** 多云管理 — the clouds, their tenants, quota against usage, and the biggest consumers. */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { base, grid, lastValue, one, onPrometheus, promql } from './common.ts';

const used = (resource: string) => `sum(${one(`yunwang_cloud_usage_${resource}`)}) / sum(${one(`yunwang_cloud_quota_${resource}`)})`;

export function multiCloud() {
  return base(
    'yunwang-multi-cloud',
    '云网 · 多云管理 Multi-cloud',
    'Clouds (1+N+14), tenants, quota and usage, top consumers — from yunwang /metrics.',
  )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('云平台 Clouds')
        .gridPos(grid(0, 0, 4, 4))
        .withTarget(promql('A', `count(${one('yunwang_cloud_info')})`)),
    )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('租户 Tenants')
        .gridPos(grid(4, 0, 4, 4))
        .withTarget(promql('A', `sum(${one('yunwang_cloud_tenants')})`)),
    )
    .withPanel(
      onPrometheus(new stat.PanelBuilder())
        .reduceOptions(lastValue())
        .title('配额使用率 Quota used')
        .gridPos(grid(8, 0, 16, 4))
        .unit('percentunit')
        .min(0)
        .max(1)
        .withTarget(promql('A', used('vcpu'), 'vCPU'))
        .withTarget(promql('B', used('memory_bytes'), '内存 memory'))
        .withTarget(promql('C', used('storage_bytes'), '存储 storage')),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('各云租户数 Tenants by cloud')
        .gridPos(grid(0, 4, 12, 10))
        .withTarget(promql('A', `sort_desc(${one('yunwang_cloud_tenants')})`, '{{cloud}}', true)),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('各云 vCPU 配额使用率 vCPU quota used by cloud')
        .gridPos(grid(12, 4, 12, 10))
        .unit('percentunit')
        .min(0)
        .max(1)
        .withTarget(promql('A', `${one('yunwang_cloud_usage_vcpu')} / (${one('yunwang_cloud_quota_vcpu')} > 0)`, '{{cloud}}', true)),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('用量最大的云 Top consumers: vCPU used')
        .gridPos(grid(0, 14, 8, 10))
        .unit('none')
        .withTarget(promql('A', `topk(10, ${one('yunwang_cloud_usage_vcpu')})`, '{{cloud}}', true)),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('用量最大的云 Top consumers: memory used')
        .gridPos(grid(8, 14, 8, 10))
        .unit('bytes')
        .withTarget(promql('A', `topk(10, ${one('yunwang_cloud_usage_memory_bytes')})`, '{{cloud}}', true)),
    )
    .withPanel(
      onPrometheus(new bargauge.PanelBuilder())
        .reduceOptions(lastValue())
        .title('配额占容量 Quota granted / capacity (vCPU)')
        .gridPos(grid(16, 14, 8, 10))
        .unit('percentunit')
        .withTarget(promql('A', `${one('yunwang_cloud_quota_vcpu')} / (${one('yunwang_cloud_capacity_vcpu')} > 0)`, '{{cloud}}', true)),
    )
    .withPanel(
      onPrometheus(new timeseries.PanelBuilder())
        .title('vCPU：容量、配额、用量 Capacity, quota, usage')
        .gridPos(grid(0, 24, 24, 8))
        .unit('none')
        .withTarget(promql('A', `sum(${one('yunwang_cloud_capacity_vcpu')})`, '容量 capacity'))
        .withTarget(promql('B', `sum(${one('yunwang_cloud_quota_vcpu')})`, '配额 quota'))
        .withTarget(promql('C', `sum(${one('yunwang_cloud_usage_vcpu')})`, '用量 usage')),
    );
}
