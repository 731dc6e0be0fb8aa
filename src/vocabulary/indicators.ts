import type { IndicatorKey } from '../indicators/definitions.ts';
import type { Label } from './records.ts';
import terms from './terms.json' with { type: 'json' };

/**
 * An indicator's names. `en` is the short form the console's cards and tables use; `enFull`
 * is the official English the API (`name_en`), the snapshots and the reports give, a contract
 * that stays as it is.
 */
export interface IndicatorLabel extends Label {
  enFull: string;
}

export const indicatorLabels = terms.indicators satisfies Record<IndicatorKey, IndicatorLabel>;
