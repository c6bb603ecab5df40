import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { dropDatabase } from '../db/migrate';
import { orderWorkflowId } from '../domain/ids';
import { loadConfig } from '../platform/config';
import { freePort } from '../platform/temporal-server';
import { contractItems, seedCustomer, seedItem, stockedType } from '../sandbox/erp/scenario';

/**
 * Webhook → ERP sales order at a sustained rate, on the system exactly as `npm start` runs it (its
 * own Temporal dev server, database and ports): the sandbox store emits signed orders/create
 * webhooks (some delivered twice), the API signals order workflows, the worker creates the sales
 * orders in the sandbox ERP over its REST dialect at the configured latency.
 */
const o = new Command()
  .name('bench orders')
  .option('--rate <n>', 'orders per second', '20')
  .option('--duration <s>', 'seconds of load', '30')
  .option('--erp-latency-min <ms>', 'sandbox ERP latency, lower bound', '20')
  .option('--erp-latency-max <ms>', 'sandbox ERP latency, upper bound', '80')
  .option('--erp-limit <n>', 'sandbox ERP account concurrency limit (429 above)', '15')
  .option('--erp-concurrency <n>', "connector's concurrency budget", '10')
  .option('--duplicates <rate>', 'share of webhooks the store delivers twice', '0.1')
  .parse()
  .opts<Record<string, string>>();

const rate = Number(o.rate);
const duration = Number(o.duration);
const SKUS = 400;
const CUSTOMERS = 120;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

async function startQuayside(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, '..', 'scripts', 'start.ts')],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: path.join(__dirname, '..'),
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Quayside is running.')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output.slice(-3000)}`)));
  });
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

