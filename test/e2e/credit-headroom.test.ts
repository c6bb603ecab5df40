import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableCredit, exactOpenValue } from '../../domain/credit-exposure';
import { orderWorkflowId } from '../../domain/ids';
import { Money } from '../../domain/money';
import { seedCustomer, seedItem, storeSku } from '../../sandbox/erp/scenario';
import { orderStatusQuery, type OrderStatus } from '../../domain/contracts';
import { loadB2bScenario, startStack, waitFor, type Stack } from './stack';

/**
 * The credit headroom a buyer's checkout reads, on the whole stack: it drops by what the store
 * charged when an order reaches the ERP, stays right as the ERP invoices it (the amount moves into
 * the ERP balance), and comes back when an order is cancelled. Read from the store's Admin GraphQL,
 * as the checkout validation and an admin see it.
 */

const SKUS = 60;
const CUSTOMERS = 3;
const BUYER = 1; // taxable, credit limit 10,000.00, balance 137.01
/** Every order's shipping cost (the ERP bills it whole on the first invoice). */
const SHIPPING = '10.00';

/** Stocked parts without serial numbers or hazmat handling. */
const PLAIN = Array.from({ length: SKUS }, (_, k) => k + 1).filter((i) => {
  const it = seedItem(i);
  return it.type === 'InvtPart' && !it.serialized && !it.hazmat && !it.inactive;
});

