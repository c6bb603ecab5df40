import { z } from 'zod';

/**
 * The order process's vocabulary shared by the workflow, its activities and the API: line ledger,
 * operator fixes, cancellation requests and the ERP external id that ties a sales order to its order.
 */

/** The ERP sales order's external id: the storefront order, e.g. `sandbox-store:4501`. */
export const erpOrderExternalId = (store: string, orderId: string) => `${store}:${orderId}`;
export function parseErpOrderExternalId(externalId: string): { store: string; orderId: string } | null {
  const i = externalId.lastIndexOf(':');
  if (i <= 0 || i === externalId.length - 1) return null;
  return { store: externalId.slice(0, i), orderId: externalId.slice(i + 1) };
}

const PAID = new Set(['paid', 'partially_paid', 'partially_refunded']);
/** Whether the storefront has captured money for the order (so a cancellation refunds it). */
export const isPaidStatus = (financialStatus: string | undefined) =>
  financialStatus !== undefined && PAID.has(financialStatus);

/** One ERP change poller per store (its id lives in its contract). */
export { erpEventsWorkflowId } from './contracts/erp-events';

export type AttentionKind =
  | 'unmappedSku'
  | 'unmappedCustomer'
  | 'erpRejected'
  | 'changedAfterShipment'
  | 'approval'
  | 'shipmentFailed'
  /** The ERP's total for the order would differ from the store's total_price. */
  | 'totalMismatch';

/** Why an order needs a person, in an operator's words, naming the SKU or field at fault. */
export interface Attention {
  kind: AttentionKind;
  reason: string;
  sku?: string;
  field?: string;
  since: string;
}

export const OrderField = z.enum([
  'poNumber',
  'projectCode',
  'note',
  'shippingAddress.name',
  'shippingAddress.company',
  'shippingAddress.address1',
  'shippingAddress.address2',
  'shippingAddress.city',
  'shippingAddress.province',
  'shippingAddress.zip',
  'shippingAddress.country',
  'shippingAddress.phone',
]);
export type OrderField = z.infer<typeof OrderField>;

/** An operator's fix for a parked order (the `fix` Update); `by` names who made it, for the audit. */
const by = z.string().min(1).max(200).optional();
export const OrderFix = z.union([
  z.object({ sku: z.string().min(1).max(200), erpSku: z.string().min(1).max(200), by }).strict(),
  z
    .object({ customerId: z.string().min(1).max(200), erpCustomerId: z.string().min(1).max(200), by })
    .strict(),
  z.object({ field: OrderField, value: z.string().max(500), by }).strict(),
  z.object({ acknowledge: z.literal(true), note: z.string().max(2000).optional(), by }).strict(),
]);
export type OrderFix = z.infer<typeof OrderFix>;
export type OrderFixRequest = OrderFix;

export interface FixResult {
  accepted: true;
  resolved: AttentionKind;
}

/** The `cancel` Update: the whole order (or only the named lines), by an operator or the buyer. */
export const CancelRequest = z
  .object({
    reason: z.string().min(1).max(2000),
    by: z.enum(['operator', 'buyer']).default('operator'),
    lines: z
      .array(z.object({ lineId: z.string().min(1).max(200) }).strict())
      .min(1)
      .optional(),
  })
  .strict();
export type CancelRequest = z.infer<typeof CancelRequest>;

export interface CancelResult {
  /** `cancelled`: nothing had shipped, every compensation ran; `openLinesCancelled`: shipped lines stand. */
  outcome: 'cancelled' | 'openLinesCancelled' | 'linesCancelled';
  compensations: string[];
  cancelledLines: { lineId: string; quantity: number }[];
}
