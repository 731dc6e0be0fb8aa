import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import type { AlertRuleKey, AlertSeverity } from '../db/schema/enums.ts';
import { alertRules } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import type { RuleSettings, RuleUpdate } from './schemas.ts';

/** A threshold ops may tune: its default, bounds, and what it means. */
interface ThresholdSpec {
  default: number;
  min: number;
  max: number;
  description: string;
}

interface RuleSpec {
  severity: AlertSeverity;
  forSeconds: number;
  description: string;
  thresholds: Record<string, ThresholdSpec>;
}

/** A rule's defaults; `thresholds` are the ones ops may tune. */
const rule = (
  severity: AlertSeverity,
  forSeconds: number,
  description: string,
  thresholds: Record<string, ThresholdSpec> = {},
): RuleSpec => ({
  severity,
  forSeconds,
  description,
  thresholds,
});
const threshold = (value: number, min: number, max: number, description: string): ThresholdSpec => ({
  default: value,
  min,
  max,
  description,
});

/** The built-in rules and their defaults; ops change them with PUT /api/v1/alert-rules/{rule}. */
export const builtInRules: Record<AlertRuleKey, RuleSpec> = {
  node_down: rule('critical', 120, 'A network node is down as seen by every agent that probes it (vantage quorum).'),
  node_degraded: rule('warning', 120, 'A network node answers, but with loss or latency above its threshold.', {
    loss_ratio: threshold(0.2, 0.001, 1, 'packet loss (0–1) at or above which a node is degraded'),
    latency_ms: threshold(300, 1, 60_000, 'latency in ms at or above which a node is degraded'),
  }),
  agent_silent: rule('critical', 0, 'An agent has been silent for more than `interval_factor` × the interval it declared.', {
    interval_factor: threshold(3, 1, 100, 'how many declared intervals of silence'),
  }),
  tenant_quota: rule('warning', 300, 'A cloud tenant uses a large share of its vCPU, memory or storage quota.', {
    warning_ratio: threshold(0.85, 0.01, 1, 'usage/quota at or above which it warns'),
    critical_ratio: threshold(0.95, 0.01, 1, 'usage/quota at or above which it is critical'),
  }),
  system_unverified: rule(
    'warning',
    0,
    'A system marked 已上云 has had no workload sighting by a cloud agent for `days` days (claimed, not verified).',
    { days: threshold(30, 1, 3650, 'days after the migration without a sighting') },
  ),
  assessment_overdue: rule(
    'warning',
    0,
    'A non-classified system of 等保 level 3 or 4 in use has no assessment (测评) in the last `months` months.',
    { months: threshold(12, 1, 120, 'months since the last assessment after which it is overdue') },
  ),
  re_review_overdue: rule('warning', 0, 'A re-review (回头看) is past its due date without a result.'),
  target_behind: rule('warning', 0, 'The province or a city is behind its target trajectory at the latest frozen snapshot.'),
  work_order_sla: rule('warning', 0, 'A work order is past its response or resolution deadline (its service level is breached).'),
  prometheus: rule('warning', 0, 'Alerts from Prometheus, received from Alertmanager; the severity label decides (this is the default).'),
};

export type RuleBook = Record<AlertRuleKey, RuleSettings>;

function defaultsOf(rule: AlertRuleKey): RuleSettings {
  const spec = builtInRules[rule];
  return {
    rule,
    enabled: true,
    severity: spec.severity,
    for_seconds: spec.forSeconds,
    thresholds: Object.fromEntries(Object.entries(spec.thresholds).map(([k, t]) => [k, t.default])),
    description: spec.description,
    updated_by: null,
    updated_at: null,
  };
}

/**
 * A threshold as a rule runs with it: ops' value, else the built-in default — the one place a
 * default lives, so a condition never carries a copy of it. An unknown name is a bug, not a default.
 */
export function thresholdOf(book: RuleBook, rule: AlertRuleKey, name: string): number {
  const spec = builtInRules[rule].thresholds[name];
  if (!spec) throw new Error(`${rule} has no threshold ${name}`);
  return book[rule].thresholds[name] ?? spec.default;
}

/** Every rule as it runs now: its defaults, with ops' changes over them. */
export async function loadRuleBook(db: Db): Promise<RuleBook> {
  const book = Object.fromEntries((Object.keys(builtInRules) as AlertRuleKey[]).map((r) => [r, defaultsOf(r)])) as RuleBook;
  for (const row of await db.select().from(alertRules)) {
    const base = book[row.rule];
    if (!base) continue;
    book[row.rule] = {
      ...base,
      enabled: row.enabled,
      severity: row.severity,
      for_seconds: row.forSeconds,
      thresholds: { ...base.thresholds, ...row.thresholds },
      updated_by: row.updatedBy,
      updated_at: row.updatedAt.toISOString(),
    };
  }
  return book;
}

/** Changes a rule (any field left out keeps its value), audited with before and after. */
export async function updateRule(database: Db, rule: string, update: RuleUpdate, actor: Actor): Promise<RuleSettings> {
  if (!(rule in builtInRules))
    throw new AppError('not_found', `alert rule ${rule} does not exist; rules: ${Object.keys(builtInRules).join(', ')}`);
  const key = rule as AlertRuleKey;
  const spec = builtInRules[key];
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(update.thresholds ?? {})) {
    const t = spec.thresholds[name];
    if (!t) {
      const known = Object.keys(spec.thresholds);
      errors.push({
        field: `thresholds.${name}`,
        message: known.length ? `is not a threshold of ${key} (${known.join(', ')})` : `${key} has no thresholds`,
      });
    } else if (!Number.isFinite(value) || value < t.min || value > t.max) {
      errors.push({ field: `thresholds.${name}`, message: `must be from ${t.min} to ${t.max}` });
    }
  }
  if (errors.length > 0)
    throw new AppError(
      'validation_failed',
      `invalid thresholds for ${key}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
      errors,
    );
  return database.transaction(async (db) => {
    const before = (await loadRuleBook(db))[key];
    const thresholds = { ...before.thresholds, ...update.thresholds };
    if (key === 'tenant_quota' && (thresholds.warning_ratio ?? 0) > (thresholds.critical_ratio ?? 1)) {
      throw new AppError('validation_failed', 'tenant_quota: warning_ratio must not be above critical_ratio', [
        { field: 'thresholds.warning_ratio', message: 'must not be above critical_ratio' },
      ]);
    }
    const values = {
      enabled: update.enabled ?? before.enabled,
      severity: update.severity ?? before.severity,
      forSeconds: update.for_seconds ?? before.for_seconds,
      thresholds,
      updatedBy: actor.name,
      updatedAt: new Date(),
    };
    await db
      .insert(alertRules)
      .values({ rule: key, ...values })
      .onConflictDoUpdate({ target: alertRules.rule, set: { ...values, updatedAt: sql`now()` } });
    const after = (await loadRuleBook(db))[key];
    const shown = (s: RuleSettings) => ({ enabled: s.enabled, severity: s.severity, for_seconds: s.for_seconds, thresholds: s.thresholds });
    await recordAudit(db, actor, [
      { action: 'alert_rule.update', entityKind: 'alert_rule', entityCode: key, before: shown(before), after: shown(after) },
    ]);
    return after;
  });
}
