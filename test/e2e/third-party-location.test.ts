import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSyncActivities, type InventoryPageResult } from '../../activities/sync';
import { ShopifyStorefront } from '../../connectors/shopify';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import { rulesRepository } from '../../db/rules';
import { orderStatusQuery, orderWorkflowId, type OrderStatus } from '../../domain/contracts';
import { mapScenario, startStack, waitFor, type Stack } from './stack';

/**
 * A 3PL (or consignment) site is a location of its own: the ERP location record flags it, the
 * integrator maps it to a store location of its own, its stock is sold there, and the partner's
 * shipment, reported to the ERP as an item fulfillment at that location, completes the order as a
 * warehouse's does.
 */
describe('a 3PL location on the whole stack', () => {
  let stack: Stack;
  const tag = randomUUID().slice(0, 6).toUpperCase();

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("sells the 3PL's stock at its own store location, and the 3PL's shipment completes the order", async () => {
    const { shop, erp, client, db, store } = stack;
    const site = `Acme 3PL ${tag}`;
    const located = await erp.admin<{ id: string; thirdParty: boolean }>(
      'PUT',
      `/locations/${encodeURIComponent(site)}`,
      { thirdParty: true },
    );
    expect(located.body.thirdParty).toBe(true);
    const threePl = located.body.id;
    const flagged = await erp
      .client()
      .suiteql(`SELECT id, custrecord_quayside_3pl FROM location WHERE id = ${threePl}`);
    expect(flagged.items[0]).toMatchObject({ custrecord_quayside_3pl: 'T' });

    // The item is stocked only at the 3PL.
    const erpSku = `TPL-${tag}`;
    const storeSku = `PROD-TPL-${tag}`;
    expect(
      (
        await erp.admin('PUT', `/items/${erpSku}`, {
          displayName: 'Pallet wrap 500 m',
          type: 'InvtPart',
          basePrice: 12.5,
          stock: [{ location: threePl, onHand: 40 }],
        })
      ).status,
    ).toBe(200);
    const storeLocation = await shop.db.query<{ id: string }>(
      'INSERT INTO locations (name) VALUES ($1) RETURNING id::text',
      [site],
    );
    await shop.sim('/sandbox/products', {
      sku: storeSku,
      title: 'Pallet wrap 500 m',
      price: '12.50',
      inventory: { [site]: 0 },
    });
    const buyer = await shop.sim<{ customerId: string }>('/sandbox/customers', {
      email: `buyer-${tag.toLowerCase()}@customer3.example.com`,
      company: 'Acme Industrial 3',
    });
    await mapScenario(stack, { customers: [[buyer.customerId, '3']], skus: [[storeSku, erpSku]] });
    const mappings = mappingRepository(db);
    await mappings.upsertLocation(store, `gid://shopify/Location/${storeLocation.rows[0]!.id}`, threePl);

    // The inventory sync: the 3PL's stock is sellable at its own store location.
    const sync = createSyncActivities({
      db,
      erp: erp.client(),
      storefront: new ShopifyStorefront(shop.client),
      mappings,
      alerts: alertRepository(db),
    });
    const env = new MockActivityEnvironment();
    const rules = await rulesRepository(db).current();
    for (let more = true; more;)
      more = (
        (await env.run(sync.syncInventoryPage, {
          store,
          sync: `inventory:${store}`,
          pageSize: 500,
          workflowId: 'test',
          rules: { version: rules.version, rules: rules.rules.inventory },
        })) as InventoryPageResult
      ).hasMore;
    const levels = await shop.client.request<{
      inventoryItems: {
        nodes: {
          inventoryLevels: { nodes: { location: { name: string }; quantities: { quantity: number }[] }[] };
        }[];
      };
    }>(
      `query($q: String!) { inventoryItems(first: 1, query: $q) { nodes { inventoryLevels(first: 10) { nodes {
        location { name } quantities(names: ["available"]) { quantity } } } } } }`,
      { q: `sku:${storeSku}` },
    );
    const safety = rules.rules.inventory.safetyStock;
    const expected = 40 - (safety.items[erpSku] ?? safety.default);
    expect(
      levels.inventoryItems.nodes[0]!.inventoryLevels.nodes.map((l) => [
        l.location.name,
        l.quantities[0]!.quantity,
      ]),
    ).toEqual([[site, expected]]);

    // A store order: allocated to the 3PL, the one location holding the item.
    const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: `buyer-${tag.toLowerCase()}@customer3.example.com`,
      company: 'Acme Industrial 3',
      lines: [{ sku: storeSku, quantity: 6 }],
    });
    const handle = client.workflow.getHandle(orderWorkflowId(store, placed.orderId));
    const inErp = await waitFor('the ERP sales order', async () => {
      const s = await handle.query(orderStatusQuery).catch(() => null);
      if (s?.attention) throw new Error(`order parked: ${s.attention.reason}`);
      return s?.erpOrder ? s : null;
    });
    expect(inErp.lines[0]!.allocations.map((a) => [a.location, a.quantity])).toEqual([[threePl, 6]]);

    // The 3PL ships (reported to the ERP as a fulfillment at its location); the ERP invoices.
    const shipped = await erp.admin('POST', `/sales-orders/${inErp.erpOrder!.erpId}/ship`, {
      location: threePl,
      carrier: 'FedEx',
      trackingNumbers: [`3PL${tag}`],
    });
    expect(shipped.status).toBe(201);
    await waitFor('the shipment in the order', async () =>
      (await handle.query(orderStatusQuery)).lines[0]!.shipped === 6 ? true : null,
    );
    expect((await erp.admin('POST', `/sales-orders/${inErp.erpOrder!.erpId}/invoice`, {})).status).toBe(201);
    const done = (await handle.result()) as OrderStatus;
    expect(done.status).toBe('completed');
    expect(done.lines.map((l) => [l.ordered, l.shipped, l.invoiced])).toEqual([[6, 6, 6]]);
    const inStore = await shop.client.request<{
      order: { fulfillments: { trackingInfo: { number: string; company: string | null }[] }[] };
    }>(`query($id: ID!) { order(id: $id) { fulfillments { trackingInfo { number company } } } }`, {
      id: `gid://shopify/Order/${placed.orderId}`,
    });
    expect(inStore.order.fulfillments.flatMap((f) => f.trackingInfo)).toEqual([
      { number: `3PL${tag}`, company: 'FedEx' },
    ]);
  });
});
