/**
 * The storefront as Quayside sees it. Shopify is the first implementation (connectors/shopify).
 * Ids are the storefront's own (numeric ids as decimal strings, never JS numbers).
 */

export interface StorefrontFulfillmentInput {
  orderId: string;
  /** Idempotency key (the ERP fulfillment id): the same shipment pushed twice creates one fulfillment. */
  fulfillmentKey: string;
  lines: { lineId: string; quantity: number }[];
  carrier: string | null;
  trackingNumbers: string[];
  trackingUrl?: string;
  notifyCustomer: boolean;
}

export interface InventoryQuantity {
  /** Storefront SKU (already mapped from the ERP's). */
  sku: string;
  location: string;
  quantity: number;
  /** Compare-and-set: the quantity this change expects to replace (null when unknown). */
  compareQuantity: number | null;
}

export interface StorefrontRefundInput {
  orderId: string;
  /** Idempotency key: the same refund asked twice is issued once. */
  refundKey: string;
  lines: { lineId: string; quantity: number; restock: boolean }[];
  amount: string;
  currency: string;
  note?: string;
  notifyCustomer: boolean;
}

export interface StorefrontCustomerInput {
  customerId?: string;
  email: string;
  firstName?: string;
  lastName?: string;
  companyName?: string;
  /** Storefront price list / catalog for the customer's price level. */
  priceList?: string;
  paymentTermsName?: string;
  creditHeadroom?: string;
  taxExempt?: boolean;
  erpCustomerId?: string;
}

export interface StorefrontReturnLine {
  /** The order line the returned goods came from. */
  lineId: string;
  sku?: string;
  quantity: number;
  reason?: string;
  customerNote?: string;
}

export interface StorefrontPort {
  createFulfillment(input: StorefrontFulfillmentInput): Promise<{ fulfillmentId: string; created: boolean }>;
  /**
   * Sets quantities in batches (≤250 per call) with compare-and-set; returns the stale ones to retry,
   * the ones for a SKU or location the storefront does not have (`unknown`, not worth retrying), and
   * the ones the storefront refused on business grounds (`refused`, with its words), which are not
   * set while the rest are.
   */
  setInventory(levels: InventoryQuantity[]): Promise<{
    updated: number;
    stale: InventoryQuantity[];
    unknown?: InventoryQuantity[];
    refused?: { quantity: InventoryQuantity; reason: string }[];
  }>;
  /**
   * Every SKU's available quantity at every location, read in one go outside the API's rate limit
   * (Shopify: a bulk operation query); absent where the storefront offers no such read.
   */
  allLevels?(opts?: { onProgress?: (objects: number) => void }): Promise<StoreLevel[]>;
  setPublished(sku: string, published: boolean): Promise<void>;
  /**
   * Sets and removes metafields on the variants with these SKUs, leaving their other metafields as
   * they are; returns the SKUs the store has no variant for.
   */
  setVariantMetafields?(
    entries: {
      sku: string;
      set: { namespace: string; key: string; type: string; value: string }[];
      remove: { namespace: string; key: string }[];
    }[],
  ): Promise<{ unknown: string[] }>;
  updateOrder(input: {
    orderId: string;
    addTags?: string[];
    metafields?: { namespace: string; key: string; type: string; value: string }[];
    note?: string;
  }): Promise<void>;
  cancelOrder(input: {
    orderId: string;
    reason: string;
    notifyCustomer: boolean;
    refund: boolean;
    staffNote?: string;
  }): Promise<void>;
  createRefund(input: StorefrontRefundInput): Promise<{ refundId: string; created: boolean }>;
  updateReturn(input: {
    returnId: string;
    status: 'approved' | 'declined' | 'closed';
    reason?: string;
  }): Promise<void>;
  /** A return's lines as the store holds them (returns/request webhooks do not list them). */
  getReturnLines(returnId: string): Promise<StorefrontReturnLine[]>;
  upsertCustomer(input: StorefrontCustomerInput): Promise<{ customerId: string; companyId?: string }>;
  /** Orders changed after `since`, oldest change first: for the reconciliation that finds missed webhooks. */
  ordersUpdatedSince(
    since: string,
    first: number,
  ): Promise<{ orderId: string; name: string; updatedAt: string }[]>;
}

/** A store quantity as the store holds it now. */
export interface StoreLevel {
  /** Storefront SKU. */
  sku: string;
  /** The location's id (`gid://shopify/Location/…`) and name. */
  locationId: string;
  locationName: string;
  available: number;
}

/** What the reconciliation reads from the store besides StorefrontPort. */
export interface StorefrontReconcilePort {
  /** The order in the store's REST representation (the body an orders/create webhook carries), or null. */
  orderRepresentation(orderId: string): Promise<string | null>;
  /** The available quantity of these SKUs at every location that stocks them. */
  levelsOf(skus: string[]): Promise<StoreLevel[]>;
}
