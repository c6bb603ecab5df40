import { Money } from './money';

import type { ErpCustomer } from './schemas/erp';

/** An ERP customer; its zod schema is in schemas/erp.ts. */
export type { ErpCustomer } from './schemas/erp';

/**
 * The ERP as Quayside sees it: canonical types in, canonical types out. NetSuite is the first
 * implementation (connectors/netsuite); ids here are the ERP's own (internal id) unless named external.
 */

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next call; unchanged when nothing new has arrived. */
  nextCursor: string | null;
  hasMore: boolean;
}

export interface ErpCustomerInput {
  /** Idempotency key: the storefront customer (or company) id. */
  externalId: string;
  companyName: string;
  email?: string;
  creditLimit?: string;
  terms?: string;
  priceLevel?: string;
  taxExempt?: boolean;
  taxId?: string;
  parentErpId?: string;
}

/** What the storefront may change on an ERP customer: contact details, never credit, terms or pricing. */
export interface ErpCustomerContactChanges {
  email?: string;
  phone?: string;
  companyName?: string;
  address?: {
    addressee?: string;
    addr1?: string;
    addr2?: string;
    city?: string;
    state?: string;
    zip?: string;
    country?: string;
  };
}

export type ItemKind = 'inventory' | 'kit' | 'assembly' | 'serialized' | 'nonInventory' | 'group';

export interface ErpItem {
  erpId: string;
  /** The ERP's item name/number, e.g. `P123`; mapped to storefront SKUs through mapping tables. */
  sku: string;
  name: string;
  kind: ItemKind;
  parentSku: string | null;
  hazmat: boolean;
  serialized: boolean;
  basePrice: string;
  inactive: boolean;
  lastModified: string;
  /** Merchandising and compliance data of the item master, when the ERP read it (catalog feeds do). */
  master?: ErpItemMaster;
}

export type WeightUnit = 'lb' | 'oz' | 'kg' | 'g';
export type LengthUnit = 'in' | 'ft' | 'mm' | 'cm' | 'm';

/** What the store shows of an ERP item beyond its name and price. */
export interface ErpItemMaster {
  /** The web store's detailed description (HTML), else null. */
  descriptionHtml: string | null;
  /** The sales description (plain text), else null. */
  salesDescription: string | null;
  weight: { value: number; unit: WeightUnit } | null;
  dimensions: { length: number; width: number; height: number; unit: LengthUnit } | null;
  category: string | null;
  /** The item's search keywords: the store's tags. */
  keywords: string[];
  /** Hazmat details (UN number, hazard class) when the item is hazmat. */
  hazmatId: string | null;
  hazmatClass: string | null;
  /** A matrix PARENT (the product; not sold itself) or a CHILD (one variant) with its option values. */
  matrix: { role: 'parent' } | { role: 'child'; options: Record<string, string> } | null;
  /** No longer sold once stock runs out (the item itself stays active in the ERP). */
  discontinued: boolean;
  dropShip: boolean;
  specialOrder: boolean;
  /** Purchase lead time in days. */
  leadTimeDays: number | null;
  /** Kits and item groups: the members with the quantity per kit. */
  members?: { sku: string; quantity: number }[];
}

export interface ErpPrice {
  sku: string;
  /** A price level name, or null for a customer-specific contract price. */
  priceLevel: string | null;
  customerErpId: string | null;
  minQuantity: number;
  unitPrice: string;
  lastModified: string;
}

export interface InventoryLevel {
  sku: string;
  location: string;
  onHand: number;
  available: number;
  lastModified: string;
}

export interface ErpSalesOrderLineInput {
  /** Stable line key (the storefront line id), carried on the ERP line so shipments map back. */
  lineKey: string;
  sku: string;
  quantity: number;
  rate: string;
  location: string;
}

