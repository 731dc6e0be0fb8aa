import { createHash, randomInt } from 'node:crypto';
import { and, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { departments } from '../db/schema/index.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { departmentScope } from '../registry/filters.ts';
import { certifiedKinds } from './certified-records.ts';
import { type ReReviewView, scheduleReReview } from './service.ts';

// 回头看 campaigns: re-reviews scheduled in bulk — every active certification a filter selects,
// or a random sample of each department's — with the seed kept, so that an auditor can draw the
// same sample again from the same certifications.

export interface ReReviewCampaign {
  filter: { kind?: string; department?: string; region?: string };
  /** A share of each department's selected certifications, rounded up; absent: all of them. */
  sample_percent?: number;
  /** The sample's seed; drawn at random when absent, and answered either way. */
  seed?: number;
  due_at: string;
}

/** The most re-reviews one campaign schedules. */
export const maxCampaign = 5000;

/** Active certifications the filter selects, without an open re-review, by department then id. */
async function candidates(db: Db, campaign: ReReviewCampaign): Promise<{ id: number; department_code: string }[]> {
  const kinds = certifiedKinds().filter((k) => !campaign.filter.kind || k.segment === campaign.filter.kind);
  const owners = sql.join(
    kinds.map((k) => sql`select ${k.tracked}::text as kind, id, ${k.ownerColumn} as department_id from ${k.table}`),
    sql` union all `,
  );
  // The same department and region filters as every list (paging does not apply here).
  const scope: (SQL | undefined)[] = await departmentScope(db, { ...campaign.filter, limit: 0, offset: 0 });
  return queryRows(
    db,
    sql`select c.id, ${departments.code} as department_code
        from certifications c
        join (${owners}) e on e.kind = c.kind and e.id = c.entity_id
        join ${departments} on ${departments.id} = e.department_id
        where c.status = 'active' and ${and(...scope) ?? sql`true`}
          and not exists (select 1 from re_reviews r where r.certification_id = c.id and r.result is null)
        order by ${departments.code}, c.id`,
  );
}

/** A certification's place in the seed's draw: the same seed orders the same ids the same way. */
const drawOrder = (seed: number, id: number) => createHash('sha256').update(`${seed}:${id}`).digest('hex');

/** Of each department's candidates, the share asked for (rounded up), in the seed's order. */
export function sampleByDepartment<T extends { id: number; department_code: string }>(rows: T[], percent: number, seed: number): T[] {
  const byDepartment = new Map<string, T[]>();
  for (const row of rows) byDepartment.set(row.department_code, [...(byDepartment.get(row.department_code) ?? []), row]);
  return [...byDepartment.values()].flatMap((group) => {
    const take = Math.ceil((group.length * percent) / 100);
    return [...group].sort((a, b) => (drawOrder(seed, a.id) < drawOrder(seed, b.id) ? -1 : 1)).slice(0, take);
  });
}

/** Schedules a campaign's re-reviews all or nothing; one audit entry records the campaign, its seed and what it drew. */
export async function scheduleCampaign(
  database: Db,
  campaign: ReReviewCampaign,
  actor: Actor,
): Promise<{ scheduled: number; seed: number; items: ReReviewView[] }> {
  assertCan(actor.access, 'write', 'certifications');
  if (campaign.due_at <= businessDate()) {
    throw new AppError('validation_failed', `due_at ${campaign.due_at} is not after today`, [
      { field: 'due_at', message: 'must be after today' },
    ]);
  }
  const seed = campaign.seed ?? randomInt(0, 2 ** 31);
  return database.transaction(async (db) => {
    const all = await candidates(db, campaign);
    const chosen = campaign.sample_percent === undefined ? all : sampleByDepartment(all, campaign.sample_percent, seed);
    if (chosen.length > maxCampaign) {
      throw new AppError('validation_failed', `the campaign selects ${chosen.length} certifications; at most ${maxCampaign}`, [
        { field: 'filter', message: `selects ${chosen.length} (at most ${maxCampaign})` },
      ]);
    }
    const items: ReReviewView[] = [];
    for (const { id } of chosen) items.push(await scheduleReReview(db, id, campaign.due_at, actor));
    await recordAudit(db, actor, [
      {
        action: 're_review.campaign',
        entityKind: 'certification',
        entityCode: `campaign:${seed}`,
        after: { ...campaign, seed, candidates: all.length, certifications: chosen.map((c) => c.id) },
      },
    ]);
    return { scheduled: items.length, seed, items };
  });
}
