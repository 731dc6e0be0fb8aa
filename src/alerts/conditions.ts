import type { Db } from '../db/client.ts';
import type { Condition } from './conditions/condition.ts';
import { agentConditions, nodeConditions } from './conditions/network.ts';
import { targetConditions, workOrderConditions } from './conditions/progress.ts';
import { assessmentConditions, reReviewConditions, tenantConditions, unverifiedConditions } from './conditions/registry.ts';
import type { RuleBook } from './rules.ts';

export type { Condition } from './conditions/condition.ts';

/*
 * The built-in rules' conditions, by what they watch: the network and its agents
 * (conditions/network.ts), the registry's records (conditions/registry.ts), and targets and
 * work orders (conditions/progress.ts).
 */

/** Every condition the built-in rules see now (Prometheus alerts arrive by webhook instead). */
export async function evaluateConditions(db: Db, book: RuleBook, now: Date): Promise<Condition[]> {
  const parts = [
    await nodeConditions(db, book),
    await agentConditions(db, book, now),
    await tenantConditions(db, book),
    await unverifiedConditions(db, book, now),
    await assessmentConditions(db, book, now),
    await reReviewConditions(db, book, now),
    await targetConditions(db, book),
    await workOrderConditions(db, book),
  ];
  return parts.flat();
}
