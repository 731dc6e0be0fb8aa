import { asc, eq } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import type { SlaClock, WorkOrderPriority } from '../db/schema/enums.ts';
import { calendarDays, slaPolicies, type WorkingPeriod, workingHours } from '../db/schema/index.ts';
import { type Access, assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import { addClockTime, minuteOfDay, type WorkCalendar } from './working-time.ts';

/** The working hours and every holiday or make-up day, as the SLA arithmetic needs them. */
export async function loadWorkCalendar(db: Db): Promise<WorkCalendar> {
  const [hours] = await db.select().from(workingHours).where(eq(workingHours.id, 1));
  const days = await db.select({ day: calendarDays.day, kind: calendarDays.kind }).from(calendarDays);
  const periods = (hours?.periods ?? [])
    .map((p) => ({ startMinute: minuteOfDay(p.start) ?? 0, endMinute: minuteOfDay(p.end) ?? 0 }))
    .filter((p) => p.endMinute > p.startMinute)
    .sort((a, b) => a.startMinute - b.startMinute);
  return { timezone: hours?.timezone ?? 'Asia/Shanghai', periods, days: new Map(days.map((d) => [d.day, d.kind])) };
}

/** An order's service-level terms, fixed when it is opened. */
export interface SlaTerms {
  clock: SlaClock;
  responseSeconds: number;
  resolutionSeconds: number;
  responseDueAt: Date;
  resolutionDueAt: Date;
}

/** The terms of the priority's policy for an order opened at `openedAt`. */
export async function slaTermsFor(db: Db, priority: WorkOrderPriority, openedAt: Date, calendar?: WorkCalendar): Promise<SlaTerms> {
  const [policy] = await db.select().from(slaPolicies).where(eq(slaPolicies.priority, priority));
  if (!policy) throw new Error(`no service level for priority ${priority}: the migration seeds all four`);
  const workCalendar = calendar ?? (await loadWorkCalendar(db));
  const responseSeconds = policy.responseMinutes * 60;
  const resolutionSeconds = policy.resolutionMinutes * 60;
  return {
    clock: policy.clock,
    responseSeconds,
    resolutionSeconds,
    responseDueAt: addClockTime(workCalendar, policy.clock, openedAt, responseSeconds),
    resolutionDueAt: addClockTime(workCalendar, policy.clock, openedAt, resolutionSeconds),
  };
}

/** A policy as the API shows it. */
export interface SlaPolicyView {
  priority: WorkOrderPriority;
  clock: SlaClock;
  response_minutes: number;
  resolution_minutes: number;
  updated_at: string;
  updated_by: string;
}

export interface SlaPolicyInput {
  priority: WorkOrderPriority;
  clock: SlaClock;
  response_minutes: number;
  resolution_minutes: number;
}

/** No deadline is further than 60 days of minutes: a longer one is a typing mistake, and it bounds the calendar walk. */
export const maxSlaMinutes = 60 * 24 * 60;

const policyView = (row: typeof slaPolicies.$inferSelect): SlaPolicyView => ({
  priority: row.priority,
  clock: row.clock,
  response_minutes: row.responseMinutes,
  resolution_minutes: row.resolutionMinutes,
  updated_at: new Date(row.updatedAt).toISOString(),
  updated_by: row.updatedBy,
});

export async function listSlaPolicies(db: Db, access: Access): Promise<{ items: SlaPolicyView[] }> {
  assertCan(access, 'read', 'service-levels');
  const rows = await db.select().from(slaPolicies).orderBy(asc(slaPolicies.priority));
  return { items: rows.map(policyView) };
}

/** What is wrong with the given policies, by `items[i].field`; the schema has checked the types. */
export function slaPolicyErrors(items: readonly SlaPolicyInput[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const earlier = seen.get(item.priority);
    if (earlier !== undefined)
      errors.push({ field: `items[${i}].priority`, index: i, message: `${item.priority} is already given at items[${earlier}]` });
    seen.set(item.priority, i);
    if (item.resolution_minutes < item.response_minutes) {
      errors.push({ field: `items[${i}].resolution_minutes`, index: i, message: 'must not be shorter than response_minutes' });
    }
  });
  return errors;
}

/**
 * Replaces the policies of the priorities given; the others stay. Orders already open keep the
 * terms frozen on them when they were opened: only orders created afterwards see the change.
 */
