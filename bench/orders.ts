import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { orderWorkflowId } from '../domain/ids';
import { mappingRepository } from '../db/mappings';
import { percentile, startBenchStack } from './_stack';

/**
 * Webhook → ERP sales order at a sustained rate on the whole stack: the sandbox store emits signed
 * orders/create webhooks (with duplicate deliveries), the API signals order workflows, a worker creates
 * the sales orders in the sandbox ERP over its REST dialect at the configured latency.
 */
const o = new Command()
  .name('bench orders')
  .option('--rate <n>', 'orders per second', '20')
  .option('--duration <s>', 'seconds of load', '30')
  .option('--customers <n>', 'buying customers', '20')
  .option('--erp-latency-min <ms>', 'sandbox ERP latency, lower bound', '20')
  .option('--erp-latency-max <ms>', 'sandbox ERP latency, upper bound', '80')
  .option('--erp-limit <n>', 'sandbox ERP account concurrency limit (429 above)', '15')
  .option('--erp-concurrency <n>', "connector's concurrency budget", '10')
  .option('--duplicates <rate>', 'share of webhooks the store delivers twice', '0.1')
  .parse()
  .opts<Record<string, string>>();

const rate = Number(o.rate);
const duration = Number(o.duration);
const customers = Number(o.customers);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  process.stdout.write('starting Temporal, PostgreSQL database, sandbox ERP and store, API and worker…\n');
  const stack = await startBenchStack({
    skus: 200,
    customers: Math.max(customers, 25),
    faults: { latencyMinMs: Number(o.erpLatencyMin), latencyMaxMs: Number(o.erpLatencyMax), concurrencyLimit: Number(o.erpLimit) },
    erpConcurrency: Number(o.erpConcurrency),
    erpPollEvery: '1s',
    storeDuplicateRate: Number(o.duplicates),
  });
  try {
    const mappings = mappingRepository(stack.db);
    const skus = Array.from({ length: 20 }, (_, k) => k + 1);
    for (const n of skus) await stack.sim('/sandbox/products', { sku: `PROD-${n}`, price: '3.00' });
    await mappings.upsertSkus(stack.store, skus.map((n) => ({ storeSku: `PROD-${n}`, erpSku: `P${n}` })));
    const buyers: { email: string; erp: string }[] = [];
    for (let n = 1; n <= customers; n++) {
      // Customers with no credit limit on file (every 25th) would wait for an approver; skip them.
      const erpId = n % 25 === 0 ? customers + n : n;
      const email = `ap@customer${erpId}.example.com`;
      const c = await stack.sim<{ customerId: string }>('/sandbox/customers', { email });
      await mappings.upsertCustomer(stack.store, c.customerId, String(erpId));
      buyers.push({ email, erp: String(erpId) });
    }

    await stack.erpAdmin('POST', '/stats/reset');
    await sleep(3000);
    const idle = await stack.erpAdmin<{ requests: number }>('GET', '/stats');
    const idleCallsPerSecond = idle.requests / 3;

    const total = Math.round(rate * duration);
    process.stdout.write(`sending ${total} orders at ${rate}/s…\n`);
    await stack.erpAdmin('POST', '/stats/reset');
    const sentAt = new Map<string, number>();
    const storeOrder = new Map<string, string>();
    const t0 = Date.now();
    const sends: Promise<void>[] = [];
    let failedSends = 0;
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const po = `BENCH-${i}`;
      const buyer = buyers[i % buyers.length]!;
      sentAt.set(po, Date.now());
      sends.push(
        stack
          .sim<{ orderId: string }>('/sandbox/orders', {
            customerEmail: buyer.email,
            poNumber: po,
            lines: [
              { sku: `PROD-${(i % 20) + 1}`, quantity: 2 },
              { sku: `PROD-${((i + 7) % 20) + 1}`, quantity: 1 },
            ],
          })
          .then((r) => void storeOrder.set(po, r.orderId))
          .catch(() => void failedSends++),
      );
    }
    await Promise.all(sends);
    const sentDone = Date.now();

    type Row = { po: string; n: number; created: Date };
    let rows: Row[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      rows = (
        await stack.erpDb.query<Row>(
          `SELECT other_ref_num AS po, count(*)::int AS n, min(tran_date) AS created FROM ${stack.erpSchema}.txn
            WHERE type = 'SalesOrd' AND other_ref_num LIKE 'BENCH-%' GROUP BY other_ref_num`,
        )
      ).rows;
      if (rows.length >= total - failedSends) break;
      await sleep(500);
    }
    const stats = await stack.erpAdmin<{ requests: number; throttled: number; maxInFlight: number }>('GET', '/stats');
    const lastCreated = Math.max(...rows.map((r) => r.created.getTime()));
    const latencies = rows.map((r) => r.created.getTime() - sentAt.get(r.po)!).sort((a, b) => a - b);
    const duplicates = rows.filter((r) => r.n > 1).length;
    const missing = total - failedSends - rows.length;
    const window = (lastCreated - t0) / 1000;
    const orderCalls = stats.requests - idleCallsPerSecond * window;

    const sample = [...storeOrder.values()].slice(0, 20);
    let events = 0;
    for (const id of sample) {
      const history = await stack.client.workflow.getHandle(orderWorkflowId(stack.store, id)).fetchHistory();
      events += history.events?.length ?? 0;
    }
    const parked = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE attention_reason IS NOT NULL`);

    const result = {
      benchmark: 'orders',
      when: new Date().toISOString(),
      settings: { rate, duration, customers, erpLatencyMs: [Number(o.erpLatencyMin), Number(o.erpLatencyMax)], erpAccountLimit: Number(o.erpLimit), connectorConcurrency: Number(o.erpConcurrency), duplicateDeliveryRate: Number(o.duplicates) },
      ordersSent: total,
      failedSends,
      salesOrdersCreated: rows.length,
      duplicateSalesOrders: duplicates,
      missingSalesOrders: missing,
      parkedOrders: parked.rows[0]!.n,
      webhookToSalesOrderMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN },
      sendSeconds: (sentDone - t0) / 1000,
      ordersPerSecond: rows.length / window,
      erpCallsPerOrder: orderCalls / Math.max(1, rows.length),
      erpPollerCallsPerSecond: idleCallsPerSecond,
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
        `orders: ${total} sent at ${rate}/s (${result.sendSeconds.toFixed(1)} s), ${rows.length} ERP sales orders, ${duplicates} duplicate, ${missing} missing, ${result.parkedOrders} parked`,
        `webhook → ERP sales order   p50 ${ms.p50} ms   p90 ${ms.p90} ms   p99 ${ms.p99} ms   max ${ms.max} ms   (target p99 < 2000 ms: ${ms.p99 < 2000 ? 'met' : 'missed'})`,
        `throughput                  ${result.ordersPerSecond.toFixed(1)} orders/s`,
        `ERP calls per order         ${result.erpCallsPerOrder.toFixed(1)}  (poller ${idleCallsPerSecond.toFixed(1)} calls/s excluded; ${stats.throttled} answered 429; max ${stats.maxInFlight} in flight)`,
        `history events per order    ${result.historyEventsPerOrderUntilErp.toFixed(1)} (until waiting for fulfillment)`,
        `ERP latency ${o.erpLatencyMin}–${o.erpLatencyMax} ms, account limit ${o.erpLimit}, connector budget ${o.erpConcurrency}; ${Number(o.duplicates) * 100}% of webhooks delivered twice`,
        '',
      ].join('\n'),
    );
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench orders failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
