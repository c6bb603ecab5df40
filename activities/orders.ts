import { ApplicationFailure } from '@temporalio/common';
import { storeWrite } from '../connectors/shopify/errors';
import { alertRepository, type AlertInput } from '../db/alerts';
import { mappingRepository, type MappingRepository } from '../db/mappings';
import { orderRepository, type OrderRecord } from '../db/orders';
import type { Db } from '../db/pool';
import { rulesRepository } from '../db/rules';
import { syncRepository } from '../db/sync';
import { withItemGroups } from './item-groups';
import {
  allocate,
  reservationsOf,
  type Allocation,
  type AllocationRequestLine,
  type StockByLocation,
} from '../domain/allocation';
import type { CreditAccount } from '../domain/credit';
import { Money } from '../domain/money';
import type { ErpInvoice, ErpPort, ErpSalesOrder, ErpSalesOrderInput } from '../domain/erp';
import { ORDER_FAILURES } from '../domain/failures';
import type { PriceBook } from '../domain/pricing';
import { erpOrderExternalId } from '../domain/contracts/order';
import { isPaidStatus, type CanonicalOrder } from '../domain/order';
import type { RulesSnapshot } from '../domain/rules';
import type { StorefrontFulfillmentInput, StorefrontPort } from '../domain/storefront';
import type { Logger } from '../platform/logger';

export interface OrderActivityDeps {
  db: Db;
  erp: ErpPort;
  storefront: StorefrontPort;
  mappings?: MappingRepository;
  prices?: PriceBook;
  log?: Logger;
}

export { ORDER_FAILURES };

export interface MappedOrder {
  customerErpId: string | null;
  /** Storefront SKU → ERP item for every mapped SKU. */
  skus: Record<string, string>;
  unmappedSkus: string[];
  /** Store shipping code → ERP shipping method, for the order's mapped shipping lines. */
  shipMethods?: Record<string, string>;
}

export interface CreditInfo extends CreditAccount {
  companyName: string | null;
  terms: string | null;
  priceLevel: string | null;
  /**
   * The ERP customer read for this check was saved in Quayside's customer cache, so the headroom
   * published when the order is placed counts its balance without reading it again. Absent from a
   * check recorded before the cache was written here (that placement reads the balance).
   */
  balanceCached?: boolean;
}

export interface CancelLinesInput {
  workflowId: string;
  store: string;
  orderId: string;
  externalId: string;
  /** Storefront lines with the quantity to cancel and the ERP line keys carrying it. */
  lines: { lineId: string; quantity: number; unitPrice: string; lineKeys: string[] }[];
  currency: string;
  /** Refund the cancelled value (the order was paid); otherwise only the line quantities are removed. */
  paid: boolean;
  reason: string;
  refundKey: string;
  notifyCustomer: boolean;
}

/**
 * Activities of the order process, built once per worker with their dependencies. Every write is
 * idempotent: ERP orders by external id, storefront fulfillments/refunds by key, Postgres by upsert.
 */