export async function updateSlaPolicies(db: Db, items: readonly SlaPolicyInput[], actor: Actor): Promise<{ items: SlaPolicyView[] }> {
  assertCan(actor.access, 'write', 'service-levels');
  const errors = slaPolicyErrors(items);
  if (errors.length > 0) throw new AppError('validation_failed', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  await db.transaction(async (tx) => {
    const before = await tx.select().from(slaPolicies);
    const byPriority = new Map(before.map((row) => [row.priority, row]));
    const now = new Date();
    for (const item of items) {
      const values = {
        clock: item.clock,
        responseMinutes: item.response_minutes,
        resolutionMinutes: item.resolution_minutes,
        updatedAt: now,
        updatedBy: actor.name,
      };
      await tx
        .insert(slaPolicies)
        .values({ priority: item.priority, ...values })
        .onConflictDoUpdate({ target: slaPolicies.priority, set: values });
    }
    await recordAudit(
      tx,
      actor,
      items.map((item) => {
        const old = byPriority.get(item.priority);
        return {
          action: 'sla_policy.update',
          entityKind: 'sla_policy',
          entityCode: item.priority,
          before: old ? { clock: old.clock, response_minutes: old.responseMinutes, resolution_minutes: old.resolutionMinutes } : null,
          after: { clock: item.clock, response_minutes: item.response_minutes, resolution_minutes: item.resolution_minutes },
        };
      }),
    );
  });
  return listSlaPolicies(db, actor.access);
}

export interface WorkingHoursView {
  timezone: string;
  periods: WorkingPeriod[];
  updated_at: string | null;
  updated_by: string | null;
}

export async function getWorkingHours(db: Db, access: Access): Promise<WorkingHoursView> {
  assertCan(access, 'read', 'service-levels');
  const [row] = await db.select().from(workingHours).where(eq(workingHours.id, 1));
  if (!row) return { timezone: 'Asia/Shanghai', periods: [], updated_at: null, updated_by: null };
  return { timezone: row.timezone, periods: row.periods, updated_at: new Date(row.updatedAt).toISOString(), updated_by: row.updatedBy };
}

/** Whether the runtime knows the zone (an IANA name such as Asia/Shanghai). */
export function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with working hours: the zone, each period, their order. */
export function workingHoursErrors(input: { timezone: string; periods: readonly WorkingPeriod[] }): FieldError[] {
  const errors: FieldError[] = [];
  if (!isKnownTimezone(input.timezone)) errors.push({ field: 'timezone', message: 'must be an IANA time zone such as Asia/Shanghai' });
  if (input.periods.length < 1 || input.periods.length > 6) errors.push({ field: 'periods', message: 'must hold 1 to 6 periods' });
  let previousEnd: number | null = null;
  input.periods.forEach((period, i) => {
    const start = minuteOfDay(period.start);
    const end = minuteOfDay(period.end);
    if (start === null) errors.push({ field: `periods[${i}].start`, index: i, message: 'must be HH:MM (00:00–23:59)' });
    if (end === null) errors.push({ field: `periods[${i}].end`, index: i, message: 'must be HH:MM (00:00–23:59)' });
    if (start === null || end === null) return;
    if (end <= start)
      errors.push({ field: `periods[${i}].end`, index: i, message: 'must be after start (a period does not run past midnight)' });
    else if (previousEnd !== null && start < previousEnd)
      errors.push({
        field: `periods[${i}].start`,
        index: i,
        message: 'must not be before the end of the previous period (sorted, not overlapping)',
      });
    previousEnd = Math.max(previousEnd ?? 0, end);
  });
  return errors;
}

export async function updateWorkingHours(
  db: Db,
  input: { timezone: string; periods: WorkingPeriod[] },
  actor: Actor,
): Promise<WorkingHoursView> {
  assertCan(actor.access, 'write', 'service-levels');
  const errors = workingHoursErrors(input);
  if (errors.length > 0) throw new AppError('validation_failed', errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  const periods = input.periods.map((p) => ({ start: p.start, end: p.end }));
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(workingHours).where(eq(workingHours.id, 1));
    const values = { timezone: input.timezone, periods, updatedAt: new Date(), updatedBy: actor.name };
    await tx
      .insert(workingHours)
      .values({ id: 1, ...values })
      .onConflictDoUpdate({ target: workingHours.id, set: values });
    await recordAudit(tx, actor, [
      {
        action: 'working_hours.update',
        entityKind: 'working_hours',
        entityCode: '1',
        before: before ? { timezone: before.timezone, periods: before.periods } : null,
        after: { timezone: input.timezone, periods },
      },
    ]);
  });
  return getWorkingHours(db, actor.access);
}
