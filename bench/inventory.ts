import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConcurrencyBudget, createNetSuiteClient } from '../connectors/netsuite';
import { ShopifyAdminClient, ShopifyStorefront } from '../connectors/shopify';
import { dropDatabase } from '../db/migrate';
import { createPool } from '../db/pool';
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
import { LOCATIONS, seedItem, stockedType, storeSku } from '../sandbox/erp/scenario';
import { createStoreSandbox, SANDBOX_DEV_ACCESS_TOKEN } from '../sandbox/storefront/app';
import { createWorkers } from '../workers/worker';
import { inventorySync } from '../workflows';

/**
 * The inventory sync end to end on the seeded scenario: both sandboxes in-process, the real NetSuite
 * and Shopify connectors, a real worker on a Temporal dev server and a database of its own.
 * (a) full resyncs of every SKU × warehouse (the store's quantities read by a bulk operation query,
 *     only what differs written), each against the baseline the store's cost-based rate limit sets
 *     for writing every quantity: first into the seeded store (all at 0), then after `--drift-small`
 *     % (default 1) and after `--drift-large` % (default 100) of the store's quantities were changed
 *     behind Quayside's back;
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
  .option('--drift-small <pct>', 'store quantities changed before the second resync, %', '1')
  .option('--drift-large <pct>', 'store quantities changed before the third resync, %', '100')
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
    driftSmall: string;
    driftLarge: string;
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
const drifts = [Number(opts.driftSmall), Number(opts.driftLarge)];
const STORE = 'bench-store';
/** Shopify's page maximum, for both the SKU lookup and inventorySetQuantities. */
const PER_CALL = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Drops the databases of earlier runs whose process has ended (a run never drops another's). */
async function dropFinishedRuns(dbUrl: URL): Promise<void> {
  const admin = new URL(dbUrl);
  admin.pathname = '/postgres';
  const pool = createPool(admin.toString(), { max: 1 });
  try {
    const { rows } = await pool.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^quayside_bench_inventory_[0-9]+$'`,
    );
    for (const { datname } of rows) {
      const pid = Number(datname.slice(datname.lastIndexOf('_') + 1));
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive) continue;
      const old = new URL(dbUrl);
      old.pathname = `/${datname}`;
      await dropDatabase(old.toString());
    }
  } finally {
    await pool.end();
  }
}

