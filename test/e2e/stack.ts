import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { ensureErpEventsPoller } from '../../activities/erp-events';
import { createApp } from '../../api/app';
import { SHOPIFY_TOPICS } from '../../connectors/shopify/webhooks/map';
import { ShopifyStorefront, registerWebhookSubscriptions } from '../../connectors/shopify';
import { ShopifyPricing } from '../../connectors/shopify/pricing';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createStorePricingActivities } from '../../activities/store-pricing';
import { alertRepository } from '../../db/alerts';
import { syncRepository } from '../../db/sync';
import { seedSandboxMappings } from '../../sandbox/erp/mappings';
import { seedSandboxStore } from '../../sandbox/storefront/seed';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { cachedPriceBook } from '../../db/price-book';
import { taskQueue } from '../../domain/contracts';
import { erpEventsWorkflowId } from '../../domain/contracts';
import { workflowBundle } from '../../workers/worker';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { privateTestDatabase, testClient, testDb, testLog } from '../support/env';
import { eventually } from '../support/wait';

export const WEBHOOK_SECRET = 'e2e-webhook-secret';

export interface Stack {
  store: string;
  db: Db;
  client: Client;
  erp: RunningErpSandbox;
  shop: RunningSandbox;
  api: string;
  prefix: string;
  stop(): Promise<void>;
}

/**
 * The whole system in one process, every hop over real HTTP or gRPC: the sandbox store sends signed
 * webhooks to the API, the API signals workflows on the test Temporal server, a real worker runs them
 * with the real NetSuite and Shopify connectors against the sandbox ERP and the sandbox store.
 */
export async function startStack(
  opts: {
    skus?: number;
    customers?: number;
    erpPollEvery?: string;
    /**
     * A database of the stack's own: for a test that fills Quayside's item, price and customer
     * caches with a whole scenario, which other files' orders would otherwise be checked against.
     */
    privateDatabase?: boolean;
    /** Where the API's links to workflow histories point (the dashboard's "History in Temporal"). */
    temporalUiUrl?: string;
  } = {},
): Promise<Stack> {
  const store = `e2e${randomUUID().slice(0, 6)}`;
  const prefix = `e2e${randomUUID().slice(0, 8)}`;
  const own = opts.privateDatabase ? await privateTestDatabase() : undefined;
  const db = own ? own.db : testDb();
  const client = await testClient();
  const erp = await startErpSandbox({
    skus: opts.skus ?? 50,
    customers: opts.customers ?? 10,
    databaseUrl: own?.url,
  });
  const shop = await startSandbox(`sandbox_store_${prefix}`, {
    webhookSecret: WEBHOOK_SECRET,
    retryScale: 0.01,
    databaseUrl: own?.url,
  });

  const server: Server = createApp({
    temporal: client,
    db,
    log: testLog,
    store,
    taskQueuePrefix: prefix,
    shopifySecret: WEBHOOK_SECRET,
    ...(opts.temporalUiUrl ? { temporalUiUrl: opts.temporalUiUrl, namespace: 'default' } : {}),
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await registerWebhookSubscriptions(shop.client, `${api}/webhooks/shopify`, SHOPIFY_TOPICS);

  const netsuite = erp.client({ concurrency: 5 });
  const activities = createActivities({
    db,
    erp: netsuite,
    erpBulk: netsuite.withPriority('bulk'),
    storefront: new ShopifyStorefront(shop.client),
    pricing: new ShopifyPricing(shop.client),
    prices: cachedPriceBook(db),
    log: testLog,
  });
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  // One worker per queue the API and webhooks start processes on (orders, returns, customers).
  const bundle = await workflowBundle();
  const workers = await Promise.all(
    (['orders', 'returns', 'customers'] as const).map((q) =>
      Worker.create({ connection, taskQueue: taskQueue(q, prefix), workflowBundle: bundle, activities }),
    ),
  );
  const running = Promise.all(workers.map((w) => w.run()));
  await ensureErpEventsPoller(client, {
    store,
    taskQueuePrefix: prefix,
    pollEvery: opts.erpPollEvery ?? '250ms',
  });

  return {
    store,
    db,
    client,
    erp,
    shop,
    api,
    prefix,
    async stop() {
      await client.workflow
        .getHandle(erpEventsWorkflowId(store))
        .terminate('test finished')
        .catch(() => undefined);
      for (const w of workers) w.shutdown();
      await running;
      await connection.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await shop.stop();
      await erp.close();
      await client.connection.close();
      if (own) await own.drop();
      else await db.end();
    },
  };
}

/** Maps a storefront customer, SKUs and locations to the sandbox ERP's, as an integrator would. */
export async function mapScenario(
  stack: Stack,
  m: { customers: [string, string][]; skus: [string, string][] },
): Promise<void> {
  const repo = mappingRepository(stack.db);
  for (const [storeCustomer, erpCustomer] of m.customers)
    await repo.upsertCustomer(stack.store, storeCustomer, erpCustomer);
  await repo.upsertSkus(
    stack.store,
    m.skus.map(([storeSku, erpSku]) => ({ storeSku, erpSku })),
  );
}

export const waitFor = <T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
) => eventually(probe, what, timeoutMs);

/**
 * The sandbox scenario as a going concern: the store seeded with the ERP's customers (as companies)
 * and items, Quayside's mappings and its caches of the ERP's items, prices and customers, then the
 * full price resync into the store, which also publishes every company location's credit headroom.
 * For a stack with its own database (`privateDatabase`).
 */
export async function loadB2bScenario(
  stack: Stack,
  size: { skus: number; customers: number },
): Promise<void> {
  const { shop, erp, db, store } = stack;
  await seedSandboxStore(shop.db, size);
  await seedSandboxMappings(db, store, {
    skus: size.skus,
    erpSchema: erp.schema,
    storeSchema: `sandbox_store_${stack.prefix}`,
  });
  const netsuite = erp.client({ concurrency: 5 });
  const syncs = syncRepository(db);
  for (let c: string | null = null; ;) {
    const page = await netsuite.listItems(c, 500);
    await syncs.saveItems(page.items);
    if (!page.hasMore) break;
    c = page.nextCursor;
  }
  for (let c: string | null = null; ;) {
    const page = await netsuite.pricesChangedSince(c, 500);
    await syncs.savePrices(page.items);
    if (!page.hasMore) break;
    c = page.nextCursor;
  }
  for (let c: string | null = null; ;) {
    const page = await netsuite.customersChangedSince(c, 500);
    for (const customer of page.items) await syncs.saveCustomer(customer);
    if (!page.hasMore) break;
    c = page.nextCursor;
  }
  const acts = createStorePricingActivities({
    db,
    erp: netsuite,
    pricing: new ShopifyPricing(shop.client),
    mappings: mappingRepository(db),
    alerts: alertRepository(db),
  });
  const env = new MockActivityEnvironment();
  await env.run(acts.startPricingCursors, { store, onlyIfUnset: false });
  for (const level of (await env.run(acts.listPriceLevels)) as string[])
    await env.run(acts.pushLevelList, { store, level });
  for (let after: string | null = null; ;) {
    const batch: { last: string | null } = await env.run(acts.pushCustomerBatch, {
      store,
      after,
      batchSize: 7,
    });
    if (batch.last === null) break;
    after = batch.last;
  }
}
