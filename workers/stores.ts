import type { NativeConnection, Worker } from '@temporalio/worker';
import type { ShopifyClientOptions } from '../connectors/shopify';
import {
  createShopifyStorefront,
  ShopifyCatalog,
  ShopifyCompanies,
  ShopifyPricing,
  shopifyClientFromConfig,
} from '../connectors/shopify';
import { notifierFromConfig } from '../connectors/notifier';
import { cachedPriceBook } from '../db/price-book';
import type { Db } from '../db/pool';
import type { ErpPort } from '../domain/erp';
import { storeQueuePrefix } from '../domain/contracts';
import { configForStore, storesOf, type Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import { orderDispatcher } from './order-dispatch';
import { createWorkers } from './worker';

/**
 * One set of workers per store, on that store's own queues (`storeQueuePrefix`), with that store's
 * Shopify connections (its token, its cost bucket): one store's backlog or outage never takes another
 * store's worker slots. The ERP, its shared budget and Postgres are common to every store.
 */
export async function createStoreWorkers(opts: {
  connection: NativeConnection;
  config: Config;
  db: Db;
  erp: ErpPort & { withPriority(p: 'bulk'): ErpPort };
  log: Logger;
  /** Told of every store HTTP attempt, with the store's name (the dashboard's call counts). */
  observeStore?: (store: string) => ShopifyClientOptions['onCall'];
}): Promise<Worker[]> {
  const { config, db, erp, log } = opts;
  const sets = await Promise.all(
    storesOf(config).map((store) => {
      const storeConfig = configForStore(config, store);
      const onCall = opts.observeStore?.(store.name);
      return createWorkers({
        connection: opts.connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueuePrefix: storeQueuePrefix(
          config.TEMPORAL_TASK_QUEUE_PREFIX,
          store.name,
          config.QUAYSIDE_STORE,
        ),
        deps: {
          db,
          erp,
          erpBulk: erp.withPriority('bulk'),
          storefront: createShopifyStorefront(storeConfig, log, onCall),
          pricing: new ShopifyPricing(shopifyClientFromConfig(storeConfig, log, onCall), {}, log),
          companies: new ShopifyCompanies(shopifyClientFromConfig(storeConfig, log, onCall)),
          catalog: new ShopifyCatalog(shopifyClientFromConfig(storeConfig, log, onCall)),
          dispatchOrder: orderDispatcher(store.name),
          prices: cachedPriceBook(db),
          notifier: notifierFromConfig(config),
          apiPublicUrl: config.API_PUBLIC_URL,
          log: log.child({ store: store.name }),
        },
        log,
        usePrebuiltBundle: config.NODE_ENV === 'production',
        payloadKeys: config.QUAYSIDE_PAYLOAD_KEYS,
        tuning: {
          maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
          maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
          reuseV8Context: config.WORKER_REUSE_V8_CONTEXT,
        },
      });
    }),
  );
  return sets.flat();
}
