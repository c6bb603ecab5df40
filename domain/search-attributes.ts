import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes Quayside sets on its workflows, registered on the Temporal namespace at start-up. */
export const SA = {
  customer: defineSearchAttributeKey('QuaysideCustomer', SearchAttributeType.KEYWORD),
  orderNumber: defineSearchAttributeKey('QuaysideOrderNumber', SearchAttributeType.KEYWORD),
  poNumber: defineSearchAttributeKey('QuaysidePoNumber', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('QuaysideStatus', SearchAttributeType.KEYWORD),
  attention: defineSearchAttributeKey('QuaysideAttention', SearchAttributeType.TEXT),
  store: defineSearchAttributeKey('QuaysideStore', SearchAttributeType.KEYWORD),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(SA);

/**
 * The `QuaysideAttention` value of a parked process: its kind and the ids at fault
 * (`unmappedSku PROD-9`, `erpRejected shippingAddress.zip`), never the reason's free text. Search
 * attributes are indexed in plain text outside the payload encryption, and a reason may quote a name,
 * an address or an email (an ERP's validation message, an approver's note).
 */
export function attentionAttribute(a: { kind: string; sku?: string; field?: string }): string {
  return [a.kind, a.sku, a.field].filter(Boolean).join(' ');
}
