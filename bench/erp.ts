import fs from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Command } from 'commander';
import { ConcurrencyBudget, createNetSuiteClient, type NetSuiteClient } from '../connectors/netsuite';
import { ensureDatabase } from '../db/migrate';
import { loadConfig } from '../platform/config';
import { createErpSandbox } from '../sandbox/erp/app';
import { createSandboxPool, migrateSandboxErp } from '../sandbox/erp/db';
import { isSeeded, seedSandboxErp } from '../sandbox/erp/seed';

/**
 * SuiteQL page throughput and sales-order creates per second against the sandbox ERP at a fixed
 * latency, each compared with its theoretical floor: calls × latency ÷ concurrency.
 */
const opts = new Command()
  .name('bench erp')
  .option('--latency <ms>', 'sandbox latency per request', '50')
  .option('--concurrency <n>', 'account concurrency limit = connector budget', '5')
  .option('--orders <n>', 'sales orders to create', '200')
  .option('--page-size <n>', 'SuiteQL page size', '1000')
  .option('--schema <name>', 'sandbox schema to use (seeded on first run)', 'sandbox_erp_bench')
  .parse()
  .opts<{ latency: string; concurrency: string; orders: string; pageSize: string; schema: string }>();

const latency = Number(opts.latency);
const concurrency = Number(opts.concurrency);
const orders = Number(opts.orders);
const pageSize = Number(opts.pageSize);

interface Row {
  scenario: string;
  calls: number;
  seconds: number;
  perSecond: number;
  unit: string;
  floorSeconds: number;
  ratioToFloor: number;
}

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  await ensureDatabase(config.DATABASE_URL);
  await migrateSandboxErp(config.DATABASE_URL, opts.schema);
  const db = createSandboxPool(config.DATABASE_URL, opts.schema, Math.max(10, concurrency * 2));
  if (!(await isSeeded(db))) {
    process.stdout.write(`seeding ${config.SANDBOX_ERP_SKUS} SKUs into ${opts.schema} …\n`);
    await seedSandboxErp(db, { skus: config.SANDBOX_ERP_SKUS, customers: config.SANDBOX_ERP_CUSTOMERS });
  }
  const credentials = {
    accountId: 'BENCH',
    consumerKey: 'bench-ck',
    consumerSecret: 'bench-cs',
    tokenId: 'bench-t',
    tokenSecret: 'bench-ts',
  };
  const sandbox = createErpSandbox({
    db,
    credentials,
    faults: {
      concurrencyLimit: concurrency,
      latencyMinMs: latency,
      latencyMaxMs: latency,
      errorRate: 0,
      outages: [],
    },
  });
  const server = sandbox.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client: NetSuiteClient = createNetSuiteClient({
    ...credentials,
    baseUrl,
    concurrency,
    budget: new ConcurrencyBudget(concurrency),
  });
  const rows: Row[] = [];
  const record = (
    scenario: string,
    calls: number,
    units: number,
    unit: string,
    ms: number,
    parallel: number,
  ) => {
    const floorSeconds = (calls * latency) / parallel / 1000;
    rows.push({
      scenario,
      calls,
      seconds: ms / 1000,
      perSecond: units / (ms / 1000),
      unit,
      floorSeconds,
      ratioToFloor: ms / 1000 / floorSeconds,
    });
  };

  try {
    const total = (await client.suiteql('SELECT id FROM item', { limit: 1 })).totalResults;
    const pages = Math.ceil(total / pageSize);

    // Offset paging: every page requested at once, the budget keeps `concurrency` in flight.
    sandbox.faults.resetStats();
    let t = performance.now();
    const fetched = await Promise.all(
      Array.from({ length: pages }, (_, p) =>
        client.suiteql(
          'SELECT id, itemid, displayname, itemtype, parent, baseprice, isinactive FROM item ORDER BY id',
          { limit: pageSize, offset: p * pageSize },
        ),
      ),
    );
    record(
      `SuiteQL item pages, offset paging ×${concurrency}`,
      pages,
      pages,
      'pages/s',
      performance.now() - t,
      concurrency,
    );
    if (fetched.reduce((s, p) => s + p.items.length, 0) !== total) throw new Error('offset paging lost rows');

    // The ErpPort cursor: one page after another.
    t = performance.now();
    let cursor: string | null = null;
    let seqPages = 0;
    const bulk = client.withPriority('bulk');
    for (;;) {
      const page = await bulk.listItems(cursor, pageSize);
      seqPages++;
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    record('listItems cursor, sequential', seqPages, seqPages, 'pages/s', performance.now() - t, 1);

    // Sales orders: POST (204 + Location) then GET with sublists, all submitted at once.
    const runId = Date.now().toString(36);
    await client.createSalesOrder({
      externalId: `bench:${runId}:warm`,
      customerErpId: '1',
      currency: 'USD',
      lines: [{ lineKey: '1', sku: 'P101', quantity: 1, rate: '1.00', location: '1' }],
    });
    sandbox.faults.resetStats();
    t = performance.now();
    await Promise.all(
      Array.from({ length: orders }, (_, i) =>
        client.createSalesOrder({
          externalId: `bench:${runId}:${i}`,
          customerErpId: String((i % 500) + 1),
          poNumber: `PO-${i}`,
          currency: 'USD',
          lines: [
            { lineKey: '1', sku: 'P101', quantity: 1, rate: '10.00', location: '1' },
            { lineKey: '2', sku: 'P1002', quantity: 2, rate: '4.50', location: '2' },
          ],
        }),
      ),
    );
    record(
      `createSalesOrder ×${concurrency} (POST + GET each)`,
      orders * 2,
      orders,
      'orders/s',
      performance.now() - t,
      concurrency,
    );
    const stats = sandbox.faults.stats();

    const table = rows.map((r) => ({
      scenario: r.scenario,
      calls: r.calls,
      seconds: r.seconds.toFixed(2),
      rate: `${r.perSecond.toFixed(1)} ${r.unit}`,
      'floor s': r.floorSeconds.toFixed(2),
      'x floor': r.ratioToFloor.toFixed(2),
    }));
    process.stdout.write(
      `\nsandbox ERP at ${latency} ms latency, concurrency ${concurrency}, ${total} items, page size ${pageSize}\n`,
    );
    console.table(table);
    process.stdout.write(
      `429s during order creation: ${stats.throttled}; most requests on the wire at once: ${stats.maxOpen}\n`,
    );
    const out = path.join(__dirname, 'results', 'erp.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      `${JSON.stringify({ benchmark: 'erp', at: new Date().toISOString(), latencyMs: latency, concurrency, items: total, pageSize, rows, throttledDuringOrders: stats.throttled, maxOpen: stats.maxOpen }, null, 2)}\n`,
    );
    process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
    if (stats.throttled)
      throw new Error(`the sandbox ERP answered 429 ${stats.throttled} times within the budget`);
  } finally {
    server.closeAllConnections();
    server.close();
    await db.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench erp: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
