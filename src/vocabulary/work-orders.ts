import type { WorkOrderCategory, WorkOrderSlaState, WorkOrderState } from '../db/schema/enums.ts';
import type { Label } from './records.ts';
import terms from './terms.json' with { type: 'json' };

// The work orders' words: the console's pages and the supervision report's 整改工单 share them.
export const workOrderStateLabels = terms.workOrderStates satisfies Record<WorkOrderState, Label>;
/** Where an order stands against its service level (计时状态). */
export const workOrderSlaStateLabels = terms.workOrderSlaStates satisfies Record<WorkOrderSlaState, Label>;
export const workOrderCategoryLabels = terms.workOrderCategories satisfies Record<WorkOrderCategory, Label>;
/** The button that moves an order to a state: the verb, not the state's name. */
export const workOrderMoveLabels = terms.workOrderMoves satisfies Record<WorkOrderState, Label>;
