import { NetSuiteError, salesOrderRejected, type NetSuiteErrorDetail } from '../../connectors/netsuite';
import type {
  ErpCustomer,
  ErpFulfillment,
  ErpInvoice,
  ErpPort,
  ErpSalesOrder,
  ErpSalesOrderInput,
  Page,
} from '../../domain/erp';
import type { ApprovalActivities, PendingApproval } from '../../domain/approvals';
import type {
  StorefrontFulfillmentInput,
  StorefrontPort,
  StorefrontRefundInput,
} from '../../domain/storefront';

const unsupported = (what: string) => () =>
  Promise.reject(new Error(`the in-memory ERP does not do ${what}`));

/** An in-memory ERP with a warehouse: sales orders commit stock or backorder, and ship and invoice on demand. */
export class FakeErp implements ErpPort {
  customers = new Map<string, ErpCustomer>();
  /** ERP-side stock by `${sku}@${location}`. */
  stock = new Map<string, number>();
  orders = new Map<string, ErpSalesOrder>();
  createCalls: string[] = [];
  updateCalls: { externalId: string; changes: unknown }[] = [];
  cancelCalls: { externalId: string; lineKeys?: string[] }[] = [];
  fulfillments: ErpFulfillment[] = [];
  invoices: ErpInvoice[] = [];
  /**
   * The next create is refused: with NetSuite's error detail, as the NetSuite connector refuses it (a
   * typed rejection naming the field); with a bare message, as an ERP that gives no typed reason.
   */
  rejectNextCreate: string | NetSuiteErrorDetail | null = null;
  /** Sales orders by the ERP customer they are for (external id), including ones entered in the ERP. */
  ordersByCustomer = new Map<string, string[]>();
  private seq = 0;

  addCustomer(erpId: string, creditLimit: string | null, balance = '0.00') {
    this.customers.set(erpId, {
      erpId,
      externalId: null,
      companyName: `Company ${erpId}`,
      email: null,
      creditLimit,
      balance,
      terms: 'Net 30',
      priceLevel: 'Wholesale',
      taxExempt: false,
      parentErpId: null,
      lastModified: new Date().toISOString(),
    });
  }

  async getCustomer(erpId: string) {
    return this.customers.get(erpId) ?? null;
  }
  async hasOtherSalesOrder(customerErpId: string, exceptExternalId: string) {
    return (this.ordersByCustomer.get(customerErpId) ?? []).some((e) => e !== exceptExternalId);
  }
  upsertCustomer = unsupported('customers');
  findCustomer = unsupported('customer lookups');
  updateCustomerContact = unsupported('customer updates');
  listItems = unsupported('items');
  listPrices = unsupported('prices');
  inventoryChangedSince = unsupported('inventory');
  createReturnAuthorization = unsupported('returns');
  getReturnAuthorization = unsupported('returns');
  closeReturnAuthorization = unsupported('returns');
  createCreditMemo = unsupported('credit memos');
  createRefund = unsupported('refunds');

  async createSalesOrder(input: ErpSalesOrderInput): Promise<ErpSalesOrder> {
    this.createCalls.push(input.externalId);
    if (this.rejectNextCreate) {
      const refusal = this.rejectNextCreate;
      this.rejectNextCreate = null;
      if (typeof refusal !== 'string')
        throw salesOrderRejected(new NetSuiteError({ status: 400, details: [refusal] }));
      throw Object.assign(new Error(refusal), { status: 400 });
    }
    const existing = this.orders.get(input.externalId);
    if (existing) return structuredClone(existing);
    this.seq += 1;
    const so: ErpSalesOrder = {
      erpId: `SO${this.seq}`,
      tranId: `SO-${1000 + this.seq}`,
      externalId: input.externalId,
      status: 'pendingFulfillment',
      poNumber: input.poNumber ?? null,
      lines: input.lines.map((l) => {
        const key = `${l.sku}@${l.location}`;
        const have = this.stock.get(key) ?? 0;
        const committed = Math.min(have, l.quantity);
        this.stock.set(key, have - committed);
        return {
          lineKey: l.lineKey,
          sku: l.sku,
          quantity: l.quantity,
          quantityFulfilled: 0,
          quantityBilled: 0,
          quantityBackOrdered: l.quantity - committed,
          location: l.location,
          closed: false,
        };
      }),
      lastModified: new Date().toISOString(),
    };
    this.orders.set(input.externalId, so);
    this.ordersByCustomer.set(input.customerErpId, [
      ...(this.ordersByCustomer.get(input.customerErpId) ?? []),
      input.externalId,
    ]);
    return structuredClone(so);
  }