async function main() {
  const loadStart = os.loadavg();
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const log = createLogger('bench', { ...config, LOG_LEVEL: 'silent' });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // A database of this run's own: two runs at once (other checkouts on the same server) never share one.
  const base = new URL(config.DATABASE_URL);
  await dropFinishedRuns(base);
  const url = await benchDatabase(config, `quayside_bench_inventory_${process.pid}`, { fresh: true });

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
    // (a) Full resyncs: into the seeded store, then after changing a share of its quantities.
    const stockedSkus = Array.from({ length: skus }, (_, k) => seedItem(k + 1)).filter((it) =>
      stockedType(it.type),
    );
    const stockedStoreSkus = stockedSkus.map((it) => storeSku(it.id));
    const lookupCalls = Math.ceil(stockedSkus.length / PER_CALL);
    const queue = taskQueue('sync', prefix);
    const resync = async (label: string, driftPercent: number | null, drifted: number | null) => {
      const before = { ...shopifyClient.stats, points: spent.points };
      process.stdout.write(`(a) full resync: ${label} …\n`);
      const t0 = performance.now();
      const totals = await temporal.workflow.execute(inventorySync, {
        workflowId: `sync:inventory:${STORE}`,
        taskQueue: queue,
        args: [
          { store: STORE, pollIntervalSeconds: poll, pageSize, fullResync: true, stopWhenCaughtUp: true },
        ],
      });
      const seconds = (performance.now() - t0) / 1000;
      const op = (
        await observer.request<{
          currentBulkOperation: {
            status: string;
            objectCount: string;
            createdAt: string;
            completedAt: string | null;
          } | null;
        }>(`query LastBulk { currentBulkOperation { status objectCount createdAt completedAt } }`)
      ).currentBulkOperation;
      const compared = totals.lastResync?.compared ?? totals.changed;
      // The baseline: the least the store's rate limit allows for writing every quantity, as the resync
      // did before it read the store: every SKU resolved once (2 points a query plus 1 a variant) and
      // every quantity set (10 points a call of 250); the bucket's own contents are free at the start.
      const floorPoints = lookupCalls * 2 + stockedSkus.length + Math.ceil(compared / PER_CALL) * 10;
      const floorSeconds = Math.max(0, floorPoints - bucket) / restoreRate;
      const f = {
        label,
        driftPercent,
        driftedInStore: drifted,
        seconds,
        bulkReadSeconds:
          op?.completedAt && op.status === 'COMPLETED'
            ? (Date.parse(op.completedAt) - Date.parse(op.createdAt)) / 1000
            : null,
        bulkObjects: op ? Number(op.objectCount) : null,
        storeLevels: totals.lastResync?.storeLevels ?? null,
        compared,
        written: totals.pushed,
        inStep: totals.lastResync?.inStep ?? null,
        pages: totals.pages,
        unmapped: totals.unmapped,
        stale: totals.stale,
        graphqlCalls: shopifyClient.stats.requests - before.requests,
        costPoints: spent.points - before.points,
        throttled: shopifyClient.stats.throttled - before.throttled,
        throttledWaitMs: shopifyClient.stats.waitedMs - before.waitedMs,
        paced: shopifyClient.stats.paced - before.paced,
        pacedMs: shopifyClient.stats.pacedMs - before.pacedMs,
        floorPoints,
        floorSeconds,
        ratioToFloor: floorSeconds > 0 ? seconds / floorSeconds : NaN,
      };
      process.stdout.write(
        `    ${f.written} of ${f.compared} quantities written in ${seconds.toFixed(1)} s (bulk read ${f.bulkReadSeconds?.toFixed(1) ?? '—'} s), ×${f.ratioToFloor.toFixed(2)} the ${floorSeconds.toFixed(1)} s floor\n`,
      );
      return f;
    };
    /** Changes `percent` % of the stocked SKUs' store quantities (as another app or a person would): by +3. */
    const drift = async (percent: number): Promise<number> => {
      const r = await storeDb.query(
        `UPDATE inventory_levels il SET available = il.available + 3, updated_at = now()
           FROM (SELECT l.inventory_item_id, l.location_id FROM inventory_levels l
                   JOIN variants v ON v.inventory_item_id = l.inventory_item_id
                  WHERE v.sku = ANY($1::text[]) ORDER BY random() LIMIT $2) pick
          WHERE il.inventory_item_id = pick.inventory_item_id AND il.location_id = pick.location_id`,
        [stockedStoreSkus, Math.round((percent / 100) * stockedStoreSkus.length * LOCATIONS.length)],
      );
      return r.rowCount ?? 0;
    };
    const resyncs = [await resync('into the seeded store (all quantities at 0)', null, null)];
    for (const percent of drifts) {
      const drifted = await drift(percent);
      resyncs.push(
        await resync(
          `after ${percent} % drift (${drifted} quantities changed in the store)`,
          percent,
          drifted,
        ),
      );
      if (resyncs.at(-1)!.written !== drifted)
        throw new Error(`${drifted} quantities drifted, but the resync wrote ${resyncs.at(-1)!.written}`);
    }
    const full = resyncs[0]!;
    const fullSeconds = resyncs.reduce((n, r) => n + r.seconds, 0);
    const handle = await temporal.workflow.start(inventorySync, {
      workflowId: `sync:inventory:${STORE}`,
      taskQueue: queue,
      args: [{ store: STORE, pollIntervalSeconds: poll, pageSize }],
    });

    // (b) Incremental: stock received in the ERP, then read back from the store until it shows.
    const picks = new Map<string, { i: number; location: (typeof LOCATIONS)[number] }>();
    while (picks.size < changes) {
      const it = stockedSkus[Math.floor(Math.random() * stockedSkus.length)]!;
      const location = LOCATIONS[Math.floor(Math.random() * LOCATIONS.length)]!;
      picks.set(`${it.id}:${location.id}`, { i: it.id, location });
    }
    process.stdout.write(
      `full resyncs done in ${fullSeconds.toFixed(1)} s; measuring ${changes} ERP stock changes over ${windowSeconds} s …\n`,
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
      `load average (1, 5, 15 min): ${loadStart.map((l) => l.toFixed(1)).join(', ')} at the start, ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')} at the end`,
      `seed: ERP ${n(seeds.erpSeconds)} s (${erpSeed.inventory} stock rows), store ${n(seeds.storeSeconds)} s (${storeSeed.products} products, ${storeSeed.inventoryLevels} levels), mappings ${n(seeds.mappingSeconds, 2)} s`,
      '',
      `${'(a) full resync'.padEnd(34)} ${resyncs.map((r) => (r.driftPercent === null ? 'from 0' : `${r.driftPercent} % drift`).padStart(14)).join(' ')}`,
      ...(
        [
          ['wall time', (r) => `${n(r.seconds)} s`],
          [
            'bulk read (in the store)',
            (r) => (r.bulkReadSeconds === null ? '—' : `${n(r.bulkReadSeconds)} s`),
          ],
          ['quantities compared', (r) => String(r.compared)],
          ['quantities written', (r) => String(r.written)],
          ['GraphQL calls', (r) => String(r.graphqlCalls)],
          ['cost points spent', (r) => String(r.costPoints)],
          ['THROTTLED answers / waited', (r) => `${r.throttled} / ${n(r.throttledWaitMs / 1000)} s`],
          ['paced / waited', (r) => `${r.paced} / ${n(r.pacedMs / 1000)} s`],
          ['floor: write every quantity', (r) => `${n(r.floorSeconds)} s`],
          ['ratio to floor', (r) => `×${n(r.ratioToFloor, 2)}`],
        ] as [string, (r: (typeof resyncs)[number]) => string][]
      ).map(([k, v]) => `${k.padEnd(34)} ${resyncs.map((r) => v(r).padStart(14)).join(' ')}`),
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
          loadAverage: { start: loadStart, end: os.loadavg() },
          /** The first resync (into the seeded store); kept under its old name for older reports. */
          fullResync: { ...full, quantities: full.written },
          fullResyncs: resyncs,
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
