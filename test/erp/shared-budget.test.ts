import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ConcurrencyBudget, type NetSuiteClient } from '../../connectors/netsuite';
import { PostgresErpBudget } from '../../db/erp-budget';
import { createPool, type Db } from '../../db/pool';
import type { ErpSalesOrderInput } from '../../domain/erp';
import { startErpSandbox, type RunningErpSandbox } from './harness';

/** Each "worker process" has a pool and a budget of its own, as three replicas of workers/main.ts do. */
interface Replica {
  db: Db;
  budget: PostgresErpBudget;
}

let erp: RunningErpSandbox;
const pools: Db[] = [];
const budgets: PostgresErpBudget[] = [];

async function replica(
  key: string,
  size: number,
  leaseMs = 60_000,
  opts: { pollMs?: number; requestMs?: number } = {},
): Promise<Replica> {
  const db = createPool(inject('databaseUrl'), { max: 4 });
  pools.push(db);
  // As workers/main.ts opens it: a request holds its slot for at most `requestMs`, shorter than the lease.
  const budget = await PostgresErpBudget.open(db, {
    key,
    size,
    leaseMs,
    requestMs: opts.requestMs ?? leaseMs / 2,
    pollMs: opts.pollMs ?? 50,
  });
  budgets.push(budget);
  return { db, budget };
}

beforeAll(async () => {
  erp = await startErpSandbox({ skus: 300, customers: 20 });
}, 180_000);
afterAll(async () => {
  for (const b of budgets) await b.close().catch(() => undefined);
  for (const p of pools) await p.end().catch(() => undefined);
  await erp?.close();
});

let seq = 0;
const order = (): ErpSalesOrderInput => ({
  externalId: `shopify:budget-${randomUUID()}-${++seq}`,
  customerErpId: '12',
  poNumber: `PO-B${seq}`,
  currency: 'USD',
  lines: [{ lineKey: 'L1', sku: 'P101', quantity: 1, rate: '5.00', location: '1' }],
});

async function burst(clients: NetSuiteClient[], perClient: number) {
  erp.sandbox.faults.resetStats();
  const created = await Promise.all(
    clients.flatMap((c) => Array.from({ length: perClient }, () => c.createSalesOrder(order()))),
  );
  return { created, stats: erp.sandbox.faults.stats() };
}