async function main() {
  const base = loadConfig({ ...process.env, LOG_PRETTY: 'false' });
  const dbUrl = new URL(base.DATABASE_URL);
  dbUrl.pathname = `/quayside_bench_orders_${Date.now().toString(36)}`;
  const databaseUrl = dbUrl.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quayside-bench-'));
  const [apiPort, erpPort, storePort, temporalPort, uiPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    DATABASE_URL: databaseUrl,
    QUAYSIDE_DATA_DIR: dataDir,
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    API_PORT: String(apiPort),
    API_PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
    SANDBOX_ERP_PORT: String(erpPort),
    SANDBOX_STORE_PORT: String(storePort),
    NETSUITE_BASE_URL: `http://127.0.0.1:${erpPort}`,
    SHOPIFY_ADMIN_URL: `http://127.0.0.1:${storePort}`,
    SANDBOX_ERP_SKUS: String(SKUS),
    SANDBOX_ERP_CUSTOMERS: String(CUSTOMERS),
    SANDBOX_ERP_LATENCY_MIN_MS: o.erpLatencyMin,
    SANDBOX_ERP_LATENCY_MAX_MS: o.erpLatencyMax,
    SANDBOX_ERP_CONCURRENCY_LIMIT: o.erpLimit,
    NETSUITE_CONCURRENCY: o.erpConcurrency,
    SANDBOX_STORE_DUPLICATE_RATE: o.duplicates,
    ERP_EVENTS_POLL_SECONDS: '1',
  };
  delete env.TEMPORAL_ADDRESS;
  process.stdout.write('starting Quayside (npm start) on its own ports, database and Temporal server…\n');
  const started = Date.now();
  const quayside = await startQuayside(env);
  process.stdout.write(`up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  const client = new Client({ connection });
  const store = base.QUAYSIDE_STORE;
  const erpAdmin = async <T>(method: string, p: string): Promise<T> =>
    (await (await fetch(`http://127.0.0.1:${erpPort}/admin${p}`, { method })).json()) as T;
  const sim = async <T>(p: string, body: unknown): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${storePort}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${p}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  try {
    // Buyers on the base price level with a credit limit, ordering stocked items they have no contract price for.
    const buyers = Array.from({ length: CUSTOMERS }, (_, k) => seedCustomer(k + 1)).filter(
      (c) => c.priceLevel === 'Base Price' && c.creditLimit !== null && c.parentId === null,
    );
    const items = Array.from({ length: SKUS }, (_, k) => seedItem(k + 1)).filter(
      (i) => stockedType(i.type) && !i.inactive && i.basePriceCents < 20_000,
    );
    const catalogReady = Date.now() + 60_000;
    while (Date.now() < catalogReady) {
      const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM price_cache');
      if (n.rows[0]!.n > 0) break;
      await sleep(500);
    }

    await erpAdmin('POST', '/stats/reset');
    await sleep(3000);
    const idleCallsPerSecond = (await erpAdmin<{ requests: number }>('GET', '/stats')).requests / 3;

    const total = Math.round(rate * duration);
    process.stdout.write(`sending ${total} orders at ${rate}/s from ${buyers.length} buyers…\n`);
    await erpAdmin('POST', '/stats/reset');
    const sentAt = new Map<string, number>();
    const storeOrders: string[] = [];
    let failedSends = 0;
    const sends: Promise<void>[] = [];
    const t0 = Date.now();
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / rate - Date.now();
      if (wait > 0) await sleep(wait);
      const buyer = buyers[i % buyers.length]!;
      const excluded = new Set(contractItems(buyer.id, SKUS));
      const usable = items.filter((it) => !excluded.has(it.id));
      const a = usable[i % usable.length]!;
      const b = usable[(i * 7 + 3) % usable.length]!;
      const po = `BENCH-${i}`;
      sentAt.set(po, Date.now());
      sends.push(
        sim<{ orderId: string }>('/sandbox/orders', {
          customerEmail: buyer.email,
          poNumber: po,
          lines:
            a.id === b.id
              ? [{ sku: `PROD-${a.id}`, quantity: 1 }]
              : [
                  { sku: `PROD-${a.id}`, quantity: 1 },
                  { sku: `PROD-${b.id}`, quantity: 1 },
                ],
        })
          .then((r) => void storeOrders.push(r.orderId))
          .catch(() => void failedSends++),
      );
    }
    await Promise.all(sends);
    const sendSeconds = (Date.now() - t0) / 1000;

    type Row = { po: string; n: number; created: Date };
    let rows: Row[] = [];
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      rows = (
        await db.query<Row>(
          `SELECT other_ref_num AS po, count(*)::int AS n, min(tran_date) AS created FROM sandbox_erp.txn
            WHERE type = 'SalesOrd' AND other_ref_num LIKE 'BENCH-%' GROUP BY other_ref_num`,
        )
      ).rows;
      const parked = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE attention_reason IS NOT NULL`,
      );
      if (rows.length + parked.rows[0]!.n >= total - failedSends) break;
      await sleep(500);
    }
    const stats = await erpAdmin<{ requests: number; throttled: number; maxInFlight: number }>(
      'GET',
      '/stats',
    );
    const parked = await db.query<{ reason: string; n: number }>(
      `SELECT attention_reason AS reason, count(*)::int AS n FROM orders WHERE attention_reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`,
    );
    const parkedTotal = parked.rows.reduce((s, r) => s + r.n, 0);
    const lastCreated = Math.max(...rows.map((r) => r.created.getTime()));
    const latencies = rows.map((r) => r.created.getTime() - sentAt.get(r.po)!).sort((x, y) => x - y);
    const window = (lastCreated - t0) / 1000;
    let events = 0;
    const sample = storeOrders.slice(0, 20);
    for (const id of sample)
      events +=
        (await client.workflow.getHandle(orderWorkflowId(store, id)).fetchHistory()).events?.length ?? 0;

    const result = {
      benchmark: 'orders',
      when: new Date().toISOString(),
      shape:
        'npm start: separate processes for sandbox ERP, sandbox store, worker and API; Temporal dev server (SQLite); PostgreSQL',
      settings: {
        rate,
        duration,
        erpLatencyMs: [Number(o.erpLatencyMin), Number(o.erpLatencyMax)],
        erpAccountLimit: Number(o.erpLimit),
        connectorConcurrency: Number(o.erpConcurrency),
        duplicateDeliveryRate: Number(o.duplicates),
      },
      ordersSent: total,
      failedSends,
      salesOrdersCreated: rows.length,
      duplicateSalesOrders: rows.filter((r) => r.n > 1).length,
      missingOrders: total - failedSends - rows.length - parkedTotal,
      parkedOrders: parked.rows,
      webhookToSalesOrderMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? NaN,
      },
      sendSeconds,
      ordersPerSecond: rows.length / window,
      erpCallsPerOrder: (stats.requests - idleCallsPerSecond * window) / Math.max(1, rows.length),
      erpBackgroundCallsPerSecond: idleCallsPerSecond,
      erp429s: stats.throttled,
      erpMaxInFlight: stats.maxInFlight,
      historyEventsPerOrderUntilErp: events / Math.max(1, sample.length),
      targetP99Ms: 2000,
    };
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'results', 'orders.json'), JSON.stringify(result, null, 2) + '\n');
    const ms = result.webhookToSalesOrderMs;
    process.stdout.write(
      [
        '',
        `orders: ${total} sent at ${rate}/s over ${sendSeconds.toFixed(1)} s → ${rows.length} ERP sales orders; ${result.duplicateSalesOrders} duplicate, ${result.missingOrders} missing, ${parkedTotal} parked`,
        ...parked.rows.map((r) => `  parked ×${r.n}: ${r.reason}`),
        `webhook → ERP sales order   p50 ${ms.p50} ms   p90 ${ms.p90} ms   p99 ${ms.p99} ms   max ${ms.max} ms   (target p99 < 2000 ms: ${ms.p99 < 2000 ? 'met' : 'missed'})`,
        `throughput                  ${result.ordersPerSecond.toFixed(1)} orders/s`,
        `ERP calls per order         ${result.erpCallsPerOrder.toFixed(1)}  (background polling ${idleCallsPerSecond.toFixed(1)} calls/s excluded; ${stats.throttled} answered 429; max ${stats.maxInFlight} in flight)`,
        `history events per order    ${result.historyEventsPerOrderUntilErp.toFixed(1)} (until it waits for fulfillment)`,
        `ERP latency ${o.erpLatencyMin}–${o.erpLatencyMax} ms, account limit ${o.erpLimit}, connector budget ${o.erpConcurrency}; ${Number(o.duplicates) * 100}% of webhooks delivered twice`,
        '',
      ].join('\n'),
    );
  } finally {
    await connection.close();
    await db.end();
    quayside.kill('SIGINT');
    await new Promise((r) => quayside.once('exit', r));
    await dropDatabase(databaseUrl).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench orders failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
