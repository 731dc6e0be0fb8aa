import type { z } from '@hono/zod-openapi';
import { and, desc, eq, gt, isNull, or, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { regions, type SilenceMatchers, type SilenceRecurrence, silences } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, type FieldError, notFound } from '../kernel/errors.ts';
import { wallClock } from '../kernel/wall-clock.ts';
import type { SilenceInput as SilenceRequest, SilenceView } from './schemas.ts';

export type { SilenceView } from './schemas.ts';

/** A silence asked for; the CLI's matchers are checked here rather than by the route's schema. */
export type SilenceInput = Omit<z.infer<typeof SilenceRequest>, 'matchers'> & { matchers: SilenceMatchers };

export type SilenceRow = typeof silences.$inferSelect;

/** What a silence looks at in an alert. */
export interface MutableAlert {
  rule: string;
  severity: string;
  subjectKind: string;
  subjectCode: string;
  /** The alert's region path (`/450000/450100/`), or null when it has no region. */
  regionPath: string | null;
  cloudCode: string | null;
  agentName: string | null;
  /** For node alerts: the agents that see the node (an `agent` matcher matches them too). */
  agents: readonly string[];
}

/** Weekday (0 = Sunday) and minute of the day of an instant, in a time zone. */
export function localClock(at: Date, timezone: string): { weekday: number; minute: number } {
  const clock = wallClock(at, timezone);
  return { weekday: clock.weekday, minute: clock.hour * 60 + clock.minute };
}

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether a weekly window is open at `at`. A window starts on each of its weekdays; one whose
 * end is not after its start runs past midnight into the next day (Sunday 23:00–01:00 holds
 * Monday 00:30).
 */
export function inWeeklyWindow(recurrence: SilenceRecurrence, at: Date): boolean {
  const { weekday, minute } = localClock(at, recurrence.timezone);
  const start = minuteOf(recurrence.start);
  const end = minuteOf(recurrence.end);
  const days = new Set(recurrence.weekdays);
  if (start < end) return days.has(weekday) && minute >= start && minute < end;
  const yesterday = (weekday + 6) % 7;
  return (days.has(weekday) && minute >= start) || (days.has(yesterday) && minute < end);
}

/** Whether a silence is in force at `at`: within its dates, not expired, and inside its weekly window if it has one. */
export function silenceActive(silence: Pick<SilenceRow, 'startsAt' | 'endsAt' | 'expiredAt' | 'recurrence'>, at: Date): boolean {
  if (at < silence.startsAt) return false;
  if (silence.endsAt && at >= silence.endsAt) return false;
  if (silence.expiredAt && at >= silence.expiredAt) return false;
  return silence.recurrence ? inWeeklyWindow(silence.recurrence, at) : true;
}

/** Whether every matcher of a silence matches the alert; a region matches its descendants. */
export function silenceMatches(matchers: SilenceMatchers, alert: MutableAlert): boolean {
  if (matchers.rule !== undefined && matchers.rule !== alert.rule) return false;
  if (matchers.severity !== undefined && matchers.severity !== alert.severity) return false;
  if (matchers.node !== undefined && !(alert.subjectKind === 'node' && alert.subjectCode === matchers.node)) return false;
  if (matchers.region !== undefined && !alert.regionPath?.includes(`/${matchers.region}/`)) return false;
  if (matchers.cloud !== undefined && matchers.cloud !== alert.cloudCode) return false;
  if (matchers.agent !== undefined && matchers.agent !== alert.agentName && !alert.agents.includes(matchers.agent)) return false;
  return true;
}

/** The first silence (oldest) in force that mutes the alert, or null. */
export function silencing(active: readonly SilenceRow[], alert: MutableAlert): SilenceRow | null {
  return active.find((s) => silenceMatches(s.matchers, alert)) ?? null;
}

/** Silences that are or may become in force: not expired and not past their end. */
export async function liveSilences(db: Db, at: Date): Promise<SilenceRow[]> {
  return db
    .select()
    .from(silences)
    .where(and(isNull(silences.expiredAt), or(isNull(silences.endsAt), gt(silences.endsAt, at))))
    .orderBy(silences.id);
}

export function silenceView(row: SilenceRow, now = new Date()): SilenceView {
  return {
    id: row.id,
    matchers: { ...row.matchers },
    starts_at: row.startsAt.toISOString(),
    ends_at: row.endsAt?.toISOString() ?? null,
    recurrence: row.recurrence,
    reason: row.reason,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    expired_at: row.expiredAt?.toISOString() ?? null,
    expired_by: row.expiredBy,
    active: silenceActive(row, now),
  };
}

