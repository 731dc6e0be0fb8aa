/**
 * Work orders inserted as the order service would leave them, without going through it (the
 * order API is written elsewhere): terms by slaTermsFor, codes numbered here.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.ts';
import type { WorkOrderCategory, WorkOrderPriority, WorkOrderSlaState, WorkOrderState } from '../../src/db/schema/enums.ts';
import { departments, workOrders } from '../../src/db/schema/index.ts';
import { slaTermsFor } from '../../src/work-orders/service-levels.ts';

let counter = 0;

export interface WorkOrderFixture {
  createdAt: Date;
  title?: string;
  category?: WorkOrderCategory;
  priority?: WorkOrderPriority;
  state?: WorkOrderState;
  region?: string | null;
  /** Department codes. */
  assignee?: string | null;
  reporterDepartment?: string | null;
  acceptedAt?: Date | null;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
  cancelledAt?: Date | null;
  pausedAt?: Date | null;
  slaState?: WorkOrderSlaState;
  breachedAt?: Date | null;
}

async function departmentId(db: Db, code: string | null | undefined): Promise<number | null> {
  if (!code) return null;
  const [row] = await db.select({ id: departments.id }).from(departments).where(eq(departments.code, code));
  if (!row) throw new Error(`no department ${code}`);
  return row.id;
}

/** Inserts an order; returns its id and code. */
export async function insertWorkOrder(db: Db, o: WorkOrderFixture): Promise<{ id: number; code: string }> {
  const priority = o.priority ?? 'P2';
  const terms = await slaTermsFor(db, priority, o.createdAt);
  const code = `WO-${o.createdAt.getUTCFullYear()}-${String(900000 + ++counter).padStart(6, '0')}`;
  const [row] = await db
    .insert(workOrders)
    .values({
      code,
      title: o.title ?? `测试工单 ${code}`,
      category: o.category ?? 'fault',
      priority,
      state: o.state ?? 'new',
      regionCode: o.region === undefined ? '450100' : o.region,
      reporterName: 'tester',
      reporterDepartmentId: await departmentId(db, o.reporterDepartment),
      assigneeDepartmentId: await departmentId(db, o.assignee),
      createdAt: o.createdAt,
      updatedAt: o.createdAt,
      acceptedAt: o.acceptedAt ?? null,
      resolvedAt: o.resolvedAt ?? null,
      closedAt: o.closedAt ?? null,
      cancelledAt: o.cancelledAt ?? null,
      pausedAt: o.pausedAt ?? null,
      slaClock: terms.clock,
      responseSeconds: terms.responseSeconds,
      resolutionSeconds: terms.resolutionSeconds,
      responseDueAt: terms.responseDueAt,
      resolutionDueAt: terms.resolutionDueAt,
      slaState: o.slaState ?? 'on_track',
      breachedAt: o.breachedAt ?? null,
    })
    .returning({ id: workOrders.id, code: workOrders.code });
  if (!row) throw new Error('work order not inserted');
  return row;
}
