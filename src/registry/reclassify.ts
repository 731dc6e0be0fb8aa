import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { Classification } from '../db/schema/enums.ts';
import type { Actor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { applyTransitions, compareTransitions, loadActiveTransitions, reconcileDeclared } from './history.ts';
import type { AnyRecordKind } from './kinds/index.ts';

/**
 * Moves the classification as of a business date: the timeline, and so the indicators,
 * follow. Classification changes recorded on or after that date contradict it and are
 * superseded (kept in the history), as an import's declaration supersedes them. Called by
 * the review (认定, 回头看): the registry stays the one writer of its record tables.
 */
export async function reclassify(
  db: Db,
  kind: AnyRecordKind,
  entityId: number,
  to: Classification,
  effectiveAt: string,
  note: string,
  actor: Actor,
) {
  const history = ((await loadActiveTransitions(db, kind.tracked, [entityId])).get(entityId) ?? []).filter(
    (h) => h.field === 'classification',
  );
  const plan = reconcileDeclared(history, 'pending', to, effectiveAt, businessDate());
  const kept = history.filter((h) => !plan.supersede.includes(h.id)).sort(compareTransitions);
  await applyTransitions(db, kind.tracked, actor, {
    add: plan.add
      ? [
          {
            entityId,
            field: 'classification',
            fromValue: kept.at(-1)?.toValue ?? 'pending',
            toValue: to,
            effectiveAt: plan.add.effectiveAt,
            note,
          },
        ]
      : [],
    supersede: plan.supersede,
    touched: [entityId],
  });
  const column = kind.classificationColumn?.name ?? 'classification';
  await db
    .update(kind.table)
    .set({ [column]: to, updatedAt: new Date() } as never)
    .where(eq(kind.table.id, entityId));
}