  async getSalesOrder(ref: { erpId: string } | { externalId: string }) {
    const so =
      'externalId' in ref
        ? this.orders.get(ref.externalId)
        : [...this.orders.values()].find((o) => o.erpId === ref.erpId);
    return so ? structuredClone(so) : null;
  }

  async updateSalesOrder(externalId: string, changes: Parameters<ErpPort['updateSalesOrder']>[1]) {
    this.updateCalls.push({ externalId, changes });
    const so = this.must(externalId);
    if (changes.poNumber !== undefined) so.poNumber = changes.poNumber;
    for (const c of changes.lines ?? []) {
      const line = so.lines.find((l) => l.lineKey === c.lineKey);
      if (line) {
        line.quantity = c.quantity;
        line.quantityBackOrdered = Math.min(line.quantityBackOrdered, c.quantity - line.quantityFulfilled);
      }
    }
    return structuredClone(so);
  }

  async cancelSalesOrder(externalId: string, lineKeys?: string[]) {
    this.cancelCalls.push({ externalId, lineKeys });
    const so = this.must(externalId);
    for (const l of so.lines) if (!lineKeys || lineKeys.includes(l.lineKey)) l.closed = true;
    if (so.lines.every((l) => l.closed))
      so.status = so.lines.some((l) => l.quantityFulfilled > 0) ? 'closed' : 'cancelled';
    return structuredClone(so);
  }

  /** Warehouse: ship quantities of lines (one fulfillment). */
  ship(
    externalId: string,
    lines: { lineKey: string; quantity: number }[],
    carrier = 'UPS',
    tracking = [`1Z${this.fulfillments.length + 1}`],
  ): ErpFulfillment {
    const so = this.must(externalId);
    for (const s of lines) {
      const line = so.lines.find((l) => l.lineKey === s.lineKey);
      if (!line) throw new Error(`no line ${s.lineKey}`);
      line.quantityFulfilled += s.quantity;
      line.quantityBackOrdered = Math.max(
        0,
        Math.min(line.quantityBackOrdered, line.quantity - line.quantityFulfilled),
      );
    }
    so.status = so.lines.every((l) => l.closed || l.quantityFulfilled >= l.quantity)
      ? 'pendingBilling'
      : 'partiallyFulfilled';
    const f: ErpFulfillment = {
      erpId: `IF${this.fulfillments.length + 1}`,
      salesOrderErpId: so.erpId,
      salesOrderExternalId: externalId,
      location: so.lines.find((l) => l.lineKey === lines[0]?.lineKey)?.location ?? 'MAIN',
      carrier,
      trackingNumbers: tracking,
      lines: lines.map((s) => ({
        lineKey: s.lineKey,
        sku: so.lines.find((l) => l.lineKey === s.lineKey)?.sku ?? '',
        quantity: s.quantity,
      })),
      shippedAt: new Date().toISOString(),
      lastModified: new Date().toISOString(),
    };
    this.fulfillments.push(f);
    return f;
  }

  /** Stock arrives for a backordered line: the ERP commits it. */
  receive(externalId: string, lineKey: string) {
    const line = this.must(externalId).lines.find((l) => l.lineKey === lineKey);
    if (line) line.quantityBackOrdered = 0;
  }

  /** Invoices everything fulfilled and not yet billed. */
  invoice(externalId: string): ErpInvoice {
    const so = this.must(externalId);
    const lines = so.lines
      .filter((l) => l.quantityFulfilled > l.quantityBilled)
      .map((l) => {
        const quantity = l.quantityFulfilled - l.quantityBilled;
        l.quantityBilled = l.quantityFulfilled;
        return { lineKey: l.lineKey, sku: l.sku, quantity, amount: '0.00' };
      });
    const inv: ErpInvoice = {
      erpId: `INV${this.invoices.length + 1}`,
      tranId: `INV-${5000 + this.invoices.length + 1}`,
      salesOrderErpId: so.erpId,
      salesOrderExternalId: externalId,
      total: '0.00',
      dueDate: null,
      lines,
      lastModified: new Date().toISOString(),
    };
    this.invoices.push(inv);
    return inv;
  }

