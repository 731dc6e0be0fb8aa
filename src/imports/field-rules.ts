import type { Sheet } from './headers.ts';

/** What the zod schema says about an absent value, so the file rules never drift from it. */
export interface FieldRule {
  /** No default and not optional: the column must be in the file. */
  required: boolean;
  /** An empty cell becomes `null` rather than being left out for a default to fill. */
  nullable: boolean;
}

const cache = new WeakMap<Sheet, ReadonlyMap<string, FieldRule>>();

export function fieldRules(kind: Sheet): ReadonlyMap<string, FieldRule> {
  const known = cache.get(kind);
  if (known) return known;
  const rules = new Map<string, FieldRule>();
  for (const [field, schema] of Object.entries(kind.schemas.input.shape)) {
    rules.set(field, {
      required: !schema.safeParse(undefined).success,
      nullable: schema.safeParse(null).success,
    });
  }
  cache.set(kind, rules);
  return rules;
}
