import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createStorePricingActivities } from '../activities/store-pricing';
import { ConcurrencyBudget, createNetSuiteClient } from '../connectors/netsuite';
import { ShopifyAdminClient, ShopifyPricing } from '../connectors/shopify';
import { alertRepository } from '../db/alerts';
import { mappingRepository } from '../db/mappings';
import { dropDatabase } from '../db/migrate';
import { loadConfig } from '../platform/config';
import { createErpSandbox } from '../sandbox/erp/app';
import { createStoreSandbox, SANDBOX_DEV_ACCESS_TOKEN } from '../sandbox/storefront/app';
import { buyerUnitPrices } from '../sandbox/storefront/pricing';
import { describeMachine } from './_report';
import { benchDatabase, BENCH_CREDENTIALS, costCountingFetch, listen, seedSandboxes } from './_sandboxes';
import { distribution } from './_stats';

/**
 * Store pricing end to end on the seeded scenario (both sandboxes in-process, the real NetSuite and
 * Shopify connectors, the sync's activities):
 * (a) the full resync of levels and contracts into catalogs and price lists, against the floor the
 *     store's cost-based rate limit sets for the points it spent;
 * (b) an ERP price change → the new price shown to a buyer's company location, p50/p99.
 * Quayside's caches of items, prices and customers are filled straight from the ERP schema before (a):
 * reading the ERP is the catalog sync's work, measured elsewhere. Where the resync's time goes is
 * split into waiting on the store's bucket (paced before sending, or THROTTLED and waited out) and
 * the rest (Quayside, the sandbox and Postgres working). Results: bench/results/pricing.json.
 */
const opts = new Command()
  .name('bench pricing')
  .option('--skus <n>', 'scenario SKUs', '100000')
  .option('--customers <n>', 'scenario customers', '520')
  .option('--restore-rate <n>', 'store cost points restored per second (Shopify Plus: 1000)', '1000')
  .option('--bucket <n>', 'store cost bucket size', '10000')
  .option('--changes <n>', 'incremental ERP price changes measured', '20')
  .option('--poll <ms>', 'incremental sync poll interval once caught up, milliseconds', '1000')
  .parse()
  .opts<{
    skus: string;
    customers: string;
    restoreRate: string;
    bucket: string;
    changes: string;
    poll: string;
  }>();