export async function listSilences(db: Db, query: { state?: 'live' | 'expired' | 'all' } = {}, now = new Date()): Promise<SilenceView[]> {
  const state = query.state ?? 'live';
  let where: SQL | undefined;
  if (state === 'live') where = and(isNull(silences.expiredAt), or(isNull(silences.endsAt), gt(silences.endsAt, now)));
  if (state === 'expired') where = sql`(${silences.expiredAt} is not null or ${silences.endsAt} <= ${now})`;
  const rows = await db.select().from(silences).where(where).orderBy(desc(silences.id)).limit(1000);
  return rows.map((r) => silenceView(r, now));
}

/**
 * Creates a silence, or a weekly maintenance window with `recurrence`. At least one matcher:
 * a silence of everything would hide the next outage. Codes must exist, so a typo cannot
 * silence nothing while looking like it works.
 */
export async function createSilence(database: Db, input: SilenceInput, actor: Actor, now = new Date()): Promise<SilenceView> {
  const errors: FieldError[] = [];
  const matchers = Object.fromEntries(Object.entries(input.matchers).filter(([, v]) => v !== undefined && v !== '')) as SilenceMatchers;
  if (Object.keys(matchers).length === 0)
    errors.push({ field: 'matchers', message: 'give at least one matcher (rule, severity, node, region, cloud or agent)' });
  const startsAt = input.starts_at ? new Date(input.starts_at) : now;
  const endsAt = input.ends_at ? new Date(input.ends_at) : null;
  if (!input.recurrence && !endsAt)
    errors.push({ field: 'ends_at', message: 'is required for a one-off silence (or give a weekly recurrence)' });
  if (endsAt && endsAt <= startsAt) errors.push({ field: 'ends_at', message: 'must be after starts_at' });
  if (endsAt && endsAt <= now) errors.push({ field: 'ends_at', message: 'is already past' });
  const recurrence: SilenceRecurrence | null = input.recurrence ? { timezone: 'Asia/Shanghai', ...input.recurrence } : null;
  if (recurrence) {
    try {
      localClock(now, recurrence.timezone);
    } catch {
      errors.push({ field: 'recurrence.timezone', message: `is not a known time zone (e.g. Asia/Shanghai)` });
    }
    if (recurrence.start === recurrence.end) errors.push({ field: 'recurrence.end', message: 'must differ from start' });
  }
  if (errors.length > 0)
    throw new AppError('validation_failed', `invalid silence: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
  return database.transaction(async (db) => {
    await checkMatcherCodes(db, matchers);
    const [row] = await db
      .insert(silences)
      .values({ matchers, startsAt, endsAt, recurrence, reason: input.reason, createdBy: actor.name })
      .returning();
    if (!row) throw new Error('insert returned no silence');
    const view = silenceView(row, now);
    await recordAudit(db, actor, [
      { action: 'silence.create', entityKind: 'silence', entityCode: String(row.id), before: null, after: view },
    ]);
    return view;
  });
}

async function checkMatcherCodes(db: Db, matchers: SilenceMatchers): Promise<void> {
  const checks: { field: keyof SilenceMatchers; table: string; column: string }[] = [
    { field: 'node', table: 'network_nodes', column: 'code' },
    { field: 'cloud', table: 'clouds', column: 'code' },
    { field: 'agent', table: 'agents', column: 'name' },
  ];
  const errors: FieldError[] = [];
  if (matchers.region !== undefined) {
    const [region] = await db.select({ code: regions.code }).from(regions).where(eq(regions.code, matchers.region));
    if (!region) errors.push({ field: 'matchers.region', message: `unknown region "${matchers.region}"` });
  }
  for (const check of checks) {
    const value = matchers[check.field];
    if (value === undefined) continue;
    const found = await db.execute(
      sql`select 1 from ${sql.identifier(check.table)} where ${sql.identifier(check.column)} = ${value} limit 1`,
    );
    const rows = (found as unknown as { rows: unknown[] }).rows;
    if (rows.length === 0) errors.push({ field: `matchers.${check.field}`, message: `unknown ${check.field} "${value}"` });
  }
  if (errors.length > 0)
    throw new AppError('validation_failed', `invalid silence: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
}

/** Expires a silence now (DELETE): it stays on record, ended. */
export async function expireSilence(database: Db, id: number, actor: Actor, now = new Date()): Promise<SilenceView> {
  return database.transaction(async (db) => {
    const [row] = await db.select().from(silences).where(eq(silences.id, id)).for('update');
    if (!row) throw notFound('silence', String(id));
    if (row.expiredAt || (row.endsAt && row.endsAt <= now)) throw new AppError('conflict', `silence ${id} has already ended`);
    const [updated] = await db.update(silences).set({ expiredAt: now, expiredBy: actor.name }).where(eq(silences.id, id)).returning();
    if (!updated) throw notFound('silence', String(id));
    await recordAudit(db, actor, [
      {
        action: 'silence.expire',
        entityKind: 'silence',
        entityCode: String(id),
        before: silenceView(row, now),
        after: silenceView(updated, now),
      },
    ]);
    return silenceView(updated, now);
  });
}
