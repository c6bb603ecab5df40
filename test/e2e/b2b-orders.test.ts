import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../domain/ids';
import { Money } from '../../domain/money';
import { PRICE_LEVELS, contractItems, seedCustomer, seedItem, storeSku } from '../../sandbox/erp/scenario';
import { orderStatusQuery, type OrderStatus } from '../../domain/contracts';
import { loadB2bScenario, startStack, waitFor, type Stack } from './stack';

/**
 * 200 B2B orders on the whole stack, each at whatever the store charges its buyer after a full price
 * resync: customers on every price level, contract items, quantity breaks, taxable and tax-exempt
 * buyers, discount codes and shipping lines. None may wait for a price approval, and every ERP sales
 * order's total must be the store's total_price to the cent.
 */

const SKUS = 200;
const CUSTOMERS = 14; // every price level at least twice; customers 7 and 14 are tax exempt
const ORDERS = 200;

/** Items a plain order can carry: stocked parts, no serial numbers or hazmat handling. */
const plain = (i: number) => {
  const it = seedItem(i);
  return it.type === 'InvtPart' && !it.serialized && !it.hazmat && !it.inactive;
};
/** Cheap plain items (base price ≤ 30.00), so 200 orders stay inside every buyer's credit. */
const CHEAP = Array.from({ length: SKUS }, (_, k) => k + 1).filter(
  (i) => plain(i) && seedItem(i).basePriceCents <= 3_000,
);
/** The cheapest item with quantity breaks (every tenth item breaks at 10 and 100 on the base level). */
const BREAK_ITEM = Array.from({ length: SKUS / 10 }, (_, k) => (k + 1) * 10)
  .filter(plain)
  .sort((a, b) => seedItem(a).basePriceCents - seedItem(b).basePriceCents)[0]!;
const SHIPPING = [
  { code: 'Standard', title: 'Standard ground', price: '10.00' },
  { code: 'Express', title: 'Express 2-day', price: '24.95' },
  { code: 'Freight', title: 'LTL freight', price: '75.00' },
];
const TAXES = [
  { title: 'IL State Tax', rate: '0.0625' },
  { title: 'NY State Tax', rate: '0.08875' },
];

interface StoreOrderJson {
  total_price: string;
  total_tax: string;
  total_discounts: string;
  tax_exempt: boolean;
  line_items: { sku: string; price: string }[];
}

describe('B2B orders at the ERP price, with their whole money, on the whole stack', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ skus: SKUS, customers: CUSTOMERS, privateDatabase: true });
    await loadB2bScenario(stack, { skus: SKUS, customers: CUSTOMERS });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('200 orders: none held for price, every ERP total equals the store total; an over-headroom cart is refused', async () => {
    const { shop, erp, client } = stack;
    const levels = new Set<string>();
    const placed: { orderId: string; n: number }[] = [];
    for (let k = 0; k < ORDERS; k++) {
      const n = (k % CUSTOMERS) + 1;
      const c = seedCustomer(n);
      levels.add(c.priceLevel);
      const contract = contractItems(n, SKUS)
        .filter(plain)
        .sort((a, b) => seedItem(a).basePriceCents - seedItem(b).basePriceCents)[0]!;
      const lines = [
        { sku: storeSku(CHEAP[k % CHEAP.length]!), quantity: 1 + (k % 3) },
        { sku: storeSku(contract), quantity: 1 },
        ...(k % 3 === 0 ? [{ sku: storeSku(BREAK_ITEM), quantity: 10 }] : []),
      ];
      const res = await shop.sim<{ orderId: string }>('/sandbox/orders', {
        customerEmail: c.email,
        company: c.companyName,
        poNumber: `PO-${k}`,
        lines,
        ...(k % 4 === 1 ? { discountCode: { code: 'SAVE10', type: 'percentage', value: '10' } } : {}),
        ...(k % 4 === 3 ? { discountCode: { code: 'TAKE20', type: 'fixed_amount', value: '20.00' } } : {}),
        shippingLines: k % 5 === 4 ? [] : [SHIPPING[k % SHIPPING.length]!],
        tax: TAXES[k % TAXES.length],
        financialStatus: k % 6 === 5 ? 'paid' : 'pending',
      });
      placed.push({ orderId: res.orderId, n });
    }
    expect([...levels].sort()).toEqual(PRICE_LEVELS.map((l) => l.name).sort());

    const parked: string[] = [];
    let exemptOrders = 0;
    let taxedOrders = 0;
    let discounted = 0;
    for (const { orderId, n } of placed) {
      const handle = client.workflow.getHandle(orderWorkflowId(stack.store, orderId));
      const s = await waitFor(
        `order ${orderId} in the ERP or parked`,
        async () => {
          const st = (await handle.query(orderStatusQuery).catch(() => null)) as OrderStatus | null;
          return st && (st.erpOrder || st.attention) ? st : null;
        },
        60_000,
      );
      if (s.attention) {
        parked.push(
          `order ${orderId} of customer ${n} (${seedCustomer(n).priceLevel}): ${s.attention.kind}: ${s.attention.reason}`,
        );
        continue;
      }
      const storeOrder = await shop.sim<StoreOrderJson>(`/sandbox/orders/${orderId}`);
      const so = await erp.admin<{ total: number | string }>(
        'GET',
        `/sales-orders/eid:${encodeURIComponent(s.erpOrder!.externalId)}`,
      );
      expect(so.status).toBe(200);
      expect({
        orderId,
        n,
        erpTotal: Money.of(String(so.body.total), 'USD', 'halfUp').toString(),
      }).toEqual({
        orderId,
        n,
        erpTotal: storeOrder.total_price,
      });
      if (storeOrder.tax_exempt) {
        exemptOrders++;
        expect(storeOrder.total_tax).toBe('0.00');
      } else if (storeOrder.total_tax !== '0.00') taxedOrders++;
      if (storeOrder.total_discounts !== '0.00') discounted++;
    }
    expect(parked).toEqual([]);
    expect(exemptOrders).toBeGreaterThan(0);
    expect(taxedOrders).toBeGreaterThan(0);
    expect(discounted).toBeGreaterThan(0);

    // A cart over the buyer's published credit headroom is refused at checkout, naming both figures.
    const c = seedCustomer(10);
    const headroom = await shop.db.query<{ value: string }>(
      `SELECT m.value FROM metafields m JOIN company_locations l ON l.id = m.owner_id JOIN companies co ON co.id = l.company_id
        WHERE co.external_id = '10' AND m.namespace = 'quayside' AND m.key = 'credit_headroom'`,
    );
    const available = Money.of((JSON.parse(headroom.rows[0]!.value) as { amount: string }).amount, 'USD');
    const refused = await fetch(`${shop.base}/sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerEmail: c.email,
        company: c.companyName,
        lines: [{ sku: storeSku(BREAK_ITEM), quantity: 1_000 }],
        tax: TAXES[0],
      }),
    });
    expect(refused.status).toBe(422);
    const { errors } = (await refused.json()) as { errors: string };
    expect(errors).toMatch(/This order totals [\d,]+\.\d\d USD/);
    expect(errors).toContain(available.format());
  }, 300_000);
});
