import type { SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { queryRows } from '../../db/raw.ts';
import type { AlertRuleKey, AlertSeverity, AlertSubjectKind } from '../../db/schema/enums.ts';
import type { RuleBook } from '../rules.ts';

/** Something a rule sees right now; it becomes an alert once held for the rule's `for`. */
export interface Condition {
  fingerprint: string;
  rule: AlertRuleKey;
  severity: AlertSeverity;
  subject: { kind: AlertSubjectKind; code: string; name: string };
  regionCode: string | null;
  departmentId: number | null;
  cloudCode: string | null;
  agentName: string | null;
  summary: string;
  details: Record<string, unknown>;
  /** When the data says it began; null when only the engine's first sight can tell. */
  since: Date | null;
  /** Node conditions: the agents whose word it rests on (all silent → inhibited). */
  seenBy: string[];
}

/** A ratio as a percentage with one decimal, as summaries say it. */
export const pct = (ratio: number) => `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
/** A timestamp as a query returns it: a Date or an ISO string. */
export const instant = (v: Date | string) => new Date(v);

type Optional = 'regionCode' | 'departmentId' | 'cloudCode' | 'agentName' | 'since' | 'seenBy';
type ConditionParts = Omit<Condition, 'fingerprint' | Optional> & Partial<Pick<Condition, Optional>> & { key: string };

/**
 * A condition of `rule` about `key` (its fingerprint is `rule:key`); what the rule does not
 * know — a region, a department, a cloud, an agent, a start, the agents it rests on — is empty.
 */
export const condition = ({ key, ...c }: ConditionParts): Condition => ({
  fingerprint: `${c.rule}:${key}`,
  regionCode: null,
  departmentId: null,
  cloudCode: null,
  agentName: null,
  since: null,
  seenBy: [],
  ...c,
});

/**
 * The conditions of a rule that one query finds, one per row it returns; none (and no query)
 * while the rule is disabled. Each is of that rule, at its configured severity unless the row
 * says otherwise (a tenant past its critical ratio).
 */
export async function conditionsPerRow<Row>(
  db: Db,
  book: RuleBook,
  rule: AlertRuleKey,
  query: SQL,
  describe: (row: Row) => Omit<ConditionParts, 'rule' | 'severity'> & { severity?: AlertSeverity },
): Promise<Condition[]> {
  const settings = book[rule];
  if (!settings.enabled) return [];
  const rows = await queryRows<Row>(db, query);
  return rows.map((row) => condition({ rule, severity: settings.severity, ...describe(row) }));
}
