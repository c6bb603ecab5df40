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
