import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { Actor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import { code, isoDate } from '../registry/fields.ts';

/**
 * The one writer of `exchange_volumes` (信息交换量): the spreadsheet import `exchange-volumes`
 * and the exchange agents' `exchange_volume` items both come through here. A day's count is
 * the platform's total for that day, so a count sent again for the same service and day
 * replaces the stored one: a replayed batch or a re-imported file never doubles a volume.
 */

/** Far above any platform's daily total (~30 million a day province-wide), and exact in a double. */
export const maxDailyCount = 1_000_000_000_000;

/** A day's count of exchanges, as a file row or an agent's batch gives it (each caps it at maxDailyCount). */
export const exchangeCount = z.number().int('must be a whole number').min(0, 'must be 0 or more');

export const ExchangeVolumeInput = z
  .object({
    service_code: code.openapi({ description: 'Interface service code' }),
    date: isoDate.openapi({ description: 'Business day the count is for' }),
    count: exchangeCount.max(maxDailyCount, `must be at most ${maxDailyCount}`).openapi({ description: 'Exchanges that day' }),
  })
  .openapi('ExchangeVolumeInput');
export type ExchangeVolumeInput = z.infer<typeof ExchangeVolumeInput>;

export interface VolumeResult {
  created: number;
  updated: number;
  unchanged: number;
}

export interface VolumeOptions {
  /** What the audit entry names as the source: a file name, an agent's batch. */
  source: string;
  /** The business "today" (tests pin it); counts for later days are refused. */
  today?: string;
  /** Check and count, then write nothing. */
  dryRun?: boolean;
  /** The field an unknown service is named by in errors (`service` for an agent's item). */
  serviceField?: string;
}

/** Changed counts listed in the audit entry; the rest are counted. */
const auditedChanges = 50;

class DryRun extends Error {
  constructor(readonly result: VolumeResult) {
    super('dry run');
  }
}

/** The problems of a batch, each at its row's index: unknown services, future days, a day given twice. */
async function checkVolumes(
  db: Db,
  rows: readonly ExchangeVolumeInput[],
  today: string,
  serviceField: string,
): Promise<{ ids: Map<string, number>; errors: FieldError[] }> {
  const codes = [...new Set(rows.map((r) => r.service_code))];
  const ids = new Map<string, number>();
  if (codes.length > 0) {
    const found = await queryRows<{ id: number; code: string }>(
      db,
      sql`select id, code from interface_services where code = any(${sql.param(codes)}::text[])`,
    );
    for (const f of found) ids.set(f.code, f.id);
  }
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  rows.forEach((r, index) => {
    if (!ids.has(r.service_code)) errors.push({ index, field: serviceField, message: `unknown interface service "${r.service_code}"` });
    if (r.date > today) errors.push({ index, field: 'date', message: `${r.date} is in the future (today is ${today})` });
    const key = `${r.service_code}|${r.date}`;
    const first = seen.get(key);
    if (first !== undefined)
      errors.push({ index, field: 'date', message: `${r.service_code} on ${r.date} is given twice (first at ${first})` });
    else seen.set(key, index);
  });
  return { ids, errors };
}

/**
 * Stores daily counts all-or-nothing: any bad row rejects the batch (`import_rejected`, each
 * problem at its row's `index`) and nothing is written. One audit entry per batch that changed
 * anything, in the same transaction, with the counts and the first changed values.
 */
export async function writeVolumes(
  database: Db,
  rows: readonly ExchangeVolumeInput[],
  actor: Actor,
  options: VolumeOptions,
): Promise<VolumeResult> {
  const today = options.today ?? businessDate();
  try {
    return await database.transaction(async (db) => {
      const { ids, errors } = await checkVolumes(db, rows, today, options.serviceField ?? 'service_code');
      if (errors.length > 0) {
        throw new AppError(
          'import_rejected',
          `${new Set(errors.map((e) => e.index)).size} of ${rows.length} counts are invalid; nothing was written`,
          errors,
        );
      }
      const result = await storeVolumes(db, rows, ids);
      if (options.dryRun) throw new DryRun(result.counts);
      // A batch that changed nothing wrote nothing: only changes are on the trail.
      if (result.changes.length > 0) {
        const dates = rows.map((r) => r.date).sort();
        await recordAudit(db, actor, [
          {
            action: 'exchange_volume.write',
            entityKind: 'exchange_volume',
            entityCode: options.source,
            after: {
              rows: rows.length,
              ...result.counts,
              from: dates[0],
              to: dates.at(-1),
              services: ids.size,
              changes: result.changes.slice(0, auditedChanges),
            },
          },
        ]);
      }
      return result.counts;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.result;
    throw error;
  }
}

interface Change {
  service: string;
  date: string;
  before: number | null;
  after: number;
}

/** Upserts the counts as one statement (arrays in, unnest) and tells what changed. */
async function storeVolumes(db: Db, rows: readonly ExchangeVolumeInput[], ids: Map<string, number>) {
  const counts: VolumeResult = { created: 0, updated: 0, unchanged: 0 };
  const changes: Change[] = [];
  if (rows.length === 0) return { counts, changes };
  const serviceIds = rows.map((r) => ids.get(r.service_code) as number);
  const dates = rows.map((r) => r.date);
  const values = rows.map((r) => r.count);
  // `before` is read from the statement's snapshot: the values as they stood before the upsert.
  const written = await queryRows<{ service_id: number; date: string; before: string | number | null; count: string | number }>(
    db,
    sql`with v as (
          select * from unnest(${sql.param(serviceIds)}::int[], ${sql.param(dates)}::date[], ${sql.param(values)}::bigint[])
            as v(service_id, date, count)
        ), old as (
          select e.service_id, e.date, e.count from exchange_volumes e join v using (service_id, date)
        ), up as (
          insert into exchange_volumes (service_id, date, count)
          select service_id, date, count from v
          on conflict (service_id, date) do update set count = excluded.count, updated_at = now()
            where exchange_volumes.count is distinct from excluded.count
          returning service_id, date, count
        )
        select up.service_id, up.date::text as date, old.count as before, up.count
        from up left join old using (service_id, date)`,
  );
  const codeOf = new Map([...ids].map(([c, id]) => [id, c]));
  for (const w of written) {
    const before = w.before === null ? null : Number(w.before);
    if (before === null) counts.created++;
    else counts.updated++;
    changes.push({ service: codeOf.get(w.service_id) ?? String(w.service_id), date: w.date, before, after: Number(w.count) });
  }
  counts.unchanged = rows.length - written.length;
  changes.sort((a, b) => a.service.localeCompare(b.service) || a.date.localeCompare(b.date));
  return { counts, changes };
}

/** Every stored count as input rows, by service and day: the body of the `exchange-volumes` export. */
export async function exportVolumes(db: Db, departmentPath?: string): Promise<ExchangeVolumeInput[]> {
  const rows = await queryRows<{ service_code: string; date: string; count: string | number }>(
    db,
    sql`select s.code as service_code, e.date::text as date, e.count
        from exchange_volumes e join interface_services s on s.id = e.service_id
        ${departmentPath === undefined ? sql`` : sql`join departments d on d.id = s.department_id where starts_with(d.path, ${departmentPath})`}
        order by s.code, e.date`,
  );
  return rows.map((r) => ({ service_code: r.service_code, date: r.date, count: Number(r.count) }));
}