describe('one ERP budget for every worker process', () => {
  it('keeps three workers together under an account limit of 15: no 429 at all', async () => {
    erp.sandbox.faults.update({ concurrencyLimit: 15, latencyMinMs: 20, latencyMaxMs: 60 });
    try {
      const key = `${erp.url}|budget-${randomUUID()}`;
      const replicas = await Promise.all([replica(key, 15), replica(key, 15), replica(key, 15)]);
      const clients = replicas.map((r) => erp.client({ budget: r.budget, maxRetries: 0 }));
      const { created, stats } = await burst(clients, 40);
      expect(new Set(created.map((o) => o.erpId)).size).toBe(120);
      expect(stats.throttled).toBe(0);
      expect(stats.maxInFlight).toBeLessThanOrEqual(15);
      // The budget is used, not just respected: requests from the three workers overlap.
      expect(stats.maxInFlight).toBeGreaterThan(5);
    } finally {
      erp.sandbox.faults.update({ concurrencyLimit: 0, latencyMinMs: 0, latencyMaxMs: 0 });
    }
  });

  it('is what makes the difference: three process-local budgets of 15 draw 429s', async () => {
    erp.sandbox.faults.update({ concurrencyLimit: 15, latencyMinMs: 20, latencyMaxMs: 60 });
    try {
      const clients = [0, 1, 2].map(() => erp.client({ budget: new ConcurrencyBudget(15), maxRetries: 0 }));
      erp.sandbox.faults.resetStats();
      await Promise.allSettled(
        clients.flatMap((c) => Array.from({ length: 40 }, () => c.createSalesOrder(order()))),
      );
      expect(erp.sandbox.faults.stats().throttled).toBeGreaterThan(0);
    } finally {
      erp.sandbox.faults.update({ concurrencyLimit: 0, latencyMinMs: 0, latencyMaxMs: 0 });
    }
  });

  it("counts the ERP's requests by kind, and tells the worker how long each waited for its slot", async () => {
    const key = `${erp.url}|budget-${randomUUID()}`;
    const r = await replica(key, 2);
    const waits: number[] = [];
    const client = erp.client({ budget: r.budget, onBudgetWait: (ms) => waits.push(ms) });
    await erp.admin('POST', '/stats/reset');
    await Promise.all([
      client.createSalesOrder(order()),
      client.createSalesOrder(order()),
      client.getCustomer('12'),
    ]);
    const { body } = await erp.admin<{ byKind: Record<string, number> }>('GET', '/stats');
    // Each sales order is a POST and the GET that reads it back.
    expect(body.byKind['POST salesOrder']).toBe(2);
    expect(body.byKind['GET salesOrder']).toBe(2);
    expect(body.byKind['GET customer']).toBe(1);
    expect(waits.length).toBe(Object.values(body.byKind).reduce((sum, n) => sum + n, 0));
    expect(waits.every((ms) => ms >= 0 && ms < 5_000)).toBe(true);
  });

  it('keeps the last slot for order calls, whichever worker runs the bulk sync', async () => {
    const key = `budget-priority-${randomUUID()}`;
    const [a, b] = await Promise.all([replica(key, 3), replica(key, 3)]);
    const bulk1 = await a.budget.acquire('bulk');
    const bulk2 = await a.budget.acquire('bulk');
    let thirdBulk = false;
    const pending = b.budget.acquire('bulk').then((release) => ((thirdBulk = true), release));
    const interactive = await b.budget.acquire('interactive');
    expect(thirdBulk).toBe(false);
    bulk1();
    const bulk3 = await pending;
    expect(thirdBulk).toBe(true);
    for (const release of [bulk2, bulk3, interactive]) release();
  });

  it('grants a freed slot at once, to a request waiting in the same worker or in another one', async () => {
    const key = `budget-wake-${randomUUID()}`;
    // Waiters that would poll only once a minute: a prompt grant is the release's own doing.
    const [a, b] = await Promise.all([
      replica(key, 1, 60_000, { pollMs: 60_000 }),
      replica(key, 1, 60_000, { pollMs: 60_000 }),
    ]);
    const first = await a.budget.acquire('interactive');
    const sameWorker = a.budget.acquire('interactive');
    let t = Date.now();
    first();
    const second = await sameWorker;
    expect(Date.now() - t).toBeLessThan(100);
    const otherWorker = b.budget.acquire('interactive');
    await new Promise((r) => setTimeout(r, 100)); // b has looked, found none free, and sleeps
    t = Date.now();
    second();
    const third = await otherWorker;
    expect(Date.now() - t).toBeLessThan(2_000);
    third();
    expect(a.budget.stats().handedOn).toBe(1);
  });

  it('keeps handing a freed slot to its own next request only until another worker waits for one', async () => {
    const key = `budget-turn-${randomUUID()}`;
    const [a, b] = await Promise.all([replica(key, 1), replica(key, 1)]);
    let release = await a.budget.acquire('interactive');
    // Worker a alone, always with its next request waiting: the slot passes from one to the next
    // inside the worker, without going back to the table each time.
    for (let k = 0; k < 5; k++) {
      const next = a.budget.acquire('interactive');
      await new Promise((r) => setTimeout(r, 20));
      release();
      release = await next;
    }
    expect(a.budget.stats().claimed).toBe(1);
    // Worker b now waits too. Worker a goes on as before, yet b is served within a few of a's
    // requests: b says it waits, and a gives its freed slot back to the table for b to claim.
    const bTurn = b.budget.acquire('interactive');
    const started = Date.now();
    for (;;) {
      const next = a.budget.acquire('interactive');
      await new Promise((r) => setTimeout(r, 20));
      release();
      const got = await Promise.race([next, bTurn.then(() => null)]);
      if (got) {
        release = got;
        expect(Date.now() - started).toBeLessThan(1_000);
        continue;
      }
      expect(Date.now() - started).toBeLessThan(600);
      (await bTurn)();
      (await next)();
      break;
    }
  });

  it('gets back the slots of a worker that died holding them once their lease runs out', async () => {
    const key = `budget-lease-${randomUUID()}`;
    const dead = await replica(key, 1, 300);
    await dead.budget.acquire('interactive'); // never released: the process is gone
    const alive = await replica(key, 1, 300);
    const started = Date.now();
    const release = await alive.budget.acquire('interactive');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    release();
  });
});