export interface ErpSalesOrderInput {
  /** Idempotency key: the storefront order, e.g. `shopify:4501`. */
  externalId: string;
  customerErpId: string;
  poNumber?: string;
  projectCode?: string;
  terms?: string;
  memo?: string;
  currency: string;
  shipTo?: { name?: string; address1?: string; city?: string; zip?: string; country?: string };
  lines: ErpSalesOrderLineInput[];
  /** One order discount (NetSuite discount item), positive, with the codes that made it. */
  discount?: { amount: string; codes: string[] };
  /** The ERP shipping method (from the shipping-method map; null when unmapped) and the shipping cost. */
  shipping?: { method: string | null; storeMethod: string; cost: string };
  /** Shopify's tax lines as tax amounts; none for a tax-exempt customer. */
  tax?: { lines: { title: string; rate: string; amount: string }[] };
  taxExempt?: boolean;
  /** Paid orders: the payment, recorded against the order as a customer deposit (idempotent by external id). */
  payment?: { status: string; gateway: string | null; amount: string; externalId: string };
}

/**
 * A change to an ERP sales order: header fields, line quantities (with a new rate when given), new
 * lines (added only when no line has their key yet, so a retried change adds nothing twice) and the
 * order's money (discount, shipping, tax) when the store's changed with it.
 */
export type SalesOrderChanges = Partial<
  Pick<ErpSalesOrderInput, 'poNumber' | 'memo' | 'shipTo' | 'discount' | 'shipping' | 'tax' | 'taxExempt'>
> & {
  lines?: { lineKey: string; quantity: number; rate?: string }[];
  add?: ErpSalesOrderLineInput[];
  /** The order's currency (the scale a re-split rate is exact at). */
  currency?: string;
};

/** The money fields NetSuite computes on a sales order. `discountTotal` is negative, as NetSuite shows it. */
export interface ErpOrderTotals {
  subtotal: string;
  discountTotal: string;
  shippingCost: string;
  taxTotal: string;
  total: string;
}

/**
 * What NetSuite will compute for this sales order: the lines' amounts (quantity × rate, each
 * rounded once), less the discount, plus shipping cost and tax amounts.
 */
export function projectErpTotals(input: ErpSalesOrderInput): ErpOrderTotals {
  const c = input.currency;
  const subtotal = Money.sum(
    input.lines.map((l) => Money.line(l.rate, l.quantity, c)),
    c,
  );
  const discount = Money.of(input.discount?.amount ?? '0', c, 'halfUp').negate();
  const shipping = Money.of(input.shipping?.cost ?? '0', c, 'halfUp');
  const tax = input.taxExempt
    ? Money.zero(c)
    : Money.sum(
        (input.tax?.lines ?? []).map((t) => Money.of(t.amount, c, 'halfUp')),
        c,
      );
  return {
    subtotal: subtotal.toString(),
    discountTotal: discount.toString(),
    shippingCost: shipping.toString(),
    taxTotal: tax.toString(),
    total: subtotal.plus(discount).plus(shipping).plus(tax).toString(),
  };
}

export interface ErpSalesOrderLine {
  lineKey: string;
  sku: string;
  quantity: number;
  quantityFulfilled: number;
  quantityBilled: number;
  quantityBackOrdered: number;
  location: string;
  closed: boolean;
}

export interface ErpSalesOrder {
  erpId: string;
  tranId: string;
  externalId: string;
  status:
    | 'pendingApproval'
    | 'pendingFulfillment'
    | 'partiallyFulfilled'
    | 'pendingBilling'
    | 'billed'
    | 'closed'
    | 'cancelled';
  poNumber: string | null;
  lines: ErpSalesOrderLine[];
  lastModified: string;
  /** The ERP's own money figures for the order, when it reports them. */
  totals?: ErpOrderTotals & { currency: string };
}

