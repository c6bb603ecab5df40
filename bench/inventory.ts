import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConcurrencyBudget, createNetSuiteClient } from '../connectors/netsuite';
import { ShopifyAdminClient, ShopifyStorefront } from '../connectors/shopify';
import { taskQueue } from '../domain/contracts';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import {
  benchDatabase,
  benchTemporal,
  BENCH_CREDENTIALS,
  costCountingFetch,
  listen,
  seedSandboxes,
} from './_sandboxes';
import { distribution } from './_stats';
import { createErpSandbox } from '../sandbox/erp/app';
import { LOCATIONS, seedItem, stockedType } from '../sandbox/erp/scenario';
import { createStoreSandbox, SANDBOX_DEV_ACCESS_TOKEN } from '../sandbox/storefront/app';
import { createWorkers } from '../workers/worker';
import { inventorySyncStatusQuery } from '../domain/contracts';
import { inventorySync } from '../workflows';

/**
 * The inventory sync end to end on the seeded scenario: both sandboxes in-process, the real NetSuite
 * and Shopify connectors, a real worker on a Temporal dev server and a database of its own.
 * (a) a full resync of every SKU × warehouse, against the floor the store's cost-based rate limit sets;
 * (b) incremental: stock received in the ERP → the new quantity visible in the store's Admin API.
 */
const opts = new Command()
  .name('bench inventory')
  .option('--skus <n>', 'scenario SKUs', '100000')
  .option('--customers <n>', 'scenario customers', '520')
  .option(
    '--restore-rate <n>',
    'store cost points restored per second (Shopify Plus, the plan B2B needs: 1000)',
    '1000',
  )
  .option('--bucket <n>', 'store cost bucket size', '10000')
  .option('--page-size <n>', 'ERP stock changes per sync page', '1000')
  .option('--poll <s>', 'sync poll interval once caught up, seconds', '5')
  .option('--changes <n>', 'incremental ERP stock changes measured', '40')
  .option('--window <s>', 'seconds over which the incremental changes are spread at random', '30')
  .option('--erp-concurrency <n>', 'ERP account concurrency limit = connector budget', '5')
  .parse()
  .opts<{
    skus: string;
    customers: string;
    restoreRate: string;
    bucket: string;
    pageSize: string;
    poll: string;
    changes: string;
    window: string;
    erpConcurrency: string;
  }>();

