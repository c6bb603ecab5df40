import { z } from 'zod';
import { CUSTOMER_EVENT_SIGNAL } from '../../../domain/customer';
import { customerSyncWorkflowId, orderWorkflowId, returnWorkflowId } from '../../../domain/ids';
import { ORDER_EVENT_SIGNAL, type Address } from '../../../domain/order';
import { REFUND_EVENT_SIGNAL, RETURN_EVENT_SIGNAL } from '../../../domain/returns';
import { Money } from '../../../domain/money';
import { describeZodError } from '../../../domain/zod-errors';
import { ShopifyCustomer, ShopifyOrder, ShopifyRefund, ShopifyReturn, type ShopifyAddress } from './schemas';
import { CanonicalOrder, StorefrontOrderEvent } from '../../../domain/schemas/order';
import { StorefrontCustomerEvent } from '../../../domain/schemas/customer';
import { StorefrontRefundEvent, StorefrontReturnEvent } from '../../../domain/schemas/returns';

/** The webhook topics Quayside subscribes to and acts on. */
export const SHOPIFY_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'customers/create',
  'customers/update',
  'returns/request',
  'refunds/create',
] as const;
export type ShopifyTopic = (typeof SHOPIFY_TOPICS)[number];
export const isHandledTopic = (topic: string): topic is ShopifyTopic =>
  (SHOPIFY_TOPICS as readonly string[]).includes(topic);

/** What the ingress does with a delivery: signal-with-start into one deterministic workflow id. */
export interface Dispatch {
  workflowType: 'orderToInvoice' | 'customerSync' | 'returnRefund';
  workflowId: string;
  args: [Record<string, string>];
  signal: string;
  signalArgs: [unknown];
}

export class PayloadInvalid extends Error {
  override name = 'PayloadInvalid';
}

export interface DeliveryContext {
  store: string;
  eventId: string;
  triggeredAt: string;
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown, where: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new PayloadInvalid(describeZodError(parsed.error, where).message);
  return parsed.data;
}

const address = (a: ShopifyAddress | null | undefined): Address | undefined =>
  a
    ? {
        name: a.name ?? ([a.first_name, a.last_name].filter(Boolean).join(' ') || null),
        company: a.company,
        address1: a.address1,
        address2: a.address2,
        city: a.city,
        province: a.province_code ?? a.province,
        zip: a.zip,
        country: a.country_code ?? a.country,
        phone: a.phone,
      }
    : undefined;

