import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErpEventActivities } from '../../activities/erp-events';
import { createOrderActivities } from '../../activities/orders';
import { createReturnActivities } from '../../activities/returns';
import type { NetSuiteClient } from '../../connectors/netsuite';
import { canonicalOrder } from '../../connectors/shopify/webhooks/map';
import { parseShopifyJson } from '../../connectors/shopify/webhooks/json';
import { ShopifyOrder } from '../../connectors/shopify/webhooks/schemas';
import type { Db } from '../../db/pool';
import { syncRepository } from '../../db/sync';
import type { CanonicalOrder } from '../../domain/order';
import { Money } from '../../domain/money';
import { erpTotalGap, salesOrderInput } from '../../domain/sales-order';
import type { StorefrontPort } from '../../domain/storefront';
import type { Client } from '@temporalio/client';
import { createFlowActivities } from '../../activities/flows';
import { mappingRepository } from '../../db/mappings';
import { orderRepository } from '../../db/orders';
import { erpEventsWorkflowId, stopErpEventsSignal } from '../../domain/contracts';
import { erpEvents } from '../../workflows/erpEvents';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { testClient, testDb, withWorker } from '../support/env';
import { ShopifyStorefront } from '../../connectors/shopify/storefront';
import { startSandbox } from '../storefront/sandbox-support';
import { TEST_RULES, deliver, event, makeOrder, scenario, until, waitFor } from './harness';

/**
 * Kits and item groups on the ERP sales order: a kit item goes as the one line the store sold; an
 * item group (a plain group of items in the ERP) goes as its components, with the money split so
 * that the ERP's total is still the store's, and its shipments come back on the store's line.
 */