export function createOrderActivities({
  db,
  erp: erpPort,
  storefront,
  mappings = mappingRepository(db),
  prices,
  log,
}: OrderActivityDeps) {
  const orders = orderRepository(db);
  const alerts = alertRepository(db);
  // Item groups go to the ERP as their components and come back as the store's kit lines.
  const caches = syncRepository(db);
  const erp = withItemGroups(erpPort, (skus) => caches.itemGroups(skus));
  const rules = rulesRepository(db);

  /** "First order" is the ERP's answer (orders entered there before Quayside count), cached once it is yes. */
  async function hasOrderedInErp(customerErpId: string, exceptExternalId: string): Promise<boolean> {
    if (await orders.erpCustomerHasOrdered(customerErpId)) return true;
    const ordered = await erp.hasOtherSalesOrder(customerErpId, exceptExternalId);
    if (ordered) await orders.recordErpCustomerOrdered(customerErpId);
    return ordered;
  }

  /** The order's customer, SKUs and shipping codes through the store's mapping tables. */
  async function mappedOf(order: CanonicalOrder): Promise<MappedOrder> {
    const storeSkus = [...new Set(order.lines.map((l) => l.sku))];
    const codes = [...new Set((order.shippingLines ?? []).map((s) => s.code))];
    const [skus, customerErpId, shipMethods] = await Promise.all([
      mappings.erpSkus(order.store, storeSkus),
      mappings.erpCustomer(order.store, order.customerId),
      codes.length ? mappings.erpShipMethods(order.store, codes) : new Map<string, string>(),
    ]);
    return {
      customerErpId,
      skus: Object.fromEntries(skus),
      unmappedSkus: storeSkus.filter((s) => !skus.has(s)),
      shipMethods: Object.fromEntries(shipMethods),
    };
  }

  return {
    /** The rules the store's order runs by (its own, else the shared ones); without a store, the shared. */
    async loadOrderRules(input?: { store: string }): Promise<RulesSnapshot> {
      return rules.current(input?.store);
    },

    async mapOrder(input: { order: CanonicalOrder }): Promise<MappedOrder> {
      return mappedOf(input.order);
    },

    /**
     * How an order starts: the rules it runs by (the store's own, else the shared ones) and its
     * mapping, read at the same time in one activity (the order then waits for one round, not two).
     */
    async startOrder(input: {
      store: string;
      order: CanonicalOrder;
    }): Promise<{ rules: RulesSnapshot; mapped: MappedOrder }> {
      const [snapshot, mapped] = await Promise.all([rules.current(input.store), mappedOf(input.order)]);
      return { rules: snapshot, mapped };
    },

    async saveSkuMapping(input: { store: string; sku: string; erpSku: string; by: string }): Promise<void> {
      await mappings.upsertSkus(input.store, [{ storeSku: input.sku, erpSku: input.erpSku }], input.by);
    },

    async saveCustomerMapping(input: {
      store: string;
      customerId: string;
      erpCustomerId: string;
      by: string;
    }): Promise<void> {
      await mappings.upsertCustomer(input.store, input.customerId, input.erpCustomerId, input.by);
    },

    async readCreditAccount(input: {
      store: string;
      orderId: string;
      customerId: string;
      customerErpId: string;
      /**
       * The order's read model as mapped, written before anything is read: the user sees the order
       * mapped while its credit is checked, and another order of the same customer checked after this
       * write counts this one in its exposure. Idempotent (an upsert of the same row), so a retry
       * writes it again unchanged.
       */
      record?: OrderRecord;
    }): Promise<CreditInfo> {
      if (input.record) await orders.upsert(input.record);
      // The ERP's customer and Quayside's own records at the same time: the order waits for one round trip, not three.
      const [customer, { earlier, openOrders }] = await Promise.all([
        // Kept in the customer cache as read: the headroom published when the order is placed counts
        // this balance, which a sales order does not change, without reading it again (balanceCached).
        erp.getCustomer(input.customerErpId).then(async (c) => {
          if (c) await caches.saveCustomer(c);
          return c;
        }),
        // The same exposure as the store's headroom: the ERP balance plus Quayside's other open
        // orders; and whether the store customer has ordered through Quayside before.
        orders
          .creditFacts(input.store, input.customerId, input.customerErpId, input.orderId)
          .then(async (facts) => ({
            openOrders: facts.openOrders,
            earlier:
              facts.earlier ||
              (await hasOrderedInErp(input.customerErpId, erpOrderExternalId(input.store, input.orderId))),
          })),
      ]);
      if (!customer) {
        throw ApplicationFailure.create({
          type: ORDER_FAILURES.erpRejected,
          message: `ERP customer ${input.customerErpId} (mapped from storefront customer ${input.customerId}) does not exist in the ERP.`,
          nonRetryable: true,
        });
      }
      return {
        creditLimit: customer.creditLimit,
        balance: customer.balance,
        openOrders,
        firstOrder: !earlier,
        companyName: customer.companyName,
        terms: customer.terms,
        priceLevel: customer.priceLevel,
        balanceCached: true,
      };
    },

    async expectedPrices(input: {
      customerErpId: string;
      priceLevel: string | null;
      lines: { sku: string; quantity: number }[];
    }): Promise<Record<string, string>> {
      return prices ? prices.unitPrices(input) : {};
    },

    async readFreeStock(input: { workflowId: string; skus: string[] }): Promise<StockByLocation> {
      return orders.freeStock(input.skus, input.workflowId);
    },

    async reserveStock(input: {
      workflowId: string;
      lines: { lineKey: string; sku: string; location: string; quantity: number }[];
    }): Promise<void> {
      await orders.reserve(input.workflowId, input.lines);
    },

    /**
     * Allocates the lines across warehouses (free stock, then the rules' priority), reserves the
     * allocated stock, and reads the ERP prices expected for the lines, at the same time: one activity
     * where there were three. A retry allocates again from the same free stock (the order's own
     * reservations never count against it) and upserts the same reservations.
     */
    async reserveAndPrice(input: {
      workflowId: string;
      lines: AllocationRequestLine[];
      priority: string[];
      customerErpId: string;
      priceLevel: string | null;
    }): Promise<{ allocation: Allocation; expected: Record<string, string> }> {
      const skus = [...new Set(input.lines.map((l) => l.sku))];
      const [allocation, expected] = await Promise.all([
        orders.freeStock(skus, input.workflowId).then(async (stock) => {
          const allocated = allocate(input.lines, stock, input.priority);
          await orders.reserve(input.workflowId, reservationsOf(allocated));
          return allocated;
        }),
        prices
          ? prices.unitPrices({
              customerErpId: input.customerErpId,
              priceLevel: input.priceLevel,
              lines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
            })
          : {},
      ]);
      return { allocation, expected };
    },

    async releaseReservations(input: {
      workflowId: string;
      lineKeys?: string[];
    }): Promise<{ released: number }> {
      return { released: await orders.release(input.workflowId, input.lineKeys) };
    },

    async createErpSalesOrder(input: ErpSalesOrderInput): Promise<ErpSalesOrder> {
      try {
        return await erp.createSalesOrder(input);
      } catch (err) {
        // The NetSuite connector refuses with the typed ErpRejectedOrder (code, path, field) itself; a
        // port that gives no typed reason has its permanent errors refused here without one.
        if (err instanceof ApplicationFailure) throw err;
        const e = err as { retryable?: boolean; nonRetryable?: boolean; status?: number; message?: string };
        const permanent =
          e.nonRetryable === true ||
          e.retryable === false ||
          (e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 429);
        if (permanent) {
          throw ApplicationFailure.create({
            type: ORDER_FAILURES.erpRejected,
            message: e.message ?? String(err),
            nonRetryable: true,
          });
        }
        throw err;
      }
    },

    async readErpSalesOrder(input: { externalId: string }): Promise<ErpSalesOrder | null> {
      return erp.getSalesOrder({ externalId: input.externalId });
    },

    async updateErpSalesOrder(input: {
      externalId: string;
      changes: Parameters<ErpPort['updateSalesOrder']>[1];
    }): Promise<ErpSalesOrder> {
      return erp.updateSalesOrder(input.externalId, input.changes);
    },

    async cancelErpSalesOrder(input: { externalId: string }): Promise<ErpSalesOrder> {
      return erp.cancelSalesOrder(input.externalId);
    },

    /**
     * Cancels quantities of open lines: in the ERP (a line is closed when nothing else on it remains
     * to ship, else its quantity is reduced), Quayside's reservations, and on the storefront (a refund
     * of the lines without restock, which removes them from what is left to fulfil).
     */
    async cancelOrderLines(
      input: CancelLinesInput,
    ): Promise<{ cancelled: { lineId: string; quantity: number }[]; refunded: string }> {
      const so = await erp.getSalesOrder({ externalId: input.externalId });
      if (so) {
        const close: string[] = [];
        const reduce: { lineKey: string; quantity: number }[] = [];
        for (const line of input.lines) {
          let remaining = line.quantity;
          for (const key of line.lineKeys) {
            const erpLine = so.lines.find((l) => l.lineKey === key);
            if (!erpLine || erpLine.closed || remaining === 0) continue;
            const openOnLine = erpLine.quantity - erpLine.quantityFulfilled;
            const take = Math.min(openOnLine, remaining);
            remaining -= take;
            if (take === openOnLine) close.push(key);
            else reduce.push({ lineKey: key, quantity: erpLine.quantity - take });
          }
        }
        if (reduce.length > 0) await erp.updateSalesOrder(input.externalId, { lines: reduce });
        if (close.length > 0) await erp.cancelSalesOrder(input.externalId, close);
      }
      await orders.release(
        input.workflowId,
        input.lines.flatMap((l) => l.lineKeys),
      );
      const refunded = (
        input.paid
          ? Money.sum(
              input.lines.map((l) => Money.line(l.unitPrice, l.quantity, input.currency)),
              input.currency,
            )
          : Money.zero(input.currency)
      ).toString();
      // A refusal here (StoreRefused) comes after the ERP and the reservations are done: the lines are
      // cancelled, and only the store's refund of them is left for a person.
      await storeWrite('refund the cancelled lines', () =>
        storefront.createRefund({
          orderId: input.orderId,
          refundKey: input.refundKey,
          lines: input.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, restock: false })),
          amount: refunded,
          currency: input.currency,
          note: input.reason,
          notifyCustomer: input.notifyCustomer,
        }),
      );
      return { cancelled: input.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })), refunded };
    },

    /**
     * Voids or refunds the order's payment. When the storefront has not cancelled the order yet it is
     * cancelled there with a refund (which voids an authorization); when it has, a captured payment
     * is refunded in full.
     */
    async voidPayment(input: {
      orderId: string;
      reason: string;
      cancelledOnStorefront: boolean;
      financialStatus?: string;
      amount: string;
      currency: string;
    }): Promise<{ action: 'cancelledWithRefund' | 'refunded' | 'nothingToRefund' }> {
      if (!input.cancelledOnStorefront) {
        await storefront.cancelOrder({
          orderId: input.orderId,
          reason: input.reason,
          notifyCustomer: true,
          refund: true,
          staffNote: input.reason,
        });
        return { action: 'cancelledWithRefund' };
      }
      if (!isPaidStatus(input.financialStatus)) return { action: 'nothingToRefund' };
      await storefront.createRefund({
        orderId: input.orderId,
        refundKey: `cancel:${input.orderId}`,
        lines: [],
        amount: input.amount,
        currency: input.currency,
        note: input.reason,
        notifyCustomer: true,
      });
      return { action: 'refunded' };
    },

    async pushFulfillment(
      input: StorefrontFulfillmentInput,
    ): Promise<{ fulfillmentId: string; created: boolean }> {
      return storeWrite('create the shipment', () => storefront.createFulfillment(input));
    },

    /**
     * Publishes the serial numbers one ERP fulfillment shipped to the order in the storefront, which
     * the customer portal shows: the order metafield `quayside_serials.<ERP fulfillment id>` (JSON with
     * the store fulfillment id and, per line, the SKU and its serial numbers). One key per fulfillment,
     * so two shipments never overwrite each other and a retry writes the same value again.
     */
    async publishSerialNumbers(input: {
      orderId: string;
      erpFulfillmentId: string;
      storefrontFulfillmentId: string;
      lines: { lineId: string; sku: string; serialNumbers: string[] }[];
    }): Promise<void> {
      await storeWrite('show the serial numbers on the order', () =>
        storefront.updateOrder({
          orderId: input.orderId,
          metafields: [
            {
              namespace: 'quayside_serials',
              key: input.erpFulfillmentId,
              type: 'json',
              value: JSON.stringify({
                fulfillmentId: input.storefrontFulfillmentId,
                erpFulfillmentId: input.erpFulfillmentId,
                lines: input.lines,
              }),
            },
          ],
        }),
      );
    },

    /**
     * Shows the buyer a parcel the store cannot take as a fulfillment: one that carries components of
     * item groups and completes no kit (Shopify takes no fulfillment without lines). The order
     * metafield `quayside_parcels.<ERP fulfillment id>` (JSON: carrier, tracking numbers, ship date
     * and, per store line, the components and units in the parcel), which the customer portal shows
     * beside the shipments. One key per ERP fulfillment, so a retry writes the same value again.
     */
    async publishParcel(input: {
      orderId: string;
      erpFulfillmentId: string;
      carrier: string | null;
      trackingNumbers: string[];
      shippedAt: string;
      lines: { lineId: string; sku: string; quantity: number }[];
    }): Promise<void> {
      await storeWrite('show the parcel on the order', () =>
        storefront.updateOrder({
          orderId: input.orderId,
          metafields: [
            {
              namespace: 'quayside_parcels',
              key: input.erpFulfillmentId,
              type: 'json',
              value: JSON.stringify({
                erpFulfillmentId: input.erpFulfillmentId,
                carrier: input.carrier,
                trackingNumbers: input.trackingNumbers,
                shippedAt: input.shippedAt,
                lines: input.lines,
              }),
            },
          ],
        }),
      );
    },

    /** Publishes the order's invoices to the storefront (customer portal) as an order metafield. */
    async publishInvoices(input: {
      orderId: string;
      invoices: Pick<ErpInvoice, 'erpId' | 'tranId' | 'total' | 'dueDate'>[];
    }): Promise<void> {
      await storeWrite('show the invoices on the order', () =>
        storefront.updateOrder({
          orderId: input.orderId,
          addTags: ['invoiced'],
          metafields: [
            {
              namespace: 'quayside',
              key: 'invoices',
              type: 'json',
              value: JSON.stringify(
                input.invoices.map((i) => ({
                  number: i.tranId,
                  erpId: i.erpId,
                  total: i.total,
                  dueDate: i.dueDate,
                })),
              ),
            },
          ],
        }),
      );
    },

    /** Tells the buyer about their order through the storefront (a tag plus a notice the customer portal shows). */
    async notifyBuyer(input: { orderId: string; tag: string; notice: string }): Promise<void> {
      await storeWrite('show the buyer a notice on the order', () =>
        storefront.updateOrder({
          orderId: input.orderId,
          addTags: [input.tag],
          metafields: [
            {
              namespace: 'quayside',
              key: 'buyer_notice',
              type: 'multi_line_text_field',
              value: input.notice,
            },
          ],
        }),
      );
    },

    async recordOrder(input: OrderRecord): Promise<void> {
      await orders.upsert(input);
    },

    async raiseOrderAlert(input: AlertInput): Promise<void> {
      await alerts.raise(input);
      // Ids only: the message (shown on the dashboard from the alert row) may quote personal data.
      log?.warn(
        { workflowId: input.workflowId, kind: input.kind, alert: input.dedupeKey },
        'order needs attention',
      );
    },

    async resolveOrderAlert(input: { dedupeKey: string }): Promise<void> {
      await alerts.resolve(input.dedupeKey);
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
