import type { SlaClock, WorkOrderSlaState, WorkOrderState } from '../db/schema/enums.ts';
import { clockSecondsBetween, type WorkCalendar } from './working-time.ts';

/** The facts of an order its service-level state follows from. */
export interface SlaFacts {
  state: WorkOrderState;
  slaClock: SlaClock;
  responseSeconds: number;
  resolutionSeconds: number;
  responseDueAt: Date;
  resolutionDueAt: Date;
  acceptedAt: Date | null;
  resolvedAt: Date | null;
  /** Set once the order has been breached: a breach is not undone by a later suspension. */
  breachedAt: Date | null;
  /** The state stored when the order was cancelled: a cancelled order keeps it. */
  slaState: WorkOrderSlaState;
}

/** Share of a budget left at which an order is at risk: at 80 % of a deadline. */
export const atRiskShareLeft = 0.2;

/**
 * Where an order stands against its service level at `now`:
 * - `met` / `breached` once resolved, by whether it was accepted and resolved in time;
 * - `breached` as soon as an open order passes a deadline it still owes (and from then on);
 * - `paused` while suspended (the clock stops);
 * - `at_risk` when 80 % of a deadline it still owes has gone, else `on_track`.
 * The response deadline is owed until someone accepts; the resolution deadline until resolved.
 */
export function slaStateAt(order: SlaFacts, now: Date, calendar: WorkCalendar): WorkOrderSlaState {
  if (order.state === 'cancelled') return order.slaState;
  const respondedLate = order.acceptedAt !== null && order.acceptedAt > order.responseDueAt;
  if (order.state === 'resolved' || order.state === 'closed') {
    const resolvedLate = order.resolvedAt !== null && order.resolvedAt > order.resolutionDueAt;
    return order.breachedAt || respondedLate || resolvedLate ? 'breached' : 'met';
  }
  if (order.breachedAt || respondedLate) return 'breached';
  if (order.state === 'suspended') return 'paused';
  const owed: [Date, number][] = [[order.resolutionDueAt, order.resolutionSeconds]];
  if (order.acceptedAt === null) owed.push([order.responseDueAt, order.responseSeconds]);
  let risk = false;
  for (const [due, budget] of owed) {
    const left = clockSecondsBetween(calendar, order.slaClock, now, due);
    if (now > due) return 'breached';
    if (left <= budget * atRiskShareLeft) risk = true;
  }
  return risk ? 'at_risk' : 'on_track';
}