describe('kits and item groups reach the ERP by item type', () => {
  let erp: RunningErpSandbox;
  let netsuite: NetSuiteClient;
  let db: Db;
  let client: Client;
  const tag = randomUUID().slice(0, 6).toUpperCase();
  const sku = {
    group: `GRP-${tag}`,
    kit: `KIT-${tag}`,
    bolt: `BOLT-${tag}`,
    nut: `NUT-${tag}`,
    tool: `TOOL-${tag}`,
  };

  beforeAll(async () => {
    erp = await startErpSandbox({ skus: 20, customers: 5 });
    netsuite = erp.client();
    db = testDb();
    client = await testClient();
    const put = async (name: string, body: Record<string, unknown>) => {
      const r = await erp.admin('PUT', `/items/${name}`, { displayName: name, ...body });
      expect(r.status).toBe(200);
    };
    await put(sku.bolt, { type: 'InvtPart', basePrice: 30, stock: [{ location: '1', onHand: 100 }] });
    await put(sku.nut, { type: 'InvtPart', basePrice: 7.5, stock: [{ location: '1', onHand: 100 }] });
    await put(sku.tool, { type: 'InvtPart', basePrice: 1, stock: [{ location: '1', onHand: 100 }] });
    await put(sku.group, {
      type: 'Group',
      basePrice: 0,
      members: [
        { item: sku.bolt, quantity: 2 },
        { item: sku.nut, quantity: 3 },
        { item: sku.tool, quantity: 1 },
      ],
    });
    await put(sku.kit, { type: 'Kit', basePrice: 159.99, members: [{ item: sku.bolt, quantity: 4 }] });
    // The catalog sync's item cache knows each item's type and a group's members.
    await syncRepository(db).saveItems(await netsuite.itemFamilies(Object.values(sku)));
  }, 120_000);
  afterAll(async () => {
    await client?.connection.close();
    await db?.end();
    await erp?.close();
  });

  /** Shopify's orders/create sample: its 89.99 line is the item group, its 159.99 line the kit. */
  const storeOrder = (): CanonicalOrder =>
    canonicalOrder(
      'sandbox-store',
      ShopifyOrder.parse({
        ...(parseShopifyJson(
          readFileSync(path.join(__dirname, '../fixtures/shopify/orders_create.json'), 'utf8'),
        ) as Record<string, unknown>),
        customer: { id: 1 },
      }),
    );
  const erpSkuOf: Record<string, string> = {};

  it('sends a group as its components to the total_price to the cent, and a kit as one line; shipments and returns come back on the store lines', async () => {
    const order = storeOrder();
    const [groupLine, other1, other2, kitLine, other3] = order.lines;
    erpSkuOf[groupLine!.sku] = sku.group;
    erpSkuOf[kitLine!.sku] = sku.kit;
    for (const [i, l] of [other1, other2, other3].entries()) erpSkuOf[l!.sku] = `P${i + 1}`;
    const externalId = `sandbox-store:${order.orderId}-${tag}`;
    const so = salesOrderInput(
      {
        externalId,
        order,
        customerErpId: '3',
        terms: null,
        allocation: order.lines.map((l) => ({
          lineKey: l.lineId,
          lineId: l.lineId,
          sku: erpSkuOf[l.sku]!,
          location: '1',
          quantity: l.quantity,
          shortQuantity: 0,
        })),
      },
      true,
    );
    expect(erpTotalGap(so, order)).toBeNull();

    const acts = createOrderActivities({ db, erp: netsuite, storefront: {} as StorefrontPort });
    const created = await acts.createErpSalesOrder(so);

    // The process sees the store's lines: the group on its own line, counted in kits.
    expect(created.lines.map((l) => [l.lineKey, l.sku, l.quantity])).toEqual(
      order.lines.map((l) => [l.lineId, erpSkuOf[l.sku], l.quantity]),
    );
    expect(created.totals?.total).toBe(order.totals!.total);
    expect(created.totals?.total).toBe('404.95');

    // In the ERP: the group's components at quantity × per kit, the kit as itself, and the store's total.
    const inErp = await erp.admin<{
      total: number;
      item: { items: { item: { refName: string }; quantity: number; rate: number; amount: number }[] };
    }>('GET', `/sales-orders/eid:${encodeURIComponent(externalId)}`);
    const lines = inErp.body.item.items;
    const units = (name: string) =>
      lines.filter((l) => l.item.refName === name).reduce((s, l) => s + l.quantity, 0);
    expect(lines.some((l) => l.item.refName === sku.group)).toBe(false);
    expect([units(sku.bolt), units(sku.nut), units(sku.tool)]).toEqual([2, 3, 1]);
    expect(lines.filter((l) => l.item.refName === sku.kit).map((l) => [l.quantity, l.rate])).toEqual([
      [1, 159.99],
    ]);
    const groupCents = lines
      .filter((l) => [sku.bolt, sku.nut, sku.tool].includes(l.item.refName))
      .reduce((s, l) => s + Math.round(l.amount * 100), 0);
    expect(groupCents).toBe(8999);
    expect(String(inErp.body.total)).toBe('404.95');

    // Shipped whole: the fulfillment comes back as the store's lines, the group's once.
    const shipped = await erp.admin('POST', `/sales-orders/eid:${encodeURIComponent(externalId)}/ship`, {
      location: '1',
      carrier: 'UPS',
      trackingNumbers: ['1ZKIT'],
    });
    expect(shipped.status).toBe(201);
    const events = createErpEventActivities({ db, erp: netsuite });
    const polled = await events.pollErpChanges({ store: `kits-${tag}`, cursors: null, pageSize: 1000 });
    const mine = polled.fulfillments.filter((f) => f.salesOrderExternalId === externalId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.lines.map((l) => [l.lineKey, l.sku, l.quantity]).sort()).toEqual(
      order.lines.map((l) => [l.lineId, erpSkuOf[l.sku], l.quantity]).sort(),
    );
    const after = await acts.readErpSalesOrder({ externalId });
    expect(after!.lines.every((l) => l.quantityFulfilled === l.quantity)).toBe(true);

    // The buyer returns the group and the kit: the ERP's return and credit are on the components' lines.
    const returns = createReturnActivities({ db, erp: netsuite, storefront: {} as StorefrontPort });
    const rma = await returns.createReturnAuthorization({
      externalId: `${externalId}:rma`,
      salesOrderExternalId: externalId,
      lines: [
        { lineKey: groupLine!.lineId, sku: sku.group, quantity: 1 },
        { lineKey: kitLine!.lineId, sku: sku.kit, quantity: 1 },
      ],
    });
    expect(rma.lines.map((l) => [l.lineKey, l.sku, l.quantity])).toEqual([
      [groupLine!.lineId, sku.group, 1],
      [kitLine!.lineId, sku.kit, 1],
    ]);
    const rmaInErp = await netsuite.getReturnAuthorization({ erpId: rma.erpId });
    const returned = (name: string) =>
      rmaInErp!.lines.filter((l) => l.sku === name).reduce((n, l) => n + l.quantity, 0);
    expect([sku.bolt, sku.nut, sku.tool, sku.kit, sku.group].map(returned)).toEqual([2, 3, 1, 1, 0]);
    expect(
      (await erp.admin('POST', `/return-authorizations/${rma.erpId}/receive`, { location: '1' })).status,
    ).toBeLessThan(300);
    const received = await returns.getReturnAuthorization({ externalId: `${externalId}:rma` });
    expect(received!.lines.map((l) => [l.lineKey, l.quantityReceived])).toEqual([
      [groupLine!.lineId, 1],
      [kitLine!.lineId, 1],
    ]);
    const memo = await returns.createCreditMemo({
      externalId: `${externalId}:cm`,
      returnAuthorizationErpId: rma.erpId,
      lines: [
        { lineKey: groupLine!.lineId, sku: sku.group, quantity: 1, amount: '89.99' },
        { lineKey: kitLine!.lineId, sku: sku.kit, quantity: 1, amount: '159.99' },
      ],
    });
    expect(memo.total).toBe('249.98');
  });

  it('completes an order whose group’s components ship in two ERP fulfillments: the second ships the kits to the store', async () => {
    const s = await scenario(db);
    await mappingRepository(db).upsertCustomer(s.store, 'cust-1', '3');
    await mappingRepository(db).upsertSkus(s.store, [{ storeSku: 'TOOLSET', erpSku: sku.group }]);
    await orderRepository(db).setStock([{ sku: sku.group, location: '1', onHand: 50 }]);
    const orderId = String(700000 + Math.floor(Math.random() * 99999));
    const order = makeOrder(s.store, orderId, {
      lines: [{ lineId: '1', sku: 'TOOLSET', quantity: 2, unitPrice: '89.99' }],
    });
    const activities = {
      ...s.activities,
      ...createOrderActivities({ db, erp: netsuite, storefront: s.storefront }),
      ...createErpEventActivities({ db, erp: netsuite }),
      ...createFlowActivities({ db }),
    };
    const rules = { ...TEST_RULES, warehouses: { priority: ['1'] } };
    await withWorker({ taskQueue: s.taskQueue, activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order), rules);
      const poller = await client.workflow.start(erpEvents, {
        workflowId: erpEventsWorkflowId(s.store),
        taskQueue: s.taskQueue,
        args: [{ store: s.store, cursors: null, pollEvery: '200ms', pageSize: 200 }],
      });
      const inErp = await waitFor(handle, (st) => st.step === 'fulfilling', 'the ERP order', 60_000);
      // In the ERP the group is its components: 2 kits are 4 bolts, 6 nuts and 2 tools.
      const so = await netsuite.getSalesOrder({ erpId: inErp.erpOrder!.erpId });
      const linesOf = (...names: string[]) =>
        so!.lines
          .filter((l) => names.includes(l.sku))
          .map((l) => ({ lineKey: l.lineKey, quantity: l.quantity }));
      // The warehouse packs the bolts and nuts first, the tools a day later.
      for (const [lines, tracking] of [
        [linesOf(sku.bolt, sku.nut), '1ZPARTS1'],
        [linesOf(sku.tool), '1ZPARTS2'],
      ] as const) {
        const shipped = await erp.admin('POST', `/sales-orders/${inErp.erpOrder!.erpId}/ship`, {
          location: '1',
          carrier: 'UPS',
          trackingNumbers: [tracking],
          lines,
        });
        expect(shipped.status).toBe(201);
      }
      const whole = await waitFor(handle, (st) => st.lines[0]!.shipped === 2, 'both kits shipped', 60_000);
      expect(whole.lines[0]!.backordered).toBe(0);
      expect((await erp.admin('POST', `/sales-orders/${inErp.erpOrder!.erpId}/invoice`, {})).status).toBe(
        201,
      );
      const done = await handle.result();
      await poller.signal(stopErpEventsSignal);
      await poller.result();

      expect(done.step).toBe('completed');
      expect(done.lines.map((l) => [l.ordered, l.shipped, l.invoiced, l.cancelled])).toEqual([[2, 2, 2, 0]]);
      // The store's line is fulfilled in full, by the shipment that completed the kits.
      const pushed = [...s.storefront.fulfillments.values()];
      expect(pushed.flatMap((f) => f.lines)).toEqual([{ lineId: '1', quantity: 2 }]);
      // With the tracking of both parcels the kits came in.
      expect(pushed.map((f) => f.trackingNumbers)).toEqual([['1ZPARTS2', '1ZPARTS1']]);
    });
  }, 180_000);

  it('re-splits a raised group line’s money over its components: the ERP lines add up to the store’s line to the cent, and a total that would differ parks', async () => {
    const s = await scenario(db);
    await mappingRepository(db).upsertCustomer(s.store, 'cust-1', '3');
    await mappingRepository(db).upsertSkus(s.store, [{ storeSku: 'TOOLSET', erpSku: sku.group }]);
    await orderRepository(db).setStock([{ sku: sku.group, location: '1', onHand: 50 }]);
    const orderId = String(800000 + Math.floor(Math.random() * 99999));
    /** The store's order for some kits at 89.99, with 5 % tax on the goods. */
    const toolsets = (kits: number, updatedAt: string, total?: string) => {
      const goods = Money.line('89.99', kits, 'USD');
      const tax = goods.percent('5');
      return makeOrder(s.store, orderId, {
        lines: [{ lineId: '1', sku: 'TOOLSET', quantity: kits, unitPrice: '89.99' }],
        taxLines: [{ title: 'State tax', rate: '0.05', amount: tax.toString() }],
        totals: { discounts: '0.00', tax: tax.toString(), total: total ?? goods.plus(tax).toString() },
        updatedAt,
      });
    };
    const activities = {
      ...s.activities,
      ...createOrderActivities({ db, erp: netsuite, storefront: s.storefront }),
    };
    const rules = { ...TEST_RULES, warehouses: { priority: ['1'] } };
    await withWorker({ taskQueue: s.taskQueue, activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(toolsets(2, '2025-01-01T10:00:00Z')), rules);
      const placed = await waitFor(handle, (st) => st.step === 'fulfilling', 'the ERP order', 60_000);
      const erpId = placed.erpOrder!.erpId;
      const inErp = async () =>
        (
          await erp.admin<{
            total: number;
            item: {
              items: { item: { refName: string }; quantity: number; amount: number; isClosed?: boolean }[];
            };
          }>('GET', `/sales-orders/${erpId}`)
        ).body;
      const components = (so: Awaited<ReturnType<typeof inErp>>) => {
        const mine = so.item.items.filter((l) => [sku.bolt, sku.nut, sku.tool].includes(l.item.refName));
        return {
          units: [sku.bolt, sku.nut, sku.tool].map((n) =>
            mine.filter((l) => l.item.refName === n && !l.isClosed).reduce((t, l) => t + l.quantity, 0),
          ),
          cents: mine.reduce((t, l) => t + Math.round(l.amount * 100), 0),
        };
      };
      expect(components(await inErp())).toEqual({ units: [4, 6, 2], cents: 17998 });

      // The buyer raises the toolsets to 3: 269.97 of goods, 13.50 tax.
      await deliver(client, s.taskQueue, event(toolsets(3, '2025-01-01T11:00:00Z'), 'orders/updated'), rules);
      await waitFor(handle, (st) => st.lines[0]!.ordered === 3, 'the raised line', 60_000);
      const raised = await inErp();
      expect(components(raised)).toEqual({ units: [6, 9, 3], cents: 26997 });
      expect(String(raised.total)).toBe('283.47');

      // A change whose total the ERP could not match (the store says 300.00 for 4 toolsets) is not sent.
      await deliver(
        client,
        s.taskQueue,
        event(toolsets(4, '2025-01-01T12:00:00Z', '300.00'), 'orders/updated'),
        rules,
      );
      const parked = await waitFor(handle, (st) => st.attention?.kind === 'totalMismatch', 'parked', 60_000);
      expect(parked.attention?.reason).toContain('377.96 USD');
      expect(parked.attention?.reason).toContain('77.96 USD more');
      expect(parked.lines[0]!.ordered).toBe(3);
      expect(components(await inErp())).toEqual({ units: [6, 9, 3], cents: 26997 });

      // The corrected order goes through and resolves it.
      await deliver(client, s.taskQueue, event(toolsets(4, '2025-01-01T13:00:00Z'), 'orders/updated'), rules);
      const fixed = await waitFor(
        handle,
        (st) => st.lines[0]!.ordered === 4 && st.attention === null,
        'the corrected change',
        60_000,
      );
      expect(fixed.lines[0]!.ordered).toBe(4);
      const four = await inErp();
      expect(components(four)).toEqual({ units: [8, 12, 4], cents: 35996 });
      expect(String(four.total)).toBe('377.96');
      await handle.terminate('test done');
    });
  }, 180_000);

  it("parks a change the ERP applied whose order then totals other than the store's, with the difference (a rate edited in the ERP)", async () => {
    const s = await scenario(db);
    await mappingRepository(db).upsertCustomer(s.store, 'cust-1', '3');
    await mappingRepository(db).upsertSkus(s.store, [
      { storeSku: 'BOLTS', erpSku: sku.bolt },
      { storeSku: 'NUTS', erpSku: sku.nut },
    ]);
    await orderRepository(db).setStock([
      { sku: sku.bolt, location: '1', onHand: 50 },
      { sku: sku.nut, location: '1', onHand: 50 },
    ]);
    const orderId = String(800000 + Math.floor(Math.random() * 99999));
    const order = (bolts: number, updatedAt: string) => {
      const total = Money.line('30.00', bolts, 'USD').plus(Money.line('7.50', 4, 'USD'));
      return makeOrder(s.store, orderId, {
        lines: [
          { lineId: '1', sku: 'BOLTS', quantity: bolts, unitPrice: '30.00' },
          { lineId: '2', sku: 'NUTS', quantity: 4, unitPrice: '7.50' },
        ],
        totals: { discounts: '0.00', tax: '0.00', total: total.toString() },
        updatedAt,
      });
    };
    const activities = {
      ...s.activities,
      ...createOrderActivities({ db, erp: netsuite, storefront: s.storefront }),
    };
    const rules = { ...TEST_RULES, warehouses: { priority: ['1'] } };
    await withWorker({ taskQueue: s.taskQueue, activities }, async () => {
      const handle = await deliver(client, s.taskQueue, event(order(2, '2025-01-01T10:00:00Z')), rules);
      const placed = await waitFor(handle, (st) => st.step === 'fulfilling', 'the ERP order', 60_000);
      const so = (await netsuite.getSalesOrder({ erpId: placed.erpOrder!.erpId }))!;
      expect(so.totals?.total).toBe('90.00');
      // Someone in the ERP puts the nuts at 8.00 each.
      const nuts = so.lines.find((l) => l.sku === sku.nut)!;
      await netsuite.updateSalesOrder(so.externalId, {
        lines: [{ lineKey: nuts.lineKey, quantity: 4, rate: '8.00' }],
      });

      // The buyer raises the bolts to 3: the store charges 120.00, the ERP's order comes to 122.00.
      await deliver(client, s.taskQueue, event(order(3, '2025-01-01T11:00:00Z'), 'orders/updated'), rules);
      const parked = await waitFor(
        handle,
        (st) => st.attention?.kind === 'erpTotalDiffers',
        'parked on the ERP total',
        60_000,
      );
      expect(parked.lines[0]!.ordered).toBe(3);
      expect(parked.attention?.reason).toContain("the ERP's sales order totals 122.00 USD");
      expect(parked.attention?.reason).toContain('the store charges 120.00 USD, 2.00 USD more in the ERP');
      expect((await netsuite.getSalesOrder({ erpId: so.erpId }))!.totals?.total).toBe('122.00');
      await handle.terminate('test done');
    });
  }, 180_000);

  it('shows the buyer both parcels of a kit shipped in two: the first on the store order, both trackings on the kits’ fulfillment (sandbox store)', async () => {
    const shop = await startSandbox(`kit_parcels_${tag.toLowerCase()}`);
    try {
      const storefront = new ShopifyStorefront(shop.client);
      await shop.sim('/sandbox/products', { sku: 'TOOLSET', title: 'Toolset', price: '89.99' });
      const s = await scenario(db);
      await mappingRepository(db).upsertCustomer(s.store, 'cust-1', '3');
      await mappingRepository(db).upsertSkus(s.store, [{ storeSku: 'TOOLSET', erpSku: sku.group }]);
      await orderRepository(db).setStock([{ sku: sku.group, location: '1', onHand: 50 }]);
      const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
        customerEmail: `buyer-${s.store}@example.com`,
        financialStatus: 'paid',
        lines: [{ sku: 'TOOLSET', quantity: 2 }],
      });
      const gid = `gid://shopify/Order/${placed.orderId}`;
      const lineId = (
        await shop.client.request<{ order: { lineItems: { nodes: { id: string }[] } } }>(
          `query($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { id } } } }`,
          { id: gid },
        )
      ).order.lineItems.nodes[0]!.id.split('/').pop()!;
      const order = makeOrder(s.store, placed.orderId, {
        lines: [{ lineId, sku: 'TOOLSET', quantity: 2, unitPrice: '89.99' }],
      });
      const activities = {
        ...s.activities,
        ...createOrderActivities({ db, erp: netsuite, storefront }),
        ...createErpEventActivities({ db, erp: netsuite }),
        ...createFlowActivities({ db }),
      };
      const rules = { ...TEST_RULES, warehouses: { priority: ['1'] } };
      await withWorker({ taskQueue: s.taskQueue, activities }, async () => {
        const handle = await deliver(client, s.taskQueue, event(order), rules);
        const poller = await client.workflow.start(erpEvents, {
          workflowId: erpEventsWorkflowId(s.store),
          taskQueue: s.taskQueue,
          args: [{ store: s.store, cursors: null, pollEvery: '200ms', pageSize: 200 }],
        });
        const inErp = await waitFor(handle, (st) => st.step === 'fulfilling', 'the ERP order', 60_000);
        const so = await netsuite.getSalesOrder({ erpId: inErp.erpOrder!.erpId });
        const linesOf = (...names: string[]) =>
          so!.lines
            .filter((l) => names.includes(l.sku))
            .map((l) => ({ lineKey: l.lineKey, quantity: l.quantity }));
        const ship = async (lines: { lineKey: string; quantity: number }[], tracking: string) => {
          const r = await erp.admin<{ id?: string }>('POST', `/sales-orders/${inErp.erpOrder!.erpId}/ship`, {
            location: '1',
            carrier: 'UPS',
            trackingNumbers: [tracking],
            lines,
          });
          expect(r.status).toBe(201);
        };
        const storeOrder = () =>
          shop.client.request<{
            order: {
              fulfillments: { trackingInfo: { number: string | null; company: string | null }[] }[];
              metafields: { nodes: { key: string; value: string }[] };
            };
          }>(
            `query($id: ID!) { order(id: $id) {
              fulfillments(first: 5) { trackingInfo { number company } }
              metafields(first: 10, namespace: "quayside_parcels") { nodes { key value } }
            } }`,
            { id: gid },
          );

        // Today the bolts and nuts: no kit is complete, yet the buyer sees the parcel and its tracking.
        await ship(linesOf(sku.bolt, sku.nut), '1ZBOLTS1');
        const first = await until(async () => {
          const r = await storeOrder();
          return r.order.metafields.nodes.length > 0 ? r : undefined;
        }, 'the first parcel on the store order');
        expect(first.order.fulfillments).toEqual([]);
        const [meta] = first.order.metafields.nodes;
        expect(JSON.parse(meta!.value)).toMatchObject({
          carrier: 'UPS',
          trackingNumbers: ['1ZBOLTS1'],
          lines: [
            { lineId, sku: sku.bolt, quantity: 4 },
            { lineId, sku: sku.nut, quantity: 6 },
          ],
        });

        // Tomorrow the tools complete the kits: one store fulfillment, with both parcels' tracking.
        await ship(linesOf(sku.tool), '1ZTOOLS2');
        await waitFor(handle, (st) => st.lines[0]!.shipped === 2, 'both kits shipped', 60_000);
        const second = await until(async () => {
          const r = await storeOrder();
          return r.order.fulfillments.length > 0 ? r : undefined;
        }, 'the kits’ fulfillment in the store');
        expect(
          second.order.fulfillments.map((f) => f.trackingInfo.map((t) => [t.number, t.company])),
        ).toEqual([
          [
            ['1ZTOOLS2', 'UPS'],
            ['1ZBOLTS1', 'UPS'],
          ],
        ]);
        expect(second.order.metafields.nodes.map((n) => n.key)).toEqual([meta!.key]);
        await poller.signal(stopErpEventsSignal);
        await poller.result();
        await handle.terminate('test done');
      });
    } finally {
      await shop.stop();
    }
  }, 180_000);
});
