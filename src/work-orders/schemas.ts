import { z } from '@hono/zod-openapi';
import { workOrderEvents, workOrders } from '../db/schema/work-orders.ts';
import { DocumentSchema, documentIds } from '../documents/schemas.ts';
import { scopeFilter } from '../http/filters.ts';
import { booleanQuery, PageQuery } from '../http/schemas.ts';

// An order's closed value sets, as its table holds them.
const category = z.enum(workOrders.category.enumValues);
const priority = z.enum(workOrders.priority.enumValues);
const state = z.enum(workOrders.state.enumValues);
const subjectKind = z.enum(workOrders.subjectKind.enumValues);

const title = z.string().trim().min(1, 'a title is required').max(200);
const description = z.string().max(20_000);
const code = z.string().trim().min(1).max(100);

export const SubjectInput = z.object({ kind: subjectKind, code }).strict();
const regionCode = z.string().regex(/^\d{6,12}$/, 'must be a division code');

/** Who works an order: a department, an ops user, or (neither) the ops queue. */
export const AssigneeInput = z
  .object({
    department: z.string().trim().min(1).max(100).optional(),
    user: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

export const CreateWorkOrder = z
  .object({
    title,
    category,
    priority,
    description: description.default(''),
    subject: SubjectInput.optional(),
    region: regionCode.optional(),
    assignee: AssigneeInput.optional(),
    documents: documentIds,
  })
  .strict()
  .openapi('CreateWorkOrder');
export type CreateWorkOrder = z.input<typeof CreateWorkOrder>;

export const UpdateWorkOrder = z
  .object({
    title: title.optional(),
    description: description.optional(),
    priority: priority.optional(),
    category: category.optional(),
    subject: SubjectInput.nullable().optional(),
    region: regionCode.nullable().optional(),
    version: z.number().int().positive().openapi({ description: 'The version read; an older one gets 409' }),
  })
  .strict()
  .openapi('UpdateWorkOrder');
export type UpdateWorkOrder = z.infer<typeof UpdateWorkOrder>;

export const TransitionWorkOrder = z
  .object({
    to: state,
    note: z.string().trim().max(2000).default(''),
    assignee: AssigneeInput.optional(),
    version: z.number().int().positive().optional(),
  })
  .strict()
  .openapi('WorkOrderTransition');
export type TransitionWorkOrder = z.input<typeof TransitionWorkOrder>;

export const CommentWorkOrder = z
  .object({ body: z.string().trim().min(1, 'the comment is empty').max(10_000), documents: documentIds })
  .strict();

export const AlertWorkOrderInput = z
  .object({ title: title.optional(), description: description.optional(), assignee: AssigneeInput.optional() })
  .strict();
export type AlertWorkOrderInput = z.infer<typeof AlertWorkOrderInput>;

export const WorkOrderListQuery = PageQuery.extend({
  state: state.optional(),
  category: category.optional(),
  priority: priority.optional(),
  assignee: z.string().max(100).optional().openapi({ description: 'A department code, a user name, or `me`' }),
  scope: scopeFilter,
  breached: booleanQuery.optional(),
});
export type WorkOrderQuery = z.infer<typeof WorkOrderListQuery>;

/** A region or a department as an order names it. */
const CodeAndName = z.object({ code: z.string(), name: z.string() });

/** An order as the API, the console and the CLI show it. */
export const WorkOrderView = z
  .object({
    code: z.string(),
    title: z.string(),
    category,
    priority,
    state,
    description: z.string(),
    subject: z.object({ kind: subjectKind, code: z.string(), name: z.string() }).nullable(),
    region: CodeAndName.nullable(),
    reporter: z.object({ name: z.string(), department: z.string().nullable() }),
    assignee: z.object({ department: CodeAndName.nullable(), user: z.string().nullable() }),
    alert_id: z.number().int().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    accepted_at: z.string().nullable(),
    resolved_at: z.string().nullable(),
    closed_at: z.string().nullable(),
    version: z.number().int(),
    sla: z.object({
      response_due_at: z.string(),
      resolution_due_at: z.string(),
      state: z.enum(workOrders.slaState.enumValues),
      clock: z.enum(workOrders.slaClock.enumValues),
      paused_at: z.string().nullable(),
    }),
  })
  .openapi('WorkOrder');
export type WorkOrderView = z.infer<typeof WorkOrderView>;

export const TimelineEntry = z.object({
  at: z.string(),
  source: z.enum(['work_order', 'alert']),
  type: z.string().openapi({ description: `An order's event (${workOrderEvents.type.enumValues.join(', ')}) or the linked alert's` }),
  actor: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  note: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const WorkOrderDetail = WorkOrderView.extend({
  timeline: z.array(TimelineEntry),
  documents: z.array(DocumentSchema).openapi({ description: 'Documents attached when it was opened or commented on' }),
}).openapi('WorkOrderDetail');
export type WorkOrderDetail = z.infer<typeof WorkOrderDetail>;

const day = z
  .string()
  .max(10)
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const WorkOrderStatsQuery = z.object({
  from: day.optional().openapi({ description: 'First day (Asia/Shanghai), default the first of this month' }),
  to: day
    .optional()
    .openapi({ description: 'Day after the last (exclusive), default the first of the next month; at most 366 days after from' }),
  scope: scopeFilter,
});
export type WorkOrderStatsQuery = z.infer<typeof WorkOrderStatsQuery>;

const Count = z.number().int();
const Seconds = z.number().int().nullable();
const Percent = z
  .number()
  .nullable()
  .openapi({ description: 'met / (met + breached) × 100, one decimal; null when none finished or breached' });

const DepartmentStats = z.object({
  department: CodeAndName,
  total: Count,
  resolved: Count,
  breached: Count,
  compliance_percent: Percent,
  mean_time_to_resolve_seconds: Seconds,
});

export const WorkOrderStats = z
  .object({
    from: z.string(),
    to: z.string(),
    scope: z.string().nullable(),
    total: Count,
    by_category: z.record(z.string(), Count),
    by_state: z.record(z.string(), Count),
    mean_time_to_acknowledge_seconds: Seconds,
    mean_time_to_resolve_seconds: Seconds,
    sla: z.object({ met: Count, breached: Count, open: Count, compliance_percent: Percent }),
    by_department: z.array(DepartmentStats),
  })
  .openapi('WorkOrderStats');
export type WorkOrderStats = z.infer<typeof WorkOrderStats>;
