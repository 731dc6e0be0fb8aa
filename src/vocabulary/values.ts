import { classificationLabels, type Label, nodeLiveStateLabels, systemTypeLabels, trackedStateLabels } from './records.ts';
import terms from './terms.json' with { type: 'json' };

export type Lang = 'zh' | 'en';

/** A re-review's certification: in force, or reverted by a failed re-review or a later one. */
export const certificationStatusLabels = terms.certificationStatuses satisfies Record<'active' | 'reverted', Label>;
export const reviewResultLabels = terms.reviewResults satisfies Record<'passed' | 'failed', Label>;
export const booleanLabels = terms.booleans satisfies Record<'true' | 'false', Label>;

/** Every stored value a page shows without saying which set it comes from; where two sets share a value, the later one wins. */
const anyValueLabels: Record<string, Label> = {
  ...trackedStateLabels,
  ...classificationLabels,
  ...systemTypeLabels,
  ...nodeLiveStateLabels,
  ...certificationStatusLabels,
  ...reviewResultLabels,
  ...booleanLabels,
};

/**
 * A stored value in the reader's language: from `set` when given, else from any set; an unknown
 * value as it is, a missing one as —.
 */
export function labelOf(value: unknown, lang: Lang, set?: Readonly<Record<string, Label>>): string {
  const key = String(value);
  const label = set?.[key] ?? anyValueLabels[key];
  return label?.[lang] ?? (value === null || value === undefined ? '—' : key);
}

/** `待认定 pending`: how the CLI, read by people of either language, names a value. */
export const bilingual = (label: Label) => `${label.zh} ${label.en}`;