const skus = Number(opts.skus);
const customers = Number(opts.customers);
const restoreRate = Number(opts.restoreRate);
const bucket = Number(opts.bucket);
const pageSize = Number(opts.pageSize);
const poll = Number(opts.poll);
const changes = Number(opts.changes);
const windowSeconds = Number(opts.window);
const erpConcurrency = Number(opts.erpConcurrency);
const STORE = 'bench-store';
/** Shopify's page maximum, for both the SKU lookup and inventorySetQuantities. */
const PER_CALL = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const log = createLogger('bench', { ...config, LOG_LEVEL: 'silent' });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const url = await benchDatabase(config, 'quayside_bench_inventory', { fresh: true });

  process.stdout.write(
    `seeding ${skus} SKUs × ${LOCATIONS.length} warehouses and ${customers} customers into both sandboxes …\n`,
  );
  const { erpDb, storeDb, db, erpSeed, storeSeed, mapping } = await seedSandboxes(url, STORE, {
    skus,
    customers,
    erpPoolSize: 20,
  });
  const seeds = {
    erpSeconds: erpSeed.ms / 1000,
    storeSeconds: storeSeed.ms / 1000,
    mappingSeconds: mapping.ms / 1000,
  };
  process.stdout.write(
    `seeded: ERP ${seeds.erpSeconds.toFixed(1)} s, store ${seeds.storeSeconds.toFixed(1)} s, mappings ${seeds.mappingSeconds.toFixed(2)} s\n`,
  );

  const erpSandbox = createErpSandbox({
    db: erpDb,
    credentials: BENCH_CREDENTIALS,
    faults: { concurrencyLimit: erpConcurrency, latencyMinMs: 0, latencyMaxMs: 0, errorRate: 0, outages: [] },
  });
  const store = createStoreSandbox({ db: storeDb, bucketSize: bucket, restoreRate });
  // The observer reads the store as another app would: a bucket of its own, so measuring takes nothing from the sync.
  const observerApp = createStoreSandbox({ db: storeDb, bucketSize: bucket, restoreRate });
  const servers = [
    erpSandbox.app.listen(0, '127.0.0.1'),
    store.app.listen(0, '127.0.0.1'),
    observerApp.app.listen(0, '127.0.0.1'),
  ];
  const [erpUrl, storeUrl, observerUrl] = await Promise.all(servers.map(listen));

  const spent = { points: 0, calls: 0, ms: 0 };
  const shopifyClient = new ShopifyAdminClient({
    adminUrl: storeUrl!,
    accessToken: SANDBOX_DEV_ACCESS_TOKEN,
    apiVersion: '2026-04',
    fetch: costCountingFetch(spent),
  });
  const observer = new ShopifyAdminClient({
    adminUrl: observerUrl!,
    accessToken: SANDBOX_DEV_ACCESS_TOKEN,
    apiVersion: '2026-04',
  });
  const erp = createNetSuiteClient({
    ...BENCH_CREDENTIALS,
    baseUrl: erpUrl!,
    concurrency: erpConcurrency,
    budget: new ConcurrencyBudget(erpConcurrency),
  });

  const { temporalServer, connection, temporal } = await benchTemporal(config, log);
  const nativeConnection = await NativeConnection.connect({ address: temporalServer.address });
  const prefix = `bench${Date.now().toString(36)}`;
  const [worker] = await createWorkers({
    connection: nativeConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueuePrefix: prefix,
    deps: {
      db,
      erp,
      erpBulk: erp.withPriority('bulk'),
      storefront: new ShopifyStorefront(shopifyClient, log),
      log,
    },
    log,
    queues: ['sync'],
  });
  const running = worker!.run();

  try {
    // (a) Full resync.
    const t0 = performance.now();
    const handle = await temporal.workflow.start(inventorySync, {
      workflowId: `sync:inventory:${STORE}`,
      taskQueue: taskQueue('sync', prefix),
      args: [{ store: STORE, pollIntervalSeconds: poll, pageSize, fullResync: true }],
    });
    let status = await handle.query(inventorySyncStatusQuery);
    let lastReport = 0;
    while (!(status.caughtUp && status.pages > 0)) {
      await sleep(250);
      status = await handle.query(inventorySyncStatusQuery);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        process.stdout.write(
          `  … ${status.pushed} quantities pushed after ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
        );
      }
    }
    const fullSeconds = (performance.now() - t0) / 1000;
    const stockedSkus = Array.from({ length: skus }, (_, k) => seedItem(k + 1)).filter((it) =>
      stockedType(it.type),
    );
    const lookupCalls = Math.ceil(stockedSkus.length / PER_CALL);
    const mutationCalls = Math.ceil(status.pushed / PER_CALL);
    // The least the store must be paid: every SKU resolved once (2 points a query plus 1 a variant)
    // and every quantity set (10 points a call of 250); the bucket's own contents are free at the start.
    const floorPoints = lookupCalls * 2 + stockedSkus.length + mutationCalls * 10;
    const floorSeconds = Math.max(0, floorPoints - bucket) / restoreRate;
    const full = {
      seconds: fullSeconds,
      pages: status.pages,
      quantities: status.pushed,
      unmapped: status.unmapped,
      quantitiesPerSecond: status.pushed / fullSeconds,
      graphqlCalls: shopifyClient.stats.requests,
      throttled: shopifyClient.stats.throttled,
      throttledWaitMs: shopifyClient.stats.waitedMs,
      paced: shopifyClient.stats.paced,
      pacedMs: shopifyClient.stats.pacedMs,
      costPoints: spent.points,
      floorCalls: lookupCalls + mutationCalls,
      floorPoints,
      floorSeconds,
      ratioToFloor: floorSeconds > 0 ? fullSeconds / floorSeconds : NaN,
    };

    // (b) Incremental: stock received in the ERP, then read back from the store until it shows.
    const picks = new Map<string, { i: number; location: (typeof LOCATIONS)[number] }>();
    while (picks.size < changes) {
      const it = stockedSkus[Math.floor(Math.random() * stockedSkus.length)]!;
      const location = LOCATIONS[Math.floor(Math.random() * LOCATIONS.length)]!;
      picks.set(`${it.id}:${location.id}`, { i: it.id, location });
    }
    process.stdout.write(
      `full resync done in ${fullSeconds.toFixed(1)} s; measuring ${changes} ERP stock changes over ${windowSeconds} s …\n`,
    );
    const latencies: number[] = [];
    let missed = 0;
    await Promise.all(
      [...picks.values()].map(async ({ i, location }) => {
        await sleep(Math.random() * windowSeconds * 1000);
        const started = performance.now();
        const res = await fetch(`${erpUrl}/admin/inventory/receive`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            sku: `P${i}`,
            location: String(location.id),
            quantity: 1 + Math.floor(Math.random() * 50),
          }),
        });
        if (!res.ok) throw new Error(`receive P${i}: HTTP ${res.status} ${await res.text()}`);
        const expected = Math.max(0, ((await res.json()) as { available: number }).available);
        const deadline = started + 60_000;
        while (performance.now() < deadline) {
          const data = await observer.request<{
            productVariants: {
              nodes: {
                inventoryItem: {
                  inventoryLevels: {
                    nodes: { location: { name: string }; quantities: { quantity: number }[] }[];
                  };
                };
              }[];
            };
          }>(
            `query Observe($q: String!) { productVariants(first: 1, query: $q) { nodes { inventoryItem { inventoryLevels(first: 3) { nodes { location { name } quantities(names: ["available"]) { quantity } } } } } } }`,
            { q: `sku:PROD-${i}` },
          );
          const level = data.productVariants.nodes[0]?.inventoryItem.inventoryLevels.nodes.find(
            (l) => l.location.name === location.name,
          );
          if (level?.quantities[0]?.quantity === expected) {
            latencies.push(performance.now() - started);
            return;
          }
          await sleep(100);
        }
        missed += 1;
      }),
    );
    const sorted = [...latencies].sort((a, b) => a - b);
    const incremental = {
      changes,
      seen: latencies.length,
      missed,
      pollSeconds: poll,
      p50Ms: percentile(sorted, 50),
      p90Ms: percentile(sorted, 90),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.at(-1) ?? NaN,
      targetMs: 30_000,
      targetMet: missed === 0 && percentile(sorted, 99) < 30_000,
    };
    await handle.terminate('benchmark finished');

    const n = (v: number, d = 1) => v.toFixed(d);
    const lines = [
      '',
      `inventory sync, ${skus} SKUs × ${LOCATIONS.length} warehouses, store bucket ${bucket} points restoring ${restoreRate}/s, page ${pageSize}`,
      `seed: ERP ${n(seeds.erpSeconds)} s (${erpSeed.inventory} stock rows), store ${n(seeds.storeSeconds)} s (${storeSeed.products} products, ${storeSeed.inventoryLevels} levels), mappings ${n(seeds.mappingSeconds, 2)} s`,
      '',
      `${'(a) full resync'.padEnd(34)} ${'value'.padStart(14)}`,
      ...(
        [
          ['wall time', `${n(full.seconds)} s`],
          ['quantities set', String(full.quantities)],
          ['quantities / s', n(full.quantitiesPerSecond, 0)],
          ['sync pages', String(full.pages)],
          ['GraphQL calls (floor)', `${full.graphqlCalls} (${full.floorCalls})`],
          ['cost points spent (floor)', `${full.costPoints} (${full.floorPoints})`],
          ['THROTTLED answers / waited', `${full.throttled} / ${n(full.throttledWaitMs / 1000)} s`],
          ['paced before sending / waited', `${full.paced} / ${n(full.pacedMs / 1000)} s`],
          ['rate-limit floor', `${n(full.floorSeconds)} s`],
          ['ratio to floor', `×${n(full.ratioToFloor, 2)}`],
        ] as const
      ).map(([k, v]) => `${k.padEnd(34)} ${v.padStart(14)}`),
      '',
      `${'(b) incremental, ERP → store'.padEnd(34)} ${'value'.padStart(14)}`,
      ...(
        [
          ['changes seen / made', `${incremental.seen} / ${incremental.changes}`],
          ['poll interval', `${poll} s`],
          ['p50', `${n(incremental.p50Ms / 1000, 2)} s`],
          ['p90', `${n(incremental.p90Ms / 1000, 2)} s`],
          ['p99', `${n(incremental.p99Ms / 1000, 2)} s`],
          ['max', `${n(incremental.maxMs / 1000, 2)} s`],
          ['target p99 < 30 s', incremental.targetMet ? 'met' : 'NOT met'],
        ] as const
      ).map(([k, v]) => `${k.padEnd(34)} ${v.padStart(14)}`),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    const out = path.join(__dirname, 'results', 'inventory.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      `${JSON.stringify(
        {
          benchmark: 'inventory',
          measuredAt: new Date().toISOString(),
          settings: {
            skus,
            customers,
            warehouses: LOCATIONS.length,
            restoreRate,
            bucket,
            pageSize,
            pollSeconds: poll,
            erpConcurrency,
          },
          seed: {
            ...seeds,
            erpStockRows: erpSeed.inventory,
            storeProducts: storeSeed.products,
            storeInventoryLevels: storeSeed.inventoryLevels,
          },
          temporalServer: 'Temporal dev server, in memory',
          fullResync: full,
          incremental,
          distributions: [distribution('ERP stock change → quantity in the store', latencies)],
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`results written to ${path.relative(process.cwd(), out)}\n`);
    if (missed) throw new Error(`${missed} of ${changes} ERP stock changes never reached the store`);
    if (full.unmapped) throw new Error(`${full.unmapped} quantities of the full resync had no store mapping`);
  } finally {
    worker!.shutdown();
    await running.catch(() => undefined);
    await nativeConnection.close();
    await connection.close();
    await temporalServer.stop();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await store.close();
    await observerApp.close();
    await Promise.all([db.end(), erpDb.end(), storeDb.end()]);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench inventory: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