const skus = Number(opts.skus);
const customers = Number(opts.customers);
const restoreRate = Number(opts.restoreRate);
const bucket = Number(opts.bucket);
const STORE = 'bench-store';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main() {
  const loadBefore = os.loadavg();
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const url = await benchDatabase(config, 'quayside_bench_pricing', { fresh: true });

  process.stdout.write(`seeding ${skus} SKUs and ${customers} customers into both sandboxes …\n`);
  const { erpDb, storeDb, db } = await seedSandboxes(url, STORE, { skus, customers, erpPoolSize: 10 });
  await db.query(`
    INSERT INTO item_cache (erp_sku, erp_id, name, kind, base_price, inactive, erp_modified)
      SELECT item_id, id::text, display_name, 'inventory', base_price, inactive, last_modified FROM sandbox_erp.item;
    INSERT INTO price_cache (erp_sku, price_level, customer_erp_id, min_quantity, unit_price, erp_modified)
      SELECT i.item_id, COALESCE(p.price_level, ''), COALESCE(p.customer_id::text, ''), p.min_quantity, p.unit_price, p.last_modified
        FROM sandbox_erp.item_price p JOIN sandbox_erp.item i ON i.id = p.item_id;
    INSERT INTO customer_cache (erp_customer_id, company_name, credit_limit, balance, terms, price_level, tax_exempt)
      SELECT id::text, company_name, credit_limit, balance, terms, price_level, tax_exempt FROM sandbox_erp.customer;
    ANALYZE item_cache; ANALYZE price_cache; ANALYZE customer_cache;`);

  const erpSandbox = createErpSandbox({
    db: erpDb,
    credentials: BENCH_CREDENTIALS,
    faults: { concurrencyLimit: 5, latencyMinMs: 0, latencyMaxMs: 0, errorRate: 0, outages: [] },
  });
  const store = createStoreSandbox({ db: storeDb, bucketSize: bucket, restoreRate });
  const servers = [erpSandbox.app.listen(0, '127.0.0.1'), store.app.listen(0, '127.0.0.1')];
  const [erpUrl, storeUrl] = await Promise.all(servers.map(listen));
  const spent = { points: 0, calls: 0, ms: 0 };
  const shopify = new ShopifyAdminClient({
    adminUrl: storeUrl!,
    accessToken: SANDBOX_DEV_ACCESS_TOKEN,
    apiVersion: '2026-04',
    fetch: costCountingFetch(spent),
  });
  const erp = createNetSuiteClient({
    ...BENCH_CREDENTIALS,
    baseUrl: erpUrl!,
    concurrency: 5,
    budget: new ConcurrencyBudget(5),
  });
  const acts = createStorePricingActivities({
    db,
    erp,
    pricing: new ShopifyPricing(shopify, { concurrency: 4 }),
    mappings: mappingRepository(db),
    alerts: alertRepository(db),
  });
  const env = new MockActivityEnvironment();

  // (a) full resync
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  await env.run(acts.startPricingCursors, { store: STORE, onlyIfUnset: false });
  let written = 0;
  const levels = (await env.run(acts.listPriceLevels)) as string[];
  for (const level of levels) {
    const r = (await env.run(acts.pushLevelList, { store: STORE, level })) as { written: number };
    written += r.written;
  }
  const levelsSeconds = (Date.now() - started) / 1000;
  const levelPoints = spent.points;
  for (let after: string | null = null; ;) {
    const b = (await env.run(acts.pushCustomerBatch, { store: STORE, after, batchSize: 50 })) as {
      written: number;
      last: string | null;
    };
    written += b.written;
    if (b.last === null) break;
    after = b.last;
  }
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const floor = Math.max(0, spent.points - bucket) / restoreRate;
  const waitedSeconds = (shopify.stats.pacedMs + shopify.stats.waitedMs) / 1000;
  // The resync's own figures, before the incremental part below adds to the counters.
  const resync = { ...spent, paced: shopify.stats.paced, throttled: shopify.stats.throttled };
  const lists = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM store_price_lists')).rows[0]!
    .n;
  process.stdout.write(
    `full resync: ${lists} catalogs, ${written} fixed prices, ${spent.calls} calls, ${spent.points} cost points in ${seconds.toFixed(1)} s; ` +
      (floor > 0
        ? `rate-limit floor ${floor.toFixed(1)} s (${restoreRate} points/s, bucket ${bucket}) → ${(seconds / floor).toFixed(2)}× the floor\n`
        : `no rate-limit floor: the points spent fit in the ${bucket}-point bucket (run a larger scenario for a ratio)\n`),
  );
  process.stdout.write(
    `  levels ${levelsSeconds.toFixed(1)} s (${levelPoints} points), customers ${(seconds - levelsSeconds).toFixed(1)} s (${spent.points - levelPoints} points); ` +
      `waiting on the bucket ${waitedSeconds.toFixed(1)} s (${shopify.stats.paced} paced, ${shopify.stats.throttled} throttled), ` +
      `in store calls ${(spent.ms / 1000).toFixed(1)} s (summed over concurrent calls), ` +
      `bench process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (the sandboxes run in it; Postgres does not)\n`,
  );

  // (b) incremental: a Tier 3 item price in the ERP → the price a Tier 3 buyer's location is shown.
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const page = (await env.run(acts.syncPricingChanges, { store: STORE, pageSize: 1000 })) as {
        hasMore: boolean;
      };
      if (!page.hasMore) await sleep(Number(opts.poll));
    }
  })();
  const buyer = (
    await db.query<{ erp_customer_id: string }>(
      "SELECT erp_customer_id FROM customer_cache WHERE price_level = 'Tier 3' ORDER BY erp_customer_id LIMIT 1",
    )
  ).rows[0]!.erp_customer_id;
  const location = (
    await storeDb.query<{ id: string }>(
      'SELECT l.id FROM company_locations l JOIN companies c ON c.id = l.company_id WHERE c.external_id = $1',
      [buyer],
    )
  ).rows[0]!.id;
  const latencies: number[] = [];
  for (let k = 0; k < Number(opts.changes); k++) {
    const item = 1 + ((k * 7919 + 13) % skus);
    const v = (
      await storeDb.query<{ id: string; price: string }>(
        'SELECT id, price::text FROM variants WHERE sku = $1',
        [`PROD-${item}`],
      )
    ).rows[0]!;
    const newPrice = `${(1 + k).toFixed(0)}.${String(10 + k).padStart(2, '0')}`;
    const t0 = Date.now();
    await erpDb.query(
      "UPDATE item_price SET unit_price = $2 WHERE item_id = $1 AND price_level = 'Tier 3' AND customer_id IS NULL AND min_quantity = 1",
      [item, newPrice],
    );
    for (;;) {
      const [shown] = await buyerUnitPrices(
        storeDb,
        location,
        [{ variantId: v.id, basePrice: v.price, quantity: 1 }],
        'USD',
      );
      if (shown === newPrice) break;
      if (Date.now() - t0 > 60_000) throw new Error(`price of PROD-${item} never reached the store`);
      await sleep(20);
    }
    latencies.push(Date.now() - t0);
  }
  stop = true;
  await loop;
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `ERP price change → store price (${latencies.length} changes, poll ${opts.poll} ms): p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms\n`,
  );

  const out = path.join(__dirname, 'results', 'pricing.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    `${JSON.stringify(
      {
        benchmark: 'pricing',
        measuredAt: new Date().toISOString(),
        machine: describeMachine(),
        loadAverage: { before: loadBefore, after: os.loadavg() },
        settings: {
          skus,
          customers,
          restoreRate,
          bucket,
          changes: Number(opts.changes),
          pollMs: Number(opts.poll),
        },
        fullResync: {
          seconds,
          levels: levels.length,
          levelsSeconds,
          catalogs: lists,
          fixedPrices: written,
          graphqlCalls: resync.calls,
          costPoints: resync.points,
          floorSeconds: floor,
          ratioToFloor: floor > 0 ? seconds / floor : null,
          bucketWaitSeconds: waitedSeconds,
          storeCallSeconds: resync.ms / 1000,
          paced: resync.paced,
          throttled: resync.throttled,
          benchCpuSeconds: (cpu.user + cpu.system) / 1e6,
        },
        incremental: {
          changes: latencies.length,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          maxMs: latencies.at(-1) ?? null,
        },
        distributions: [distribution('ERP price change → price a buyer is shown', latencies)],
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`results written to ${path.relative(process.cwd(), out)}\n`);

  for (const s of servers) s.close();
  await store.close();
  await Promise.all([db.end(), erpDb.end(), storeDb.end()]);
  await dropDatabase(url);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
