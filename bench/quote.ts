import fs from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import express from 'express';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { dropDatabase, ensureDatabase, migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { principalRepository } from '../db/principals';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { distribution, sleep, summarize, type Summary } from './_stats';

/**
 * Checkout quotes (customer price, stock by warehouse, credit headroom) answered by Quayside's API
 * over HTTP at a fixed rate (open loop: request i leaves at i/rate whether or not earlier ones were
 * answered), on a catalog of the acceptance scenario's size; beside it, at the same rate in the same
 * run, a bare Express endpoint answering the same quote body from a constant: the baseline. The two
 * are measured alternately (A B A B) so load on the machine falls on both alike.
 */
const o = new Command()
  .name('bench quote')
  .option('--skus <n>', 'items in the catalog', '100000')
  .option('--customers <n>', 'customers', '520')
  .option('--rate <n>', 'quotes per second', '500')
  .option('--duration <s>', 'measured seconds per endpoint (in two halves)', '10')
  .option('--warmup <s>', 'unmeasured seconds on each endpoint first', '2')
  .option('--timeout <ms>', 'an answer slower than this counts as timed out, at this latency', '2000')
  .parse()
  .opts<Record<string, string>>();

const rate = Number(o.rate);
const timeoutMs = Number(o.timeout);

/**
 * Open-loop load on `base` for `seconds`; the latencies of 200 answers and the count of others. A
 * request not answered within `--timeout` is abandoned and counted as timed out, at that latency (a
 * lower bound): an endpoint that cannot keep up shows it in its p99, and the run still ends on time
 * instead of waiting for its backlog.
 */
async function load(base: string, headers: Record<string, string>, seconds: number, offset: number) {
  const skus = Number(o.skus);
  const customers = Number(o.customers);
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  let timedOut = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let k = 0; k < total; k++) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const i = offset + k;
    const sku = `PROD-${((i * 104_729) % skus) + 1}`;
    const customer = `C${(i % customers) + 1}`;
    const started = performance.now();
    pending.push(
      fetch(`${base}/quote?sku=${sku}&quantity=${(i % 150) + 1}&customer=${customer}`, {
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status === 200) latencies.push(performance.now() - started);
          else failed++;
        },
        (err: unknown) => {
          if ((err as Error).name !== 'TimeoutError') failed++;
          else {
            timedOut++;
            latencies.push(timeoutMs);
          }
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, failed, timedOut, seconds: (performance.now() - t0) / 1000 };
}

async function main() {
  const loadAtStart = os.loadavg();
  const skus = Number(o.skus);
  const customers = Number(o.customers);
  const duration = Number(o.duration);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', LOG_PRETTY: 'false' });
  const url = new URL(config.DATABASE_URL);
  url.pathname = `/quayside_bench_quote_${Date.now().toString(36)}`;
  const databaseUrl = url.toString();
  process.stdout.write(`migrating ${url.pathname.slice(1)}…\n`);
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  process.stdout.write(`seeding ${skus} SKUs, ${customers} customers…\n`);
  const db = createPool(databaseUrl, { max: 10 });
  const store = 'bench-store';
  const servers: Server[] = [];
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
    const app = createApp({
      temporal,
      db,
      log: createLogger('bench', { LOG_LEVEL: 'silent', LOG_PRETTY: false }),
      store,
      taskQueuePrefix: 'bench',
    });
    servers.push(app.listen(0, '127.0.0.1'));
    await once(servers[0]!, 'listening');
    const quayside = `http://127.0.0.1:${(servers[0]!.address() as AddressInfo).port}`;
    const headers = { authorization: `Bearer ${apiKey}` };

    // The baseline answers every request with one real quote's body, as a constant.
    // The first quote loads the API's in-memory caches (db/quote-cache.ts) from Postgres.
    const loadStarted = performance.now();
    const sample = await fetch(`${quayside}/quote?sku=PROD-1&quantity=3&customer=C1`, { headers });
    const cacheLoadSeconds = (performance.now() - loadStarted) / 1000;
    if (sample.status !== 200)
      throw new Error(`the sample quote answered ${sample.status}: ${await sample.text()}`);
    const body = await sample.text();
    const bare = express();
    bare.get('/quote', (_req, res) => {
      res.type('application/json').send(body);
    });
    servers.push(bare.listen(0, '127.0.0.1'));
    await once(servers[1]!, 'listening');
    const baselineBase = `http://127.0.0.1:${(servers[1]!.address() as AddressInfo).port}`;

    process.stdout.write(
      `seeded in ${seedSeconds.toFixed(1)} s; the first quote loaded the cache in ${cacheLoadSeconds.toFixed(1)} s; warming up both endpoints…\n`,
    );
    const warmup = Number(o.warmup);
    await load(baselineBase, {}, warmup, 500_000);
    await load(quayside, headers, warmup, 600_000);
    const q: number[] = [];
    const b: number[] = [];
    let qFailed = 0;
    let bFailed = 0;
    let qTimedOut = 0;
    let bTimedOut = 0;
    let qSeconds = 0;
    let bSeconds = 0;
    for (let half = 0; half < 2; half++) {
      const rb = await load(baselineBase, {}, duration / 2, half * 100_000);
      b.push(...rb.latencies);
      bFailed += rb.failed;
      bTimedOut += rb.timedOut;
      bSeconds += rb.seconds;
      const rq = await load(quayside, headers, duration / 2, half * 100_000);
      q.push(...rq.latencies);
      qFailed += rq.failed;
      qTimedOut += rq.timedOut;
      qSeconds += rq.seconds;
    }
    const quote = summarize(q);
    const baseline = summarize(b);
    const result = {
      benchmark: 'quote',
      when: new Date().toISOString(),
      catalog: { skus, customers, stockRows: skus * 3, seedSeconds, cacheLoadSeconds },
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
      timeoutMs,
      rate,
      durationSeconds: duration,
      quayside: {
        ...quote,
        failed: qFailed,
        timedOut: qTimedOut,
        achievedRate: (q.length + qFailed) / qSeconds,
      },
      baseline: {
        what: 'bare Express endpoint answering one quote body from a constant',
        ...baseline,
        failed: bFailed,
        timedOut: bTimedOut,
        achievedRate: (b.length + bFailed) / bSeconds,
      },
      ratio: { p50: quote.p50 / baseline.p50, p99: quote.p99 / baseline.p99 },
      target: { p99Ratio: 2 },
      targetMet: quote.p99 / baseline.p99 <= 2 && qFailed === 0 && qTimedOut === 0,
      distributions: [distribution('quote (Quayside)', q), distribution('bare Express endpoint', b)],
    };
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'results', 'quote.json'), JSON.stringify(result, null, 2) + '\n');
    const line = (name: string, s: Summary, failed: number, timedOut: number) =>
      `${name.padEnd(24)} p50 ${s.p50.toFixed(2)} ms  p90 ${s.p90.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  max ${s.max.toFixed(2)} ms  (${s.n - timedOut} ok, ${timedOut} over ${timeoutMs} ms, ${failed} failed)`;
    process.stdout.write(
      `checkout quotes at ${rate}/s, ${skus} SKUs, ${customers} customers, ${duration} s per endpoint\n` +
        `${line('quote (Quayside)', quote, qFailed, qTimedOut)}\n${line('bare Express endpoint', baseline, bFailed, bTimedOut)}\n` +
        `load average ${loadAtStart.map((l) => l.toFixed(1)).join(' / ')} at the start, ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' / ')} at the end (2 cores here: above 2, other work queued for the CPU)\n` +
        `ratio p50 ×${result.ratio.p50.toFixed(2)}, p99 ×${result.ratio.p99.toFixed(2)} (target p99 ≤ ×2: ${result.targetMet ? 'met' : 'NOT met'})\n`,
    );
    if (qFailed > 0 || bFailed > 0)
      throw new Error(`${qFailed} quotes and ${bFailed} baseline requests failed`);
  } finally {
    for (const s of servers) s.close();
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
