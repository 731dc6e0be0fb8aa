import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { systems } from '../db/schema/index.ts';
import { businessDate } from '../kernel/dates.ts';

// 僵尸系统: systems registered as in use that show no sign of it. One definition, read by the
// systems list (?idle=true), the counts by department and the decommission requests.

/** Days without evidence of use after which a system is an idle candidate, unless asked otherwise. */
export const defaultIdleDays = 90;

/**
 * A system in use (not retired), known for at least `days` days — registered, or in a state
 * dated, that long ago — with no workload seen running on its cloud and no exchange traffic
 * through an interface service it provides or consumes in the last `days` days. A condition
 * on the `systems` table.
 */
export function idleSystem(days: number, today = businessDate()): SQL {
  const since = sql`(${today}::date - ${days}::int)`;
  return sql`(${systems.state} <> 'retired'
    and least(${systems.createdAt}::date, coalesce(${systems.stateAt}, ${systems.createdAt}::date)) <= ${since}
    and (${systems.lastSeenAt} is null or ${systems.lastSeenAt}::date <= ${since})
    and not ${exchangedSince(sql`${systems.id}`, since)})`;
}

/** Whether the system with this id took part in any counted exchange on or after `since`. */
function exchangedSince(systemId: SQL, since: SQL): SQL {
  return sql`exists (
    select 1 from exchange_volumes v join interface_services i on i.id = v.service_id
    where v.date > ${since} and v.count > 0
      and (i.provider_system_id = ${systemId}
           or exists (select 1 from interface_service_consumers c
                      where c.service_id = i.id and c.system_id = ${systemId}
                        and (c.removed_at is null or c.removed_at > ${since}))))`;
}

/** The last evidence of use of some systems: the last workload sighting and the last day with exchange traffic. */
export async function lastEvidence(
  db: Db,
  systemIds: number[],
): Promise<Map<number, { lastSeenAt: Date | null; lastExchangeOn: string | null }>> {
  const out = new Map<number, { lastSeenAt: Date | null; lastExchangeOn: string | null }>();
  if (systemIds.length === 0) return out;
  const rows = await queryRows<{ id: number; last_seen_at: string | null; last_exchange_on: string | null }>(
    db,
    sql`select s.id, s.last_seen_at::text,
          (select max(v.date)::text from exchange_volumes v join interface_services i on i.id = v.service_id
           where v.count > 0 and (i.provider_system_id = s.id
             or exists (select 1 from interface_service_consumers c where c.service_id = i.id and c.system_id = s.id))) as last_exchange_on
        from systems s where s.id in (${sql.join(
          systemIds.map((id) => sql`${id}`),
          sql`, `,
        )})`,
  );
  for (const r of rows) out.set(r.id, { lastSeenAt: r.last_seen_at ? new Date(r.last_seen_at) : null, lastExchangeOn: r.last_exchange_on });
  return out;
}

/** One department's idle candidates. */
export interface IdleCount {
  department_code: string;
  department_name: string;
  region_code: string;
  candidates: number;
}

/** Idle candidates counted by department, over the departments of a scope (its condition on `departments` aliased d). */
export async function countIdleByDepartment(db: Db, departmentsInScope: SQL, days: number): Promise<IdleCount[]> {
  return queryRows<IdleCount>(
    db,
    sql`select d.code as department_code, d.name as department_name, d.region_code, count(*)::int as candidates
        from systems join departments d on d.id = systems.department_id
        where ${departmentsInScope} and ${idleSystem(days)}
        group by d.code, d.name, d.region_code
        order by candidates desc, d.code`,
  );
}
