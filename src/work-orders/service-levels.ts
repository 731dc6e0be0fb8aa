import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { SlaClock, WorkOrderPriority } from '../db/schema/enums.ts';
import { calendarDays, slaPolicies, workingHours } from '../db/schema/index.ts';
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
