import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { NetSuiteClient } from '../../connectors/netsuite';
import type { Db } from '../../db/pool';
import type { ErpSalesOrderInput } from '../../domain/erp';
import { createErpSandbox } from '../../sandbox/erp/app';
import { createSandboxPool } from '../../sandbox/erp/db';
import { seedOnHand } from '../../sandbox/erp/scenario';
import { CREDENTIALS, NO_FAULTS, startErpSandbox, type RunningErpSandbox } from '../erp/harness';

/**
 * The sandbox ERP stands in for NetSuite's servers but shares the benchmark machine's cores with
 * Quayside, so what it runs per order is Quayside's loss: the order path (the customer read twice,
 * the sales order created and read back) must stay a handful of statements whatever the order's
 * size. Counted at the pool the sandbox queries through.
 */

/** Records the statements run on `db`'s connections while `fn` runs. */
function statementLog(db: Db) {
  let log: string[] | null = null;
  const wrapped = new WeakSet<object>();
  const watch = <C extends { query: unknown }>(client: C): C => {
    if (client && !wrapped.has(client)) {
      wrapped.add(client);
      const query = (client.query as (...a: unknown[]) => unknown).bind(client);
      client.query = (...a: unknown[]) => {
        const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string } | undefined)?.text;
        if (log && text) log.push(text.replace(/\s+/g, ' ').trim());
        return query(...a);
      };
    }
    return client;
  };
  // pg's pool hands out connections to a callback (pool.query) or as a promise (the sandbox's transactions).
  const connect = db.connect.bind(db) as (cb?: (...a: unknown[]) => void) => unknown;
  (db as { connect: unknown }).connect = (cb?: (err: unknown, client: never, done: unknown) => void) =>
    cb
      ? connect((err, client, done) => cb(err, (client && watch(client as never)) as never, done))
      : (connect() as Promise<{ query: unknown }>).then(watch);
  return async (fn: () => Promise<unknown>): Promise<string[]> => {
    log = [];
    try {
      await fn();
      return log;
    } finally {
      log = null;
    }
  };
}

describe('the sandbox ERP on the order path', () => {
  let erp: RunningErpSandbox;
  let client: NetSuiteClient;
  let during: ReturnType<typeof statementLog>;

  beforeAll(async () => {
    erp = await startErpSandbox({ skus: 60, customers: 12 });
    client = erp.client();
    during = statementLog(erp.db);
  });
  afterAll(async () => {
    await erp?.close();
  });

  it('reads a customer in one statement, with no transaction around it', async () => {
    let name: string | undefined;
    const statements = await during(async () => {
      name = (await client.getCustomer('3'))?.companyName;
    });
    expect(name).toEqual(expect.any(String));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT c\.\*.* FROM customer c .*WHERE c\.id = \$1$/);
  });

  it('creates a sales order of any size in BEGIN, two statements and COMMIT, and reads it back in one', async () => {
    const onHand = seedOnHand(1, 1);
    const input: ErpSalesOrderInput = {
      externalId: 'shopify:statements-1',
      customerErpId: '4',
      poNumber: 'PO-STATEMENTS',
      terms: 'Net 15',
      currency: 'USD',
      lines: [
        // The same stock twice: the first line takes what it can, the second what is left, the rest backordered.
        { lineKey: 'L1', sku: 'P1', quantity: onHand - 5, rate: '10.00', location: '1' },
        { lineKey: 'L2', sku: 'P1', quantity: 10, rate: '10.00', location: '1' },
        { lineKey: 'L3', sku: 'P2', quantity: 1, rate: '3.99', location: '2' },
        { lineKey: 'L4', sku: 'P3', quantity: 2, rate: '0.50', location: '3' },
        { lineKey: 'L5', sku: 'P6', quantity: 1, rate: '19.95', location: '1' },
      ],
      shipping: { method: null, storeMethod: 'Standard', cost: '9.50' },
      tax: { lines: [{ title: 'NV', rate: '0.0685', amount: '2.04' }] },
    };
    // The connector looks the SKUs and terms up once (SuiteQL): an order from another warehouse first.
    await client.createSalesOrder({
      ...input,
      externalId: 'shopify:statements-warm-up',
      lines: input.lines.map((l) => ({ ...l, quantity: 1, location: '3' })).slice(1),
    });
    let so: Awaited<ReturnType<NetSuiteClient['createSalesOrder']>> | undefined;
    const statements = await during(async () => {
      so = await client.createSalesOrder(input);
    });
    expect(statements.map((s) => s.split(' ').slice(0, 3).join(' '))).toEqual([
      'BEGIN',
      'WITH wanted AS',
      'WITH new_id AS',
      'COMMIT',
      'SELECT t.*, c.company_name,',
    ]);
    expect(statements.join('\n')).not.toMatch(/set_config|UPDATE txn/);
    expect(so!.lines.map((l) => [l.lineKey, l.quantity, l.quantityBackOrdered])).toEqual([
      ['L1', onHand - 5, 0],
      ['L2', 10, 5],
      ['L3', 1, 0],
      ['L4', 2, 0],
      ['L5', 1, 0],
    ]);
    // Σ lines 10 × (onHand + 5) + 3.99 + 1.00 + 19.95, shipping 9.50 and tax 2.04, to the cent.
    const goods = 10 * (onHand + 5) + 3.99 + 1 + 19.95;
    expect(so!.totals).toMatchObject({
      subtotal: goods.toFixed(2),
      shippingCost: '9.50',
      taxTotal: '2.04',
      total: (goods + 9.5 + 2.04).toFixed(2),
    });
  });

  it('refuses an id too long for the record ids as a missing record, not a server error', async () => {
    await expect(client.getCustomer('99999999999')).resolves.toBeNull();
  });

  it('sets the account time zone per transaction only on a pool opened in another zone', async () => {
    const utc = createSandboxPool(inject('databaseUrl'), erp.schema, 2);
    const other = createErpSandbox({
      db: utc,
      credentials: CREDENTIALS,
      faults: NO_FAULTS,
      preferences: erp.preferences,
    });
    const server: Server = other.app.listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      const otherClient = erp.client({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
      const otherDuring = statementLog(utc);
      const q =
        "SELECT TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS at, lastmodifieddate FROM customer WHERE id = 5";
      let zoned: unknown;
      let perTransaction: unknown;
      const a = await during(async () => {
        zoned = (await client.suiteql(q)).items;
      });
      const b = await otherDuring(async () => {
        perTransaction = (await otherClient.suiteql(q)).items;
      });
      expect(perTransaction).toEqual(zoned);
      expect(a.some((s) => /set_config|BEGIN/.test(s))).toBe(false);
      expect(b).toContain("SELECT set_config('timezone', $1, true)");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await utc.end();
    }
  });
});
