import type { IndicatorKey } from '../indicators/definitions.ts';
import type { Label } from './records.ts';

/**
 * An indicator's names. `en` is the short form the console's cards and tables use; `enFull`
 * is the official English the API (`name_en`), the snapshots and the reports give, a contract
 * that stays as it is.
 */
export interface IndicatorLabel extends Label {
  enFull: string;
}

export const indicatorLabels = {
  cloud_migration: { zh: '上云率', en: 'Cloud migration', enFull: 'Non-classified system migration rate' },
  private_network_interconnection: {
    zh: '专网打通率',
    en: 'Private-network interconnection',
    enFull: 'Private-network interconnection rate',
  },
  service_integration: { zh: '对接完成率', en: 'Service integration', enFull: 'Service-item integration completion rate' },
  horizontal_coverage_city: {
    zh: '横向网络覆盖率（市级）',
    en: 'Horizontal coverage (city)',
    enFull: 'Horizontal network coverage (city)',
  },
  horizontal_coverage_county: {
    zh: '横向网络覆盖率（县级）',
    en: 'Horizontal coverage (county)',
    enFull: 'Horizontal network coverage (county)',
  },
  horizontal_coverage_township: {
    zh: '横向网络覆盖率（乡镇级）',
    en: 'Horizontal coverage (township)',
    enFull: 'Horizontal network coverage (township)',
  },
  extranet_access: { zh: '电子政务外网横向接入率', en: 'Extranet access', enFull: 'Extranet access rate' },
} as const satisfies Record<IndicatorKey, IndicatorLabel>;
