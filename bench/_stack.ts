import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { ensureErpEventsPoller } from '../activities/erp-events';
import { createApp } from '../api/app';
import { SHOPIFY_TOPICS } from '../api/webhooks/map';
import { ConcurrencyBudget, createNetSuiteClient, type NetSuiteClient } from '../connectors/netsuite';
import { ShopifyAdminClient, ShopifyStorefront, registerWebhookSubscriptions } from '../connectors/shopify';
import { dropDatabase, ensureDatabase, migrate } from '../db/migrate';
import { createPool, type Db } from '../db/pool';
import { cachedPriceBook } from '../db/price-book';
import { taskQueue } from '../domain/ids';
import { erpEventsWorkflowId } from '../domain/order-process';
import { loadConfig } from '../platform/config';
import { createLogger, type Logger } from '../platform/logger';
import { ensureTemporalCli, freePort, startDevServer, type DevServer } from '../platform/temporal-server';
import { createErpSandbox } from '../sandbox/erp/app';
import { createSandboxPool, migrateSandboxErp } from '../sandbox/erp/db';
import { seedSandboxErp } from '../sandbox/erp/seed';
import type { FaultSettings } from '../sandbox/shared/faults';
import { createStoreSandbox, SANDBOX_DEV_ACCESS_TOKEN } from '../sandbox/storefront/app';
import { createStorePool, migrateStore } from '../sandbox/storefront/db';
import { workflowBundle } from '../workers/worker';

const CREDENTIALS = { accountId: 'BENCH', consumerKey: 'ck', consumerSecret: 'cs', tokenId: 'ti', tokenSecret: 'ts' };
const SECRET = 'bench-webhook-secret';

export interface BenchStack {
  log: Logger;
  db: Db;
  erpDb: Db;
  erpSchema: string;
  client: Client;
  erpUrl: string;
  storeUrl: string;
  shop: ShopifyAdminClient;
  netsuite: NetSuiteClient;
  store: string;
  sim<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>;
  erpAdmin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * The whole system for a benchmark, on a Temporal dev server and a database of its own: the sandbox
 * ERP (with the given faults) and store, the API and one worker with the real connectors.
 */
export async function startBenchStack(opts: { skus: number; customers: number; faults: Partial<FaultSettings>; erpConcurrency: number; erpPollEvery: string; storeDuplicateRate?: number }): Promise<BenchStack> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', LOG_PRETTY: 'false' });
  const log = createLogger('bench', config);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const base = new URL(config.DATABASE_URL);
  base.pathname = `/quayside_bench_${Date.now().toString(36)}`;
  const databaseUrl = base.toString();
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const binary = await ensureTemporalCli(config, log);
  const temporal: DevServer = await startDevServer({ binary, port: await freePort(), namespace: 'default', headless: true });

  const db = createPool(databaseUrl, { max: 20 });
  const erpSchema = 'bench_erp';
  await migrateSandboxErp(databaseUrl, erpSchema);
  const erpDb = createSandboxPool(databaseUrl, erpSchema, 20);
  await seedSandboxErp(erpDb, { skus: opts.skus, customers: opts.customers });
  const erp = createErpSandbox({
    db: erpDb,
    credentials: CREDENTIALS,
    faults: { concurrencyLimit: 0, latencyMinMs: 0, latencyMaxMs: 0, errorRate: 0, outages: [], ...opts.faults },
  });
  const erpServer = await listen(erp.app);

  await migrateStore(databaseUrl, undefined, 'bench_store');
  const storeDb = createStorePool(databaseUrl, 10, 'bench_store');
  const storeSandbox = createStoreSandbox({ db: storeDb, webhookSecret: SECRET, retryScale: 0.01, duplicateRate: opts.storeDuplicateRate ?? 0, bucketSize: 100_000, restoreRate: 100_000 });
  const storeServer = await listen(storeSandbox.app);

  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const store = 'bench-store';
  const prefix = 'bench';
  const api = await listen(createApp({ temporal: client, db, log, store, taskQueuePrefix: prefix, shopifySecret: SECRET }));
  const shop = new ShopifyAdminClient({ adminUrl: storeServer.url, accessToken: SANDBOX_DEV_ACCESS_TOKEN, apiVersion: '2026-04' });
  await registerWebhookSubscriptions(shop, `${api.url}/webhooks/shopify`, SHOPIFY_TOPICS);

  const netsuite = createNetSuiteClient({ ...CREDENTIALS, baseUrl: erpServer.url, concurrency: opts.erpConcurrency, budget: new ConcurrencyBudget(opts.erpConcurrency) });
  const activities = createActivities({ db, erp: netsuite, erpBulk: netsuite.withPriority('bulk'), storefront: new ShopifyStorefront(shop), prices: cachedPriceBook(db), log });
  const workerConnection = await NativeConnection.connect({ address: temporal.address });
  const worker = await Worker.create({
    connection: workerConnection,
    taskQueue: taskQueue('orders', prefix),
    workflowBundle: await workflowBundle(),
    activities,
    maxConcurrentActivityTaskExecutions: 200,
    maxConcurrentWorkflowTaskExecutions: 100,
  });
  const running = worker.run();
  await ensureErpEventsPoller(client, { store, taskQueuePrefix: prefix, pollEvery: opts.erpPollEvery });

  const call = async <T>(url: string, method: string, body?: unknown): Promise<T> => {
    const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  return {
    log,
    db,
    erpDb,
    erpSchema,
    client,
    erpUrl: erpServer.url,
    storeUrl: storeServer.url,
    shop,
    netsuite,
    store,
    sim: (path, body) => call(`${storeServer.url}${path}`, body === undefined ? 'GET' : 'POST', body),
    erpAdmin: (method, path, body) => call(`${erpServer.url}/admin${path}`, method, body),
    async stop() {
      await client.workflow.getHandle(erpEventsWorkflowId(store)).terminate('benchmark finished').catch(() => undefined);
      worker.shutdown();
      await running;
      await workerConnection.close();
      for (const s of [api.server, storeServer.server, erpServer.server]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
      await storeSandbox.close();
      await Promise.all([storeDb.end(), erpDb.end(), db.end()]);
      await connection.close();
      await temporal.stop();
      await dropDatabase(databaseUrl);
    },
  };
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
