import { describe, expect, it } from 'vitest';
import { builtInRules, type RuleBook, thresholdOf } from '../../src/alerts/rules.ts';

/** A book whose tenant_quota carries only what ops stored (an older book may lack a threshold). */
const bookWith = (thresholds: Record<string, number>) => ({ tenant_quota: { thresholds } }) as unknown as RuleBook;

describe('thresholdOf', () => {
  it("reads ops' value when the rule has one", () => {
    expect(thresholdOf(bookWith({ warning_ratio: 0.7 }), 'tenant_quota', 'warning_ratio')).toBe(0.7);
  });

  it('falls back to the built-in default, the only copy of it', () => {
    expect(thresholdOf(bookWith({}), 'tenant_quota', 'critical_ratio')).toBe(builtInRules.tenant_quota.thresholds.critical_ratio?.default);
    expect(thresholdOf(bookWith({}), 'tenant_quota', 'critical_ratio')).toBe(0.95);
  });

  it('refuses a threshold the rule does not have, instead of inventing a value', () => {
    expect(() => thresholdOf(bookWith({}), 'tenant_quota', 'warning_pct')).toThrow('tenant_quota has no threshold warning_pct');
  });
});