  async fulfillmentsSince(cursor: string | null, pageSize = 100): Promise<Page<ErpFulfillment>> {
    return this.page(this.fulfillments, cursor, pageSize);
  }
  async fulfillmentLinesOf(salesOrderErpId: string) {
    return this.fulfillments
      .filter((f) => f.salesOrderErpId === salesOrderErpId)
      .map((f) => ({
        erpId: f.erpId,
        carrier: f.carrier,
        trackingNumbers: f.trackingNumbers,
        lines: f.lines.map((l) => ({ lineKey: l.lineKey, quantity: l.quantity })),
      }));
  }
  async invoicesSince(cursor: string | null, pageSize = 100): Promise<Page<ErpInvoice>> {
    return this.page(this.invoices, cursor, pageSize);
  }

  private page<T>(all: T[], cursor: string | null, pageSize: number): Page<T> {
    const from = cursor === null ? 0 : Number(cursor);
    const items = all.slice(from, from + pageSize);
    return { items, nextCursor: String(from + items.length), hasMore: from + items.length < all.length };
  }

  private must(externalId: string): ErpSalesOrder {
    const so = this.orders.get(externalId);
    if (!so) throw new Error(`no sales order ${externalId}`);
    return so;
  }
}

/** An in-memory storefront recording what Quayside asked of it (idempotent by key, like the real one). */
export class FakeStorefront implements StorefrontPort {
  fulfillments = new Map<string, StorefrontFulfillmentInput>();
  refunds = new Map<string, StorefrontRefundInput>();
  cancels: { orderId: string; reason: string; refund: boolean }[] = [];
  updates: {
    orderId: string;
    addTags?: string[];
    metafields?: { namespace: string; key: string; value: string }[];
  }[] = [];
  /** Orders placed in this store, as the reconciliation lists them. */
  placed: { orderId: string; name: string; updatedAt: string }[] = [];

  async ordersUpdatedSince(since: string, first: number) {
    return this.placed
      .filter((o) => o.updatedAt > since)
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
      .slice(0, first);
  }

  async createFulfillment(input: StorefrontFulfillmentInput) {
    const created = !this.fulfillments.has(input.fulfillmentKey);
    this.fulfillments.set(input.fulfillmentKey, input);
    return { fulfillmentId: `gid://shopify/Fulfillment/${input.fulfillmentKey}`, created };
  }
  async createRefund(input: StorefrontRefundInput) {
    const created = !this.refunds.has(input.refundKey);
    this.refunds.set(input.refundKey, input);
    return { refundId: `R-${input.refundKey}`, created };
  }
  async cancelOrder(input: { orderId: string; reason: string; refund: boolean }) {
    this.cancels.push({ orderId: input.orderId, reason: input.reason, refund: input.refund });
  }
  async updateOrder(input: {
    orderId: string;
    addTags?: string[];
    metafields?: { namespace: string; key: string; type: string; value: string }[];
  }) {
    this.updates.push(input);
  }
  async setInventory() {
    return { updated: 0, stale: [] };
  }
  async setPublished() {}
  async updateReturn() {}
  async getReturnLines() {
    return [];
  }
  async upsertCustomer() {
    return { customerId: 'c' };
  }
  tagsOf(orderId: string) {
    return this.updates.filter((u) => u.orderId === orderId).flatMap((u) => u.addTags ?? []);
  }
  invoicesOf(orderId: string): { number: string }[] {
    const last = this.updates
      .filter((u) => u.orderId === orderId && u.metafields?.some((m) => m.key === 'invoices'))
      .at(-1);
    const value = last?.metafields?.find((m) => m.key === 'invoices')?.value;
    return value ? (JSON.parse(value) as { number: string }[]) : [];
  }
}

/** Approval activities as plain objects: records what was opened, reminded and closed. */
export function fakeApprovals() {
  const log = {
    opened: [] as PendingApproval[],
    reminders: [] as { approvalId: string; escalate: boolean }[],
    closed: [] as { approvalId: string; outcome: string }[],
  };
  const activities: ApprovalActivities = {
    async openApproval(p) {
      log.opened.push(p);
    },
    async remindApproval(r) {
      log.reminders.push(r);
    },
    async closeApproval(c) {
      log.closed.push({ approvalId: c.approvalId, outcome: c.outcome });
    },
  };
  return { log, activities };
}