const splitTags = (tags: string | null | undefined) =>
  (tags ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/** A note attribute by any of its usual spellings ("PO Number", "po_number", "po-number"). */
function attribute(order: ShopifyOrder, ...names: string[]): string | undefined {
  const wanted = names.map((n) => n.toLowerCase().replace(/[\s_-]/g, ''));
  const found = (order.note_attributes ?? []).find((a) =>
    wanted.includes(a.name.toLowerCase().replace(/[\s_-]/g, '')),
  );
  return found?.value === undefined || found.value === null || found.value === ''
    ? undefined
    : String(found.value);
}

/** Shopify's tax rate (a JSON number such as 0.06) as exact decimal text. */
const rateText = (rate: number) => String(rate);

const allocated = (allocations: { amount: string }[] | null | undefined, currency: string) =>
  allocations?.length
    ? Money.sum(
        allocations.map((a) => Money.of(a.amount, currency, 'halfUp')),
        currency,
      ).toString()
    : undefined;

export function canonicalOrder(store: string, order: ShopifyOrder): CanonicalOrder {
  if (!order.customer)
    throw new PayloadInvalid('body.customer: the order has no customer; a B2B order needs one');
  const noSku = order.line_items.find((l) => !l.sku);
  if (noSku) throw new PayloadInvalid(`body.line_items: line item ${noSku.id} has no SKU`);
  const candidate = {
    store,
    orderId: order.id,
    orderNumber: order.name,
    customerId: order.customer.id,
    email: order.email ?? order.contact_email ?? order.customer.email ?? undefined,
    poNumber: order.po_number ?? attribute(order, 'PO number', 'purchase order'),
    projectCode: attribute(order, 'project code', 'project'),
    companyLocationId: order.company?.location_id ?? undefined,
    currency: order.currency,
    lines: order.line_items
      .filter((l) => l.quantity > 0)
      .map((l) => ({
        lineId: l.id,
        sku: l.sku!,
        title: l.title ?? l.name ?? undefined,
        quantity: l.quantity,
        unitPrice: l.price,
        discount: allocated(l.discount_allocations, order.currency),
        taxable: l.taxable ?? undefined,
      })),
    shippingAddress: address(order.shipping_address),
    tags: splitTags(order.tags),
    note: order.note ?? undefined,
    financialStatus: order.financial_status ?? undefined,
    gateway: order.gateway ?? order.payment_gateway_names?.[0] ?? undefined,
    discountCodes: order.discount_codes?.map((d) => ({
      code: d.code,
      amount: d.amount,
      type: d.type ?? undefined,
    })),
    shippingLines: order.shipping_lines?.map((sl) => ({
      code: sl.code ?? sl.title ?? 'shipping',
      title: sl.title ?? undefined,
      price: sl.price,
      discount: allocated(sl.discount_allocations, order.currency),
    })),
    taxLines: order.tax_lines?.map((t) => ({ title: t.title, rate: rateText(t.rate), amount: t.price })),
    taxExempt: order.tax_exempt === true || order.customer.tax_exempt === true || undefined,
    taxesIncluded: order.taxes_included ?? undefined,
    totals:
      order.total_price === undefined || order.total_price === null
        ? undefined
        : {
            subtotal: order.subtotal_price ?? undefined,
            discounts: order.total_discounts ?? '0',
            shipping: order.total_shipping_price_set?.shop_money.amount,
            tax: order.total_tax ?? '0',
            total: order.total_price,
          },
    updatedAt: order.updated_at,
  };
  return parseWith(CanonicalOrder, candidate, 'order');
}

/** Shopify's decimal amounts summed exactly; an unknown currency is read with two decimals, as the store's default. */
const sumMoney = (amounts: string[], currency: string | undefined) =>
  Money.sum(
    amounts.map((a) => Money.of(a, currency ?? 'USD', 'halfUp')),
    currency ?? 'USD',
  ).toString();

/** Maps a validated topic and body to the workflow it belongs to; throws PayloadInvalid with the reason. */
export function mapDelivery(topic: ShopifyTopic, body: unknown, ctx: DeliveryContext): Dispatch {
  const { store, eventId, triggeredAt } = ctx;
  switch (topic) {
    case 'orders/create':
    case 'orders/updated':
    case 'orders/cancelled': {
      const order = parseWith(ShopifyOrder, body, 'body');
      const event = parseWith(
        StorefrontOrderEvent,
        {
          topic,
          eventId,
          triggeredAt,
          order: canonicalOrder(store, order),
          cancelReason: topic === 'orders/cancelled' ? (order.cancel_reason ?? 'other') : undefined,
        },
        'event',
      );
      return {
        workflowType: 'orderToInvoice',
        workflowId: orderWorkflowId(store, order.id),
        args: [{ store, orderId: order.id }],
        signal: ORDER_EVENT_SIGNAL,
        signalArgs: [event],
      };
    }
    case 'customers/create':
    case 'customers/update': {
      const customer = parseWith(ShopifyCustomer, body, 'body');
      if (!customer.email) throw new PayloadInvalid('body.email: the customer has no email address');
      const event = parseWith(
        StorefrontCustomerEvent,
        {
          topic,
          eventId,
          triggeredAt,
          application: {
            store,
            customerId: customer.id,
            email: customer.email,
            firstName: customer.first_name ?? undefined,
            lastName: customer.last_name ?? undefined,
            companyName: customer.default_address?.company ?? undefined,
            taxExempt: customer.tax_exempt ?? false,
            phone: customer.phone ?? undefined,
            address: address(customer.default_address),
            tags: splitTags(customer.tags),
          },
          updatedAt: customer.updated_at ?? undefined,
          verifiedEmail: customer.verified_email ?? false,
        },
        'event',
      );
      // A small process per event decides: update the ERP customer it already knows, or open the
      // new-customer approval for one it does not.
      return {
        workflowType: 'customerSync',
        workflowId: customerSyncWorkflowId(store, customer.id, eventId),
        args: [{ store, customerId: customer.id }],
        signal: CUSTOMER_EVENT_SIGNAL,
        signalArgs: [event],
      };
    }
    case 'returns/request': {
      const ret = parseWith(ShopifyReturn, body, 'body');
      // Shopify's returns/request lists no line items; the return process reads them from the store.
      const lines = ret.return_line_items.map((l) => {
        const item = l.fulfillment_line_item?.line_item ?? l.line_item;
        if (!item)
          throw new PayloadInvalid(`body.return_line_items: return line ${l.id} names no order line item`);
        return {
          lineId: item.id,
          sku: item.sku ?? undefined,
          quantity: l.quantity,
          reason: l.return_reason ?? undefined,
          customerNote: l.customer_note ?? l.return_reason_note ?? undefined,
        };
      });
      const event = parseWith(
        StorefrontReturnEvent,
        {
          topic,
          eventId,
          triggeredAt,
          request: {
            store,
            returnId: ret.id,
            orderId: ret.order.id,
            customerId: ret.customer?.id,
            requestedAt: ret.created_at ?? triggeredAt,
            lines,
          },
        },
        'event',
      );
      return {
        workflowType: 'returnRefund',
        workflowId: returnWorkflowId(store, ret.id),
        args: [{ store, returnId: ret.id }],
        signal: RETURN_EVENT_SIGNAL,
        signalArgs: [event],
      };
    }
    case 'refunds/create': {
      const refund = parseWith(ShopifyRefund, body, 'body');
      const refunded = refund.transactions.filter(
        (t) => t.kind === 'refund' && (t.status ?? 'success') === 'success',
      );
      const currency =
        refunded.find((t) => t.currency)?.currency ??
        refund.refund_line_items[0]?.subtotal_set?.shop_money.currency_code;
      const event = parseWith(
        StorefrontRefundEvent,
        {
          eventId,
          triggeredAt,
          store,
          orderId: refund.order_id,
          refundId: refund.id,
          amount: sumMoney(
            refunded.map((t) => t.amount),
            currency,
          ),
          currency,
          lines: refund.refund_line_items.map((l) => ({ lineId: l.line_item_id, quantity: l.quantity })),
        },
        'event',
      );
      return {
        workflowType: 'orderToInvoice',
        workflowId: orderWorkflowId(store, refund.order_id),
        args: [{ store, orderId: refund.order_id }],
        signal: REFUND_EVENT_SIGNAL,
        signalArgs: [event],
      };
    }
  }
}