describe("the store's credit headroom follows the buyer's orders, on the whole stack", () => {
  let stack: Stack;
  const erpCustomer = String(BUYER);

  beforeAll(async () => {
    stack = await startStack({ skus: SKUS, customers: CUSTOMERS, privateDatabase: true });
    await loadB2bScenario(stack, { skus: SKUS, customers: CUSTOMERS });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  /** The company location's `quayside.credit_headroom`, through the Admin API. */
  async function headroomInStore(): Promise<string | null> {
    const data = await stack.shop.client.request<{
      companies: { nodes: { locations: { nodes: { metafield: { value: string } | null }[] } }[] };
    }>(
      `query Headroom($q: String!) { companies(first: 1, query: $q) { nodes { locations(first: 1) { nodes {
         metafield(namespace: "quayside", key: "credit_headroom") { value } } } } } }`,
      { q: `external_id:"${erpCustomer}"` },
    );
    const value = data.companies.nodes[0]?.locations.nodes[0]?.metafield?.value;
    return value ? (JSON.parse(value) as { amount: string }).amount : null;
  }
  const headroomIs = (amount: string, what: string) =>
    waitFor(what, async () => ((await headroomInStore()) === amount ? amount : null), 30_000);

  const status = (orderId: string) =>
    stack.client.workflow
      .getHandle(orderWorkflowId(stack.store, orderId))
      .query(orderStatusQuery) as Promise<OrderStatus>;
  /** How often the order's process has published its customer's headroom to the store so far. */
  async function headroomPublications(orderId: string): Promise<number> {
    const history = await stack.client.workflow
      .getHandle(orderWorkflowId(stack.store, orderId))
      .fetchHistory();
    const events = history.events ?? [];
    const publishes = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishCreditHeadroom')
        .map((e) => String(e.eventId)),
    );
    return events.filter((e) =>
      publishes.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '')),
    ).length;
  }
  /** The order's process to its end (it has published the headroom by then). */
  const finished = (orderId: string) =>
    stack.client.workflow.getHandle(orderWorkflowId(stack.store, orderId)).result() as Promise<OrderStatus>;
  const statusWhen = (orderId: string, ok: (s: OrderStatus) => boolean, what: string) =>
    waitFor(what, async () => {
      const s = await status(orderId).catch(() => null);
      return s && ok(s) ? s : null;
    });

  /** An order as the buyer places it: the store's own prices, shipping and tax. */
  async function place(k: number, financialStatus = 'pending'): Promise<{ orderId: string; total: Money }> {
    const c = seedCustomer(BUYER);
    const { orderId } = await stack.shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: c.email,
      company: c.companyName,
      poNumber: `PO-H${k}`,
      lines: [
        { sku: storeSku(PLAIN[k]!), quantity: 2 },
        { sku: storeSku(PLAIN[k + 1]!), quantity: 1 },
      ],
      shippingLines: [{ code: 'Standard', title: 'Standard ground', price: SHIPPING }],
      tax: { title: 'IL State Tax', rate: '0.0625' },
      financialStatus,
    });
    const order = await stack.shop.sim<{ total_price: string }>(`/sandbox/orders/${orderId}`);
    return { orderId, total: Money.of(order.total_price, 'USD') };
  }

  const erp = () => stack.erp.client({ concurrency: 2 });
  const soPath = (s: OrderStatus) => `/sales-orders/eid:${encodeURIComponent(s.erpOrder!.externalId)}`;
  async function ship(s: OrderStatus, lines?: { lineKey: string; quantity: number }[]) {
    const locations = new Set(s.lines.flatMap((l) => l.allocations.map((a) => a.location)));
    for (const location of locations) {
      const at = lines?.filter((l) =>
        s.lines.some((sl) => sl.allocations.some((a) => a.lineKey === l.lineKey && a.location === location)),
      );
      if (at && at.length === 0) continue;
      const r = await stack.erp.admin('POST', `${soPath(s)}/ship`, {
        location,
        ...(at ? { lines: at } : {}),
      });
      expect(r.status).toBe(201);
    }
  }
  async function invoice(s: OrderStatus) {
    const r = await stack.erp.admin<{ total: number }>('POST', `${soPath(s)}/invoice`, {});
    expect(r.status).toBe(201);
    return Money.of(String(r.body.total), 'USD', 'halfUp');
  }
  /** What `domain/credit-exposure.ts` makes of the ERP account now and the buyer's open orders. */
  async function expectedHeadroom(open: OrderStatus[]): Promise<string> {
    const account = (await erp().getCustomer(erpCustomer))!;
    const openOrders = Money.sum(
      open.map((s) =>
        exactOpenValue(
          {
            lines: s.lines,
            charged: Money.of(s.total!, 'USD'),
            shipping: Money.of(SHIPPING, 'USD'),
            invoiced: s.invoices.map((i) => Money.of(i.total, 'USD', 'halfUp')),
          },
          'USD',
        ),
      ),
      'USD',
    );
    return availableCredit({
      creditLimit: account.creditLimit,
      balance: account.balance,
      openOrders: openOrders.toString(),
      currency: 'USD',
    })!.toString();
  }

  it('drops by the order total when an order reaches the ERP, and is what the exposure says after invoices and cancellations', async () => {
    const start = Money.of((await headroomInStore())!, 'USD');
    const c = seedCustomer(BUYER);
    expect(start.toString()).toBe(
      Money.of(String(c.creditLimit), 'USD').minus(Money.ofMinor(c.balanceCents, 'USD')).toString(),
    );

    // Placed: the headroom drops by what the store charged (goods, shipping and tax).
    const a = await place(0);
    const aInErp = await statusWhen(a.orderId, (s) => s.erpOrder !== null, 'order A in the ERP');
    expect(aInErp.total).toBe(a.total.toString());
    const afterA = start.minus(a.total);
    await headroomIs(afterA.toString(), 'the headroom less order A');

    // Invoiced in full: the invoice is the store total, which moves into the ERP balance.
    const balanceBefore = Money.of((await erp().getCustomer(erpCustomer))!.balance, 'USD');
    await ship(aInErp);
    expect((await invoice(aInErp)).toString()).toBe(a.total.toString());
    const aDone = await finished(a.orderId);
    expect(aDone.step).toBe('completed');
    expect(aDone.invoices.map((i) => i.total)).toEqual([a.total.toString()]);
    const balanceAfter = Money.of((await erp().getCustomer(erpCustomer))!.balance, 'USD');
    expect(balanceAfter.minus(balanceBefore).toString()).toBe(a.total.toString());
    expect(await headroomInStore()).toBe(afterA.toString());
    expect(afterA.toString()).toBe(await expectedHeadroom([]));

    // Placed, then cancelled in the store before it ships: the headroom comes back.
    const b = await place(2);
    await statusWhen(b.orderId, (s) => s.erpOrder !== null, 'order B in the ERP');
    await headroomIs(afterA.minus(b.total).toString(), 'the headroom less order B');
    await stack.shop.sim(`/sandbox/orders/${b.orderId}/cancel`, { reason: 'customer' });
    expect((await finished(b.orderId)).step).toBe('cancelled');
    expect(await headroomInStore()).toBe(afterA.toString());

    // Partly shipped and invoiced, the rest cancelled: each time what the exposure says.
    const d = await place(4);
    const dInErp = await statusWhen(d.orderId, (s) => s.erpOrder !== null, 'order D in the ERP');
    await headroomIs(afterA.minus(d.total).toString(), 'the headroom less order D');
    await ship(dInErp, [{ lineKey: dInErp.lines[0]!.allocations[0]!.lineKey, quantity: 1 }]);
    const dFirst = await invoice(dInErp);
    // The tracking reaches the store before the buyer cancels the rest.
    const dPart = await statusWhen(
      d.orderId,
      (s) => s.invoices.length === 1 && s.shipments.length === 1,
      "order D's shipment in the store and its first invoice",
    );
    const partly = await expectedHeadroom([dPart]);
    // What is open of D is its store total less the first invoice (which billed the whole shipping).
    const dBalance = Money.of((await erp().getCustomer(erpCustomer))!.balance, 'USD');
    const limit = Money.of(String(c.creditLimit), 'USD');
    expect(partly).toBe(limit.minus(dBalance).minus(d.total.minus(dFirst)).toString());
    // Exactly counted, that is also the headroom before the invoice (the balance rose by what the open
    // part fell), so first wait for the invoice's own publication (the placement's was the first).
    await waitFor("the headroom published for order D's invoice", async () =>
      (await headroomPublications(d.orderId)) >= 2 ? true : null,
    );
    await headroomIs(partly, 'the headroom after the partial invoice');
    await stack.shop.sim(`/sandbox/orders/${d.orderId}/cancel`, { reason: 'customer' });
    // The shipped part stands and is invoiced, so the order completes.
    expect((await finished(d.orderId)).step).toBe('completed');
    const settled = await expectedHeadroom([]);
    expect(await headroomInStore()).toBe(settled);
  }, 240_000);

  // (An invoice of an order on account raises the ERP balance by its total: order A above.)
  it("a paid order's invoice leaves the customer's ERP balance and the headroom as they were", async () => {
    const before = (await headroomInStore())!;
    const balance = async () => Money.of((await erp().getCustomer(erpCustomer))!.balance, 'USD').toString();
    // Paid at checkout (by card): the ERP records the payment as a deposit, and it takes no credit.
    const p = await place(6, 'paid');
    const pInErp = await statusWhen(p.orderId, (s) => s.erpOrder !== null, 'paid order P in the ERP');
    await waitFor("the headroom published for paid order P's placement", async () =>
      (await headroomPublications(p.orderId)) >= 1 ? true : null,
    );
    expect(await headroomInStore()).toBe(before);
    const balanceBefore = await balance();
    // What is in stock ships and is invoiced (the rest waits on a backorder).
    await ship(pInErp);
    expect((await invoice(pInErp)).isPositive()).toBe(true);
    await waitFor("the headroom published for paid order P's invoice", async () =>
      (await headroomPublications(p.orderId)) >= 2 ? true : null,
    );
    // The deposit pays the invoice: nothing is owed, so neither the balance nor the headroom moves.
    expect(await balance()).toBe(balanceBefore);
    expect(await headroomInStore()).toBe(before);
  }, 120_000);
});
