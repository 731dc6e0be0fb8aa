import type { Lang } from '../vocabulary/index.ts';
import type { Label } from '../vocabulary/records.ts';

// The alerts' words live in the vocabulary; the console's pages read them under these names.
export {
  alertEventLabels as eventNames,
  alertRuleLabels as ruleNames,
  alertSeverityLabels as severityNames,
  alertStateLabels as stateNames,
} from '../vocabulary/alerts.ts';

/** A term of a value set in the reader's language; an unknown key as it is. */
export const term = <K extends string>(terms: Record<K, Label>, key: K, lang: Lang): string => terms[key]?.[lang] ?? key;

/** An ISO instant as the ops room reads it: Beijing time, to the second. */
export function beijingTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(Date.parse(iso) + 8 * 3600_000);
  return at.toISOString().slice(0, 19).replace('T', ' ');
}
