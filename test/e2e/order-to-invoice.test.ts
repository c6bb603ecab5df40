import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../domain/contracts';
import { orderStatusQuery, type OrderStatus } from '../../domain/contracts';
import { mapScenario, startStack, waitFor, type Stack } from './stack';

interface StoreOrder {
  order: {
    tags: string[];
    fulfillments: { status: string; trackingInfo: { number: string; company: string | null }[] }[];
    metafield: { value: string } | null;
  } | null;
}

describe('order to invoice on the whole stack (sandbox store → API → Temporal → sandbox ERP → sandbox store)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a B2B order becomes one ERP sales order, ships in two parts with tracking in the store, and is invoiced', async () => {
    const { shop, erp, client } = stack;
    await shop.sim('/sandbox/products', { sku: 'PROD-3', title: 'Hex bolt M8', price: '12.50' });
    await shop.sim('/sandbox/products', { sku: 'PROD-4', title: 'Flange nut M8', price: '4.00' });
    const buyer = await shop.sim<{ customerId: string }>('/sandbox/customers', {
      email: 'ap@customer2.example.com',
      company: 'Acme Industrial 2',
    });
    await mapScenario(stack, {
      customers: [[buyer.customerId, '2']],
      skus: [
        ['PROD-3', 'P3'],
        ['PROD-4', 'P4'],
      ],
    });

    const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: 'ap@customer2.example.com',
      company: 'Acme Industrial 2',
      poNumber: 'PO-7781',
      projectCode: 'PRJ-12',
      lines: [
        { sku: 'PROD-3', quantity: 4 },
        { sku: 'PROD-4', quantity: 10 },
      ],
    });
    const handle = client.workflow.getHandle(orderWorkflowId(stack.store, placed.orderId));
    const status = () => handle.query(orderStatusQuery);

    // The webhook reached one process, which created one ERP sales order carrying the PO number.
    const inErp = await waitFor('the ERP sales order', async () => {
      const s = await status().catch(() => null);
      if (s?.attention) throw new Error(`order parked: ${s.attention.reason}`);
      return s?.erpOrder ? s : null;
    });
    expect(inErp.poNumber).toBe('PO-7781');
    const so = await erp.admin<{
      item: { items: { custcol_quayside_line_key: string; quantity: number }[] };
    }>('GET', `/sales-orders/eid:${encodeURIComponent(inErp.erpOrder!.externalId)}`);
    expect(so.status).toBe(200);
    expect(so.body.item.items.map((l) => [l.custcol_quayside_line_key, l.quantity]).sort()).toEqual(
      inErp.lines.flatMap((l) => l.allocations.map((a) => [a.lineKey, a.quantity])).sort(),
    );

    // The warehouse ships the bolts first, then the nuts: each shipment reaches the store with tracking.
    const [bolts, nuts] = inErp.lines;
    const ship = (lineKey: string, quantity: number, tracking: string) =>
      erp.admin('POST', `/sales-orders/${inErp.erpOrder!.erpId}/ship`, {
        location: bolts!.allocations[0]!.location,
        carrier: 'UPS',
        trackingNumbers: [tracking],
        lines: [{ lineKey, quantity }],
      });
    expect((await ship(bolts!.allocations[0]!.lineKey, 4, '1Z999AA10123456784')).status).toBe(201);
    await waitFor('the first shipment in the order status', async () =>
      (await status()).lines[0]!.shipped === 4 ? true : null,
    );
    expect((await ship(nuts!.allocations[0]!.lineKey, 10, '1Z999AA10123456785')).status).toBe(201);
    const shipped = await waitFor('both shipments', async () => {
      const s = await status();
      return s.lines.every((l) => l.shipped === l.ordered) && s.shipments.length === 2 ? s : null;
    });
    expect(shipped.shipments.map((x) => x.erpFulfillmentId)).toHaveLength(2);

    const storeOrder = async () =>
      shop.client.request<StoreOrder>(
        `query($id: ID!) { order(id: $id) { tags fulfillments { status trackingInfo { number company } } metafield(namespace: "quayside", key: "invoices") { value } } }`,
        { id: `gid://shopify/Order/${placed.orderId}` },
      );
    const fulfilled = await waitFor('fulfillments in the store', async () => {
      const o = (await storeOrder()).order;
      return o && o.fulfillments.length === 2 ? o : null;
    });
    expect(fulfilled.fulfillments.flatMap((f) => f.trackingInfo.map((t) => t.number)).sort()).toEqual([
      '1Z999AA10123456784',
      '1Z999AA10123456785',
    ]);

    // The ERP invoices the order: the invoice reaches the store and the process completes.
    expect((await erp.admin('POST', `/sales-orders/${inErp.erpOrder!.erpId}/invoice`, {})).status).toBe(201);
    const done = (await handle.result()) as OrderStatus;
    expect(done.lines.map((l) => [l.sku, l.ordered, l.shipped, l.invoiced])).toEqual([
      ['PROD-3', 4, 4, 4],
      ['PROD-4', 10, 10, 10],
    ]);
    expect(done.invoices).toHaveLength(1);
    const invoiced = (await storeOrder()).order!;
    expect(invoiced.metafield?.value).toContain(done.invoices[0]!.tranId);

    // Exactly one sales order exists for this storefront order.
    const salesOrders = await stack.db.query<{ n: number; po: string; project: string }>(
      `SELECT count(*)::int AS n, max(other_ref_num) AS po, max(project_code) AS project FROM ${erp.schema}.txn WHERE type = 'SalesOrd' AND entity_id = 2`,
    );
    expect(salesOrders.rows[0]).toEqual({ n: 1, po: 'PO-7781', project: 'PRJ-12' });
  });
});