export interface ErpFulfillment {
  erpId: string;
  salesOrderErpId: string;
  salesOrderExternalId: string;
  location: string;
  carrier: string | null;
  trackingNumbers: string[];
  /** Each line's serial numbers (serialized items: one per unit shipped; absent for others). */
  lines: { lineKey: string; sku: string; quantity: number; serialNumbers?: string[] }[];
  /**
   * Components of item groups this fulfillment shipped that complete no kit yet, on their store line
   * (`lineKey`: the store line's key; `sku`: the component's): a parcel the store cannot take as a
   * fulfillment, shown to the buyer on the order instead (`domain/item-groups.ts`).
   */
  kitParts?: { lineKey: string; sku: string; quantity: number }[];
  shippedAt: string;
  lastModified: string;
}

export interface ErpInvoice {
  erpId: string;
  tranId: string;
  salesOrderErpId: string;
  salesOrderExternalId: string;
  total: string;
  dueDate: string | null;
  lines: { lineKey: string; sku: string; quantity: number; amount: string }[];
  lastModified: string;
}

export interface ErpReturnAuthorizationInput {
  externalId: string;
  salesOrderExternalId: string;
  lines: { lineKey: string; sku: string; quantity: number }[];
  memo?: string;
}

export interface ErpReturnAuthorization {
  erpId: string;
  externalId: string;
  status: 'pendingReceipt' | 'partiallyReceived' | 'received' | 'credited' | 'closed';
  lines: {
    lineKey: string;
    sku: string;
    quantity: number;
    quantityReceived: number;
    location: string | null;
  }[];
  lastModified: string;
}

export interface ErpCreditMemoInput {
  externalId: string;
  returnAuthorizationErpId: string;
  lines: { lineKey: string; sku: string; quantity: number; amount: string }[];
  restockingFee?: string;
}

export interface ErpCreditMemo {
  erpId: string;
  externalId: string;
  total: string;
}

export interface ErpRefundInput {
  externalId: string;
  creditMemoErpId: string;
  amount: string;
}

export interface ErpPort {
  getCustomer(erpId: string): Promise<ErpCustomer | null>;
  /**
   * Whether the ERP holds a sales order (not cancelled) for this customer other than the one with
   * `exceptExternalId`, whoever entered it: the ERP's own answer to "is this the customer's first order".
   */
  hasOtherSalesOrder(customerErpId: string, exceptExternalId: string): Promise<boolean>;
  /** The ERP customer with this external id, or the only one with this email address (null when none or several). */
  findCustomer(ref: { externalId: string } | { email: string }): Promise<ErpCustomer | null>;
  /** Updates a known customer's contact details in place (idempotent: the same changes twice change nothing more). */
  updateCustomerContact(erpId: string, changes: ErpCustomerContactChanges): Promise<ErpCustomer>;
  /** Upsert by external id: the same input twice yields one customer. */
  upsertCustomer(input: ErpCustomerInput): Promise<ErpCustomer>;
  listItems(cursor: string | null, pageSize?: number): Promise<Page<ErpItem>>;
  listPrices(cursor: string | null, pageSize?: number): Promise<Page<ErpPrice>>;
  /** Stock changed since the cursor (null = full scan), ordered by last modification. */
  inventoryChangedSince(cursor: string | null, pageSize?: number): Promise<Page<InventoryLevel>>;
  /** Idempotent by external id: a second call returns the existing order, never a second one. */
  createSalesOrder(input: ErpSalesOrderInput): Promise<ErpSalesOrder>;
  getSalesOrder(ref: { erpId: string } | { externalId: string }): Promise<ErpSalesOrder | null>;
  updateSalesOrder(externalId: string, changes: SalesOrderChanges): Promise<ErpSalesOrder>;
  /** Closes the named open lines (all open lines when omitted); idempotent. */
  cancelSalesOrder(externalId: string, lineKeys?: string[]): Promise<ErpSalesOrder>;
  fulfillmentsSince(cursor: string | null, pageSize?: number): Promise<Page<ErpFulfillment>>;
  /** Every fulfillment of this sales order with the quantity it ships on each sales order line, oldest first. */
  fulfillmentLinesOf(salesOrderErpId: string): Promise<
    {
      erpId: string;
      lines: { lineKey: string; quantity: number }[];
      carrier?: string | null;
      trackingNumbers?: string[];
    }[]
  >;
  invoicesSince(cursor: string | null, pageSize?: number): Promise<Page<ErpInvoice>>;
  createReturnAuthorization(input: ErpReturnAuthorizationInput): Promise<ErpReturnAuthorization>;
  getReturnAuthorization(
    ref: { erpId: string } | { externalId: string },
  ): Promise<ErpReturnAuthorization | null>;
  closeReturnAuthorization(externalId: string): Promise<ErpReturnAuthorization>;
  createCreditMemo(input: ErpCreditMemoInput): Promise<ErpCreditMemo>;
  createRefund(input: ErpRefundInput): Promise<{ erpId: string; externalId: string; amount: string }>;
}

