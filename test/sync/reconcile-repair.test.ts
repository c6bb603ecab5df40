import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import { createSyncActivities, type InventoryPageResult } from '../../activities/sync';
import { SHOPIFY_TOPICS } from '../../connectors/shopify/webhooks/map';
import {
  deleteWebhookSubscriptions,
  registerWebhookSubscriptions,
  ShopifyStorefront,
} from '../../connectors/shopify';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import { reconcileRepository } from '../../db/reconcile';
import { orderWorkflowId, taskQueue, type ReconcilePassInput } from '../../domain/contracts';
import { ensureIntervalSchedule } from '../../platform/schedules';
import { orderDispatcher } from '../../workers/order-dispatch';
import { workflowBundle } from '../../workers/worker';
import { orderToInvoice } from '../../workflows/orderToInvoice';
import { orderStatusQuery } from '../../domain/contracts';
import { reconcilePass } from '../../workflows/reconcilePass';
import { testLog } from '../support/env';
import { mapScenario, startStack, waitFor, type Stack } from '../e2e/stack';

/**
 * The reconciliation that repairs, on the whole stack: a store order whose webhook was lost is found
 * and its process started as the webhook would have, and a store quantity changed by hand is found
 * and written again.
 */
describe('reconciliation that repairs', () => {
  let stack: Stack;
  let worker: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  let pass: (n: number) => Promise<Awaited<ReturnType<typeof reconcilePass>>>;

  beforeAll(async () => {
    stack = await startStack({ privateDatabase: true });
    const netsuite = stack.erp.client({ concurrency: 5 });
    const activities = createActivities({
      db: stack.db,
      erp: netsuite,
      erpBulk: netsuite.withPriority('bulk'),
      storefront: new ShopifyStorefront(stack.shop.client),
      dispatchOrder: orderDispatcher(stack.store),
      log: testLog,
    });
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    worker = await Worker.create({
      connection,
      taskQueue: taskQueue('sync', stack.prefix),
      workflowBundle: await workflowBundle(),
      activities,
    });
    running = worker.run();
    const input: ReconcilePassInput = {
      store: stack.store,
      windowMinutes: 60,
      graceSeconds: 0,
      stockBatch: 100,
      orderTaskQueue: taskQueue('orders', stack.prefix),
    };
    pass = (n) =>
      stack.client.workflow.execute(reconcilePass, {
        taskQueue: taskQueue('sync', stack.prefix),
        workflowId: `reconcile-pass:${stack.store}-${n}`,
        args: [input],
      });
  }, 180_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await stack?.stop();
  });

  it('finds an order whose webhook was lost and starts its process, once, as the webhook would have', async () => {
    const { shop, erp, client } = stack;
    await shop.sim('/sandbox/products', { sku: 'PROD-3', title: 'Hex bolt M8', price: '12.50' });
    const buyer = await shop.sim<{ customerId: string }>('/sandbox/customers', {
      email: 'ap@customer3.example.com',
      company: 'Harbor Supply 3',
    });
    await mapScenario(stack, { customers: [[buyer.customerId, '3']], skus: [['PROD-3', 'P3']] });

    // The store's webhooks stop reaching Quayside, and an order is placed.
    const callback = `${stack.api}/webhooks/shopify`;
    expect(await deleteWebhookSubscriptions(shop.client, callback)).toBeGreaterThan(0);
    const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: 'ap@customer3.example.com',
      company: 'Harbor Supply 3',
      poNumber: `PO-${randomUUID().slice(0, 6)}`,
      lines: [{ sku: 'PROD-3', quantity: 2 }],
    });
    await registerWebhookSubscriptions(shop.client, callback, SHOPIFY_TOPICS);
    const workflowId = orderWorkflowId(stack.store, placed.orderId);
    await expect(client.workflow.getHandle(workflowId).describe()).rejects.toThrow();

    const first = await pass(1);
    const report = (await reconcileRepository(stack.db).get(first.reportId, [stack.store]))!;
    const entry = report.entries.find((e) => e.subject === placed.orderId);
    expect(entry).toMatchObject({ kind: 'missedOrder', outcome: 'repaired', workflowId });
    expect(first.ordersChecked).toBeGreaterThanOrEqual(1);

    // The process runs as if the webhook had come: the order reaches the ERP with its PO number.
    const handle = client.workflow.getHandle(workflowId);
    const inErp = await waitFor('the ERP sales order', async () => {
      const s = await handle.query(orderStatusQuery).catch(() => null);
      if (s?.attention) throw new Error(`order parked: ${s.attention.reason}`);
      return s?.erpOrder ? s : null;
    });
    const so = await erp.admin('GET', `/sales-orders/eid:${encodeURIComponent(inErp.erpOrder!.externalId)}`);
    expect(so.status).toBe(200);

    // The next pass finds nothing to repair for it: never a second process.
    const second = await pass(2);
    const again = (await reconcileRepository(stack.db).get(second.reportId, [stack.store]))!;
    expect(again.entries.filter((e) => e.subject === placed.orderId)).toEqual([]);
    const runs = [];
    for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
    expect(runs).toHaveLength(1);
  });

  it('gives a process that never received its order the order, and it reaches the ERP', async () => {
    const { shop, client, db } = stack;
    const callback = `${stack.api}/webhooks/shopify`;
    await deleteWebhookSubscriptions(shop.client, callback);
    const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: 'ap@customer3.example.com',
      company: 'Harbor Supply 3',
      lines: [{ sku: 'PROD-3', quantity: 1 }],
    });
    await registerWebhookSubscriptions(shop.client, callback, SHOPIFY_TOPICS);
    // Another event of the order (a refund's, say) started its process, which waits for the order.
    const workflowId = orderWorkflowId(stack.store, placed.orderId);
    await client.workflow.start(orderToInvoice, {
      workflowId,
      taskQueue: taskQueue('orders', stack.prefix),
      args: [{ store: stack.store, orderId: placed.orderId }],
    });
    await db.query(
      `INSERT INTO webhook_deliveries (webhook_id, topic, shop_domain, status, workflow_id) VALUES ($1, 'refunds/create', 'test.myshopify.com', 'processed', $2)`,
      [`wh-${randomUUID()}`, workflowId],
    );

    const result = await pass(10);
    const report = (await reconcileRepository(db).get(result.reportId, [stack.store]))!;
    expect(report.entries.find((e) => e.subject === placed.orderId)).toMatchObject({
      kind: 'orderWithoutErpOrder',
      outcome: 'repaired',
      workflowId,
    });
    const handle = client.workflow.getHandle(workflowId);
    await waitFor('the ERP sales order', async () => {
      const s = await handle.query(orderStatusQuery).catch(() => null);
      if (s?.attention) throw new Error(`order parked: ${s.attention.reason}`);
      return s?.erpOrder ?? null;
    });
  });

  it('finds a store quantity changed by hand and writes the ERP’s again', async () => {
    const { shop, db } = stack;
    const { locations: chicago } = await shop.client.request<{
      locations: { nodes: { id: string; name: string }[] };
    }>('{ locations(first: 5) { nodes { id name } } }');
    await mappingRepository(db).upsertLocation(stack.store, chicago.nodes[0]!.id, '1');
    // The inventory sync sets the store's quantities from the ERP.
    const sync = createSyncActivities({
      db,
      erp: stack.erp.client(),
      storefront: new ShopifyStorefront(shop.client),
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    const env = new MockActivityEnvironment();
    for (let more = true; more;)
      more = (
        (await env.run(sync.syncInventoryPage, {
          store: stack.store,
          sync: `inventory:${stack.store}`,
          pageSize: 200,
          workflowId: 'test',
        })) as InventoryPageResult
      ).hasMore;
    const storeQuantity = async () => {
      const d = await shop.client.request<{
        inventoryItems: {
          nodes: {
            inventoryLevels: { nodes: { location: { id: string }; quantities: { quantity: number }[] }[] };
          }[];
        };
      }>(
        `{ inventoryItems(first: 1, query: "sku:PROD-3") { nodes { inventoryLevels(first: 5) { nodes { location { id } quantities(names: ["available"]) { quantity } } } } } }`,
      );
      return d.inventoryItems.nodes[0]!.inventoryLevels.nodes.find(
        (l) => l.location.id === chicago.nodes[0]!.id,
      )!.quantities[0]!.quantity;
    };
    const synced = await storeQuantity();

    // Someone edits the quantity in the store's admin.
    const inventoryItem = await shop.client.request<{
      productVariants: { nodes: { inventoryItem: { id: string } }[] };
    }>(`{ productVariants(first: 1, query: "sku:PROD-3") { nodes { inventoryItem { id } } } }`);
    await shop.client.request(
      `mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) @idempotent(key: "${randomUUID()}") { userErrors { message } } }`,
      {
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [
            {
              inventoryItemId: inventoryItem.productVariants.nodes[0]!.inventoryItem.id,
              locationId: chicago.nodes[0]!.id,
              quantity: synced + 500,
              changeFromQuantity: null,
            },
          ],
        },
      },
    );
    expect(await storeQuantity()).toBe(synced + 500);

    const result = await pass(3);
    expect(await storeQuantity()).toBe(synced);
    const report = (await reconcileRepository(db).get(result.reportId, [stack.store]))!;
    expect(report.entries.filter((e) => e.kind === 'driftedStock')).toEqual([
      expect.objectContaining({
        subject: `PROD-3@${chicago.nodes[0]!.id}`,
        title: `PROD-3 at ${chicago.nodes[0]!.name}`,
        outcome: 'repaired',
        detail: `The store had ${synced + 500}, the ERP's stock sells ${synced}: set to ${synced}.`,
      }),
    ]);
    expect(result.stockChecked).toBeGreaterThanOrEqual(1);
  });

  it('runs on a schedule that worker starts create once and keep in step with the settings', async () => {
    const scheduleId = `reconcile-pass:${stack.store}`;
    const input: ReconcilePassInput = {
      store: stack.store,
      windowMinutes: 60,
      graceSeconds: 120,
      stockBatch: 500,
      orderTaskQueue: taskQueue('orders', stack.prefix),
    };
    const ensure = (everyMs: number, args = input) =>
      ensureIntervalSchedule(stack.client, {
        scheduleId,
        workflowType: 'reconcilePass',
        taskQueue: taskQueue('sync', stack.prefix),
        args: [args],
        everyMs,
        runTimeout: '30 minutes',
        purpose: 'test',
      });
    try {
      expect(await ensure(600_000)).toBe('created');
      expect(await ensure(600_000)).toBe('unchanged');
      expect(await ensure(600_000, { ...input, windowMinutes: 120 })).toBe('updated');
      const d = await stack.client.schedule.getHandle(scheduleId).describe();
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcilePass' });
      expect(d.action.type === 'startWorkflow' && d.action.args).toEqual([{ ...input, windowMinutes: 120 }]);
      expect(d.spec.intervals?.[0]?.every).toBe(600_000);
    } finally {
      await stack.client.schedule.getHandle(scheduleId).delete();
    }
  });
});
