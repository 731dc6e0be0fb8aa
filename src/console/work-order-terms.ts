// The work orders' words live in the vocabulary; the console's pages read them under these names.
export {
  workOrderCategoryLabels as categoryTerms,
  workOrderMoveLabels as moveTerms,
  workOrderSlaStateLabels as slaStateTerms,
  workOrderStateLabels as workOrderStateTerms,
} from '../vocabulary/work-orders.ts';