/** The item master as the store's catalog needs it: by change cursor, and whole matrix families and kits. */
export interface ErpCatalogFeed {
  /** Items changed since the cursor (null = from the beginning), with their item master data and kit members. */
  itemsChangedSince(cursor: string | null, pageSize?: number): Promise<Page<ErpItem>>;
  /**
   * Items in internal id order after the cursor (a full pass), with their item master data and kit
   * members; `total` counts the items from the cursor on (this page included).
   */
  itemsAfter(cursor: string | null, pageSize?: number): Promise<Page<ErpItem> & { total: number }>;
  /** The named items and every matrix child of those that are matrix parents. */
  itemFamilies(skus: string[]): Promise<ErpItem[]>;
  /** The kits and item groups with any of these items as a member. */
  kitsContaining(skus: string[]): Promise<ErpItem[]>;
  /** Current stock of these items at every location. */
  inventoryOf(skus: string[]): Promise<InventoryLevel[]>;
  /** A cursor meaning "everything changed after this instant". */
  cursorAt(at: Date): string;
}

/** An open purchase order line: what is still to be received of an item, and when the vendor expects it. */
export interface ErpOpenPurchaseLine {
  purchaseOrderErpId: string;
  sku: string;
  location: string;
  /** Ordered and not received yet (greater than zero). */
  remaining: number;
  /** The line's expected receipt date (YYYY-MM-DD), null when the vendor gave none. */
  expectedReceiptDate: string | null;
}

/** What the backorder dates need from the ERP's purchasing: changed purchase orders and open lines. */
export interface ErpPurchasingFeed {
  /** Purchase orders created or changed since the cursor (null = from the beginning), with their items. */
  purchaseOrdersChangedSince(
    cursor: string | null,
    pageSize?: number,
  ): Promise<Page<{ erpId: string; skus: string[]; lastModified: string }>>;
  /** The open lines of purchase orders (not closed, not fully received) for these items. */
  openPurchaseLines(skus: string[]): Promise<ErpOpenPurchaseLine[]>;
}

/** What the reconciliation asks the ERP in bulk. */
export interface ErpReconcileFeed {
  /** Which of these external ids have a sales order in the ERP (cancelled ones included). */
  salesOrdersWithExternalIds(externalIds: string[]): Promise<Set<string>>;
}

/** Change feeds by the ERP's modification cursor (null = from the beginning), oldest change first. */
export interface ErpChangeFeed {
  /** Price-level rows, quantity breaks and contract prices changed since the cursor. */
  pricesChangedSince(cursor: string | null, pageSize?: number): Promise<Page<ErpPrice>>;
  /** Customers changed since the cursor (credit limit, balance, terms, price level …). */
  customersChangedSince(cursor: string | null, pageSize?: number): Promise<Page<ErpCustomer>>;
  /** The ERP's price levels and each one's flat percentage off the base price. */
  priceLevels(): Promise<{ name: string; discountPct: string }[]>;
  /** A cursor meaning "everything changed after this instant". */
  cursorAt(at: Date): string;
}
