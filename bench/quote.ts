import fs from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { dropDatabase, ensureDatabase, migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { principalRepository } from '../db/principals';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';

/**
 * Checkout quotes (customer price, stock by warehouse, credit headroom) answered from Quayside's
 * caches over HTTP, at a fixed concurrency, on a catalog of the acceptance scenario's size.
 */
const o = new Command()
  .name('bench quote')
  .option('--skus <n>', 'items in the catalog', '100000')
  .option('--customers <n>', 'customers', '520')
  .option('--requests <n>', 'quotes to ask for', '10000')
  .option('--concurrency <n>', 'quotes in flight at once', '4')
  .parse()
  .opts<Record<string, string>>();

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

async function main() {
  const skus = Number(o.skus);
  const customers = Number(o.customers);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', LOG_PRETTY: 'false' });
  const url = new URL(config.DATABASE_URL);
  url.pathname = `/quayside_bench_quote_${Date.now().toString(36)}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const db = createPool(databaseUrl, { max: 10 });
  const store = 'bench-store';
  try {
    const t0 = Date.now();
    const values: Record<string, unknown> = { $1: store, $2: skus, $3: customers };
    for (const statement of SEED) {
      // Renumber the placeholders a statement uses, in order, so each gets exactly its parameters.
      const used = [...new Set(statement.match(/\$[1-3]/g) ?? [])].sort();
      const sql = used.reduce((q, name, i) => q.replaceAll(name, `$${i + 1}`), statement);
      await db.query(
        sql,
        used.map((name) => values[name]),
      );
    }
    const seedSeconds = (Date.now() - t0) / 1000;

    const { apiKey } = await principalRepository(db).create({ name: 'Checkout', role: 'operator' });
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const server = createApp({
      temporal,
      db,
      log: createLogger('bench', { LOG_LEVEL: 'silent', LOG_PRETTY: false }),
      store,
      taskQueuePrefix: 'bench',
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const headers = { authorization: `Bearer ${apiKey}` };

    const total = Number(o.requests);
    const latencies: number[] = [];
    let failed = 0;
    let next = 0;
    const ask = async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const sku = `PROD-${((i * 104_729) % skus) + 1}`;
        const customer = `C${(i % customers) + 1}`;
        const started = performance.now();
        const res = await fetch(`${base}/quote?sku=${sku}&quantity=${(i % 150) + 1}&customer=${customer}`, {
          headers,
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
        if (res.status !== 200) failed++;
      }
    };
    const t1 = performance.now();
    await Promise.all(Array.from({ length: Number(o.concurrency) }, ask));
    const seconds = (performance.now() - t1) / 1000;
    server.close();
    latencies.sort((a, b) => a - b);
    const result = {
      benchmark: 'quote',
      when: new Date().toISOString(),
      catalog: { skus, customers, stockRows: skus * 3, seedSeconds },
      requests: total,
      failed,
      concurrency: Number(o.concurrency),
      quotesPerSecond: total / seconds,
      latencyMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies.at(-1),
      },
      targetP99Ms: 20,
    };
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'results', 'quote.json'), JSON.stringify(result, null, 2) + '\n');
    const ms = result.latencyMs;
    process.stdout.write(
      `checkout quotes from the caches: ${skus} SKUs, ${customers} customers; ${total} quotes at concurrency ${o.concurrency}, ${failed} failed\n` +
        `latency  p50 ${ms.p50.toFixed(2)} ms  p90 ${ms.p90.toFixed(2)} ms  p99 ${ms.p99.toFixed(2)} ms  max ${ms.max!.toFixed(2)} ms  (target p99 < 20 ms: ${ms.p99 < 20 ? 'met' : 'missed'})\n` +
        `throughput ${result.quotesPerSecond.toFixed(0)} quotes/s; ERP calls: 0\n`,
    );
  } finally {
    await db.end();
    await dropDatabase(databaseUrl);
  }
}

const SEED = [
  `INSERT INTO sku_map (store, store_sku, erp_sku) SELECT $1, 'PROD-' || i, 'P' || i FROM generate_series(1, $2::int) i`,
  `INSERT INTO item_cache (erp_sku, erp_id, name, kind, base_price, erp_modified)
     SELECT 'P' || i, i::text, 'Item ' || i, 'inventory', ((i * 7919) % 49900 + 100) / 100.0, now() FROM generate_series(1, $2::int) i`,
  `INSERT INTO price_cache (erp_sku, price_level, min_quantity, unit_price, erp_modified)
     SELECT 'P' || i, lvl, q, round((((i * 7919) % 49900 + 100) / 100.0 * (1 - lvl_n * 0.05 - CASE WHEN q > 1 THEN 0.03 ELSE 0 END))::numeric, 2), now()
       FROM generate_series(1, $2::int) i, (VALUES ('Tier 1', 1), ('Tier 2', 2)) AS l(lvl, lvl_n), (VALUES (1), (100)) AS b(q)`,
  `INSERT INTO price_cache (erp_sku, customer_erp_id, min_quantity, unit_price, erp_modified)
     SELECT DISTINCT ON (1, 2) 'P' || ((c * 7919 + k * 104729) % $2::int + 1), c::text, 1, 1.00 + k, now()
       FROM generate_series(1, $3::int) c, generate_series(0, 19) k
     ON CONFLICT DO NOTHING`,
  `INSERT INTO inventory_cache (erp_sku, location, on_hand, available, erp_modified)
     SELECT 'P' || i, loc::text, (i * loc) % 90, (i * loc) % 80, now() FROM generate_series(1, $2::int) i, generate_series(1, 3) loc`,
  `INSERT INTO customer_map (store, store_customer_id, erp_customer_id) SELECT $1, 'C' || c, c::text FROM generate_series(1, $3::int) c`,
  `INSERT INTO customer_cache (erp_customer_id, company_name, credit_limit, balance, terms, price_level)
     SELECT c::text, 'Customer ' || c, 5000 * (1 + c % 10), (c * 137) % 4000, 'Net 30', CASE c % 3 WHEN 0 THEN 'Tier 1' WHEN 1 THEN 'Tier 2' ELSE NULL END
       FROM generate_series(1, $3::int) c`,
  `ANALYZE`,
];

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench quote failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
