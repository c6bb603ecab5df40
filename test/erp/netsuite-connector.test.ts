import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { NetSuiteError, salesOrderField, type NetSuiteClient } from '../../connectors/netsuite';
import { ORDER_FAILURES, erpRejections } from '../../domain/failures';
import { rejectedOrderField } from '../../domain/sales-order';
import type { ErpSalesOrderInput } from '../../domain/erp';
import { startErpSandbox, type RunningErpSandbox } from './harness';

const SKUS = 100_000;
let erp: RunningErpSandbox;
let client: NetSuiteClient;

beforeAll(async () => {
  erp = await startErpSandbox({ skus: SKUS });
  client = erp.client();
}, 180_000);
afterAll(async () => {
  await erp?.close();
});

let seq = 0;
const order = (overrides: Partial<ErpSalesOrderInput> = {}): ErpSalesOrderInput => ({
  externalId: `shopify:${Date.now()}-${++seq}`,
  customerErpId: '12',
  poNumber: `PO-${seq}`,
  projectCode: 'PRJ-7',
  currency: 'USD',
  lines: [
    { lineKey: 'L1', sku: 'P101', quantity: 2, rate: '12.50', location: '1' },
    { lineKey: 'L2', sku: 'P205', quantity: 1, rate: '99.00', location: '1' },
  ],
  ...overrides,
});

describe('NetSuite connector against the sandbox ERP', () => {
  it('seeded the acceptance scenario: 100k items, 3 warehouses, 500+ customers', async () => {
    expect(erp.seed.items).toBe(SKUS);
    const locations = await client.suiteql('SELECT id, name FROM location ORDER BY id');
    expect(locations.items.map((l) => l.name)).toHaveLength(3);
    const customers = await client.suiteql("SELECT COUNT(*) AS n FROM customer WHERE taxable = 'F'");
    expect(Number(customers.items[0]!.n)).toBeGreaterThan(0);
    const all = await client.suiteql('SELECT id FROM customer', { limit: 1 });
    expect(all.totalResults).toBeGreaterThanOrEqual(500);
    const child = await client.getCustomer('451');
    expect(child?.parentErpId).toBe('1');
  });

  it('creates a sales order once for the same external id, even when sent twice at the same time', async () => {
    const input = order();
    const [a, b] = await Promise.all([client.createSalesOrder(input), client.createSalesOrder(input)]);
    const c = await client.createSalesOrder(input);
    expect(a.erpId).toBe(b.erpId);
    expect(c.erpId).toBe(a.erpId);
    expect(a.poNumber).toBe(input.poNumber);
    expect(a.lines.map((l) => [l.lineKey, l.sku, l.quantity])).toEqual([
      ['L1', 'P101', 2],
      ['L2', 'P205', 1],
    ]);
    const count = await client.suiteql(
      `SELECT id FROM transaction WHERE type = 'SalesOrd' AND externalid = '${input.externalId}'`,
    );
    expect(count.totalResults).toBe(1);
    const fetched = await client.getSalesOrder({ externalId: input.externalId });
    expect(fetched?.erpId).toBe(a.erpId);
  });

  it('turns a refused sales order into the typed, non-retryable rejection naming NetSuite’s code, path and the field sent', async () => {
    const refusal = (input: ErpSalesOrderInput) =>
      client.createSalesOrder(input).then(
        () => expect.unreachable('the sandbox accepted the order'),
        (e: unknown) => e as ApplicationFailure,
      );
    const e = await refusal(
      order({ lines: [{ lineKey: 'L1', sku: 'P101', quantity: 0, rate: '1.00', location: '1' }] }),
    );
    expect(e).toBeInstanceOf(ApplicationFailure);
    expect(e.type).toBe(ORDER_FAILURES.erpRejected);
    expect(e.nonRetryable).toBe(true);
    expect(e.message).toMatch(/quantity must be a positive whole number/);
    expect(e.details).toEqual([
      { code: 'USER_ERROR', path: 'item.items[0].quantity', field: 'lines[0].quantity' },
    ]);

    const unknownCustomer = await refusal(order({ customerErpId: '99999999' }));
    expect(erpRejections(unknownCustomer.details)).toEqual([
      { code: 'INVALID_KEY_OR_REF', path: 'entity', field: 'customerErpId' },
    ]);
    // A field the storefront order carries is named as the order field an operator fixes.
    expect(rejectedOrderField(erpRejections(unknownCustomer.details))).toBeUndefined();
    expect(
      rejectedOrderField([
        { code: 'USER_ERROR', path: 'otherRefNum', field: salesOrderField('otherRefNum') },
      ]),
    ).toBe('poNumber');
    expect(salesOrderField('shipAddress.zip')).toBe('shipTo.zip');
    expect(rejectedOrderField([{ code: 'USER_ERROR', path: 'shipAddress.zip', field: 'shipTo.zip' }])).toBe(
      'shippingAddress.zip',
    );

    // Reads that fail for good stay NetSuite errors: only an order write is an order rejection.
    const missing = (await client.getCustomer('not-a-number').catch((x: unknown) => x)) as NetSuiteError;
    expect(missing).toBeInstanceOf(NetSuiteError);
  });

  it('rejects a bad OAuth signature with 401 INVALID_LOGIN', async () => {
    const bad = erp.client({ tokenSecret: 'not-the-secret' });
    const err = (await bad.getCustomer('1').catch((e: unknown) => e)) as NetSuiteError;
    expect(err).toBeInstanceOf(NetSuiteError);
    expect(err.status).toBe(401);
    expect(err.code).toBe('INVALID_LOGIN');
    expect(err.retryable).toBe(false);
    const raw = await fetch(`${erp.url}/services/rest/record/v1/customer/1`);
    expect(raw.status).toBe(401);
    expect(((await raw.json()) as Record<string, unknown>)['o:errorDetails']).toEqual([
      expect.objectContaining({ 'o:errorCode': 'INVALID_LOGIN' }),
    ]);
  });

  it('retries 429s under concurrency pressure and never exceeds its own budget', async () => {
    erp.sandbox.faults.update({ concurrencyLimit: 2, latencyMinMs: 10, latencyMaxMs: 30 });
    erp.sandbox.faults.resetStats();
    try {
      const budgeted = erp.client({ concurrency: 4, maxRetries: 20, backoffBaseMs: 30 });
      const inputs = Array.from({ length: 24 }, () =>
        order({ lines: [{ lineKey: 'L1', sku: 'P333', quantity: 1, rate: '5.00', location: '2' }] }),
      );
      const created = await Promise.all(inputs.map((i) => budgeted.createSalesOrder(i)));
      expect(new Set(created.map((o) => o.erpId)).size).toBe(24);
      const stats = erp.sandbox.faults.stats();
      expect(stats.throttled).toBeGreaterThan(0);
      expect(stats.maxOpen).toBeLessThanOrEqual(4);
      expect(stats.maxInFlight).toBeLessThanOrEqual(2);
      expect(budgeted.budget.stats().peak).toBeLessThanOrEqual(4);
    } finally {
      erp.sandbox.faults.update({ concurrencyLimit: 0, latencyMinMs: 0, latencyMaxMs: 0 });
    }
  });

  it('pages through all 100k items with its cursor', async () => {
    const bulk = client.withPriority('bulk');
    let cursor: string | null = null;
    let count = 0;
    let previous = 0;
    const kinds = new Set<string>();
    let hazmat = 0;
    let variants = 0;
    for (;;) {
      const page = await bulk.listItems(cursor, 1000);
      for (const item of page.items) {
        expect(Number(item.erpId)).toBeGreaterThan(previous);
        previous = Number(item.erpId);
        kinds.add(item.kind);
        if (item.hazmat) hazmat++;
        if (item.parentSku) variants++;
      }
      count += page.items.length;
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    expect(count).toBe(SKUS);
    expect([...kinds].sort()).toEqual(['assembly', 'inventory', 'kit', 'nonInventory', 'serialized']);
    expect(hazmat).toBeGreaterThan(0);
    expect(variants).toBeGreaterThan(0);
    const again = await bulk.listItems(cursor, 1000);
    expect(again.items).toHaveLength(0);
    expect(again.nextCursor).toBe(cursor);
  });

  it('shows shipments and invoices made in the warehouse through the since-cursor queries', async () => {
    const so = await client.createSalesOrder(order());
    const startShip = client.cursorAt(new Date(Date.now() - 2_000));
    const drain = async <T>(
      fn: (c: string | null) => Promise<{ items: T[]; nextCursor: string | null; hasMore: boolean }>,
      from: string,
    ) => {
      const out: T[] = [];
      let c: string | null = from;
      for (;;) {
        const page = await fn(c);
        out.push(...page.items);
        c = page.nextCursor;
        if (!page.hasMore) return { items: out, cursor: c };
      }
    };
    const before = await drain((c) => client.fulfillmentsSince(c), startShip);

    const shipped = await erp.admin('POST', `/sales-orders/eid:${so.externalId}/ship`, {
      location: '1',
      carrier: 'UPS',
      trackingNumbers: ['1Z999AA10123456784'],
      lines: [{ lineKey: 'L1', quantity: 1 }],
    });
    expect(shipped.status).toBe(201);

    const after = await drain((c) => client.fulfillmentsSince(c), before.cursor!);
    const mine = after.items.filter((f) => f.salesOrderExternalId === so.externalId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      salesOrderErpId: so.erpId,
      location: '1',
      carrier: 'UPS',
      trackingNumbers: ['1Z999AA10123456784'],
    });
    expect(mine[0]!.lines).toEqual([{ lineKey: 'L1', sku: 'P101', quantity: 1 }]);
    const partial = await client.getSalesOrder({ erpId: so.erpId });
    expect(partial?.status).toBe('partiallyFulfilled');
    expect(partial?.lines.find((l) => l.lineKey === 'L1')?.quantityFulfilled).toBe(1);

    // The warehouse names orders by their document number, as people do.
    expect((await erp.admin<{ id: string }>('GET', `/sales-orders/${so.tranId}`)).body.id).toBe(so.erpId);
    const invoiced = await erp.admin('POST', `/sales-orders/eid:${so.externalId}/invoice`, {});
    expect(invoiced.status).toBe(201);
    const invoices = await drain((c) => client.invoicesSince(c), startShip);
    const inv = invoices.items.find((i) => i.salesOrderExternalId === so.externalId);
    expect(inv).toMatchObject({ salesOrderErpId: so.erpId, total: '12.50' });
    expect(inv!.lines).toEqual([{ lineKey: 'L1', sku: 'P101', quantity: 1, amount: '12.50' }]);
    expect(inv!.dueDate).toMatch(/^\d{4}-\d\d-\d\d$/);

    // Nothing new: the cursor stays put and returns nothing.
    const idle = await client.fulfillmentsSince(after.cursor);
    expect(idle.items).toHaveLength(0);
    expect(idle.nextCursor).toBe(after.cursor);
  });

  it('reads the serial numbers a fulfillment shipped, one per unit, from its inventory detail', async () => {
    const so = await client.createSalesOrder(order());
    const from = client.cursorAt(new Date(Date.now() - 2_000));
    const wrong = await erp.admin('POST', `/sales-orders/eid:${so.externalId}/ship`, {
      location: '1',
      lines: [{ lineKey: 'L1', quantity: 2, serialNumbers: ['SN-1'] }],
    });
    expect(wrong.status).toBe(400);
    const shipped = await erp.admin('POST', `/sales-orders/eid:${so.externalId}/ship`, {
      location: '1',
      lines: [
        { lineKey: 'L1', quantity: 2, serialNumbers: ['SN-A1', 'SN-A2'] },
        { lineKey: 'L2', quantity: 1 },
      ],
    });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);
    let cursor: string | null = from;
    const seen = [];
    for (;;) {
      const page = await client.fulfillmentsSince(cursor);
      seen.push(...page.items);
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    const mine = seen.filter((f) => f.salesOrderExternalId === so.externalId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.lines).toEqual([
      { lineKey: 'L1', sku: 'P101', quantity: 2, serialNumbers: ['SN-A1', 'SN-A2'] },
      { lineKey: 'L2', sku: 'P205', quantity: 1 },
    ]);
  });

  it('reports stock received at a warehouse through the inventory change cursor, filling backorders first', async () => {
    const cursor = client.cursorAt(new Date(Date.now() - 1_000));
    const so = await client.createSalesOrder(
      order({ lines: [{ lineKey: 'L1', sku: 'P4000', quantity: 5, rate: '3.00', location: '3' }] }),
    );
    await erp.admin('POST', `/sales-orders/eid:${so.externalId}/backorder`, {
      lines: [{ lineKey: 'L1', quantity: 5 }],
    });
    const backordered = await client.getSalesOrder({ externalId: so.externalId });
    expect(backordered?.lines[0]?.quantityBackOrdered).toBe(5);

    const received = await erp.admin<{ allocated: number }>('POST', '/inventory/receive', {
      sku: 'P4000',
      location: '3',
      quantity: 1000,
    });
    expect(received.body.allocated).toBe(5);
    const filled = await client.getSalesOrder({ externalId: so.externalId });
    expect(filled?.lines[0]?.quantityBackOrdered).toBe(0);

    const changes = await client.inventoryChangedSince(cursor, 1000);
    const level = changes.items.find((l) => l.sku === 'P4000' && l.location === '3');
    expect(level?.onHand).toBeGreaterThanOrEqual(1000);
    expect(level!.available).toBeLessThanOrEqual(level!.onHand - 5);
  });

  it('cancels open lines idempotently and releases them', async () => {
    const so = await client.createSalesOrder(order());
    const one = await client.cancelSalesOrder(so.externalId, ['L2']);
    expect(one.lines.find((l) => l.lineKey === 'L2')?.closed).toBe(true);
    expect(one.status).toBe('pendingFulfillment');
    const all = await client.cancelSalesOrder(so.externalId);
    expect(all.status).toBe('cancelled');
    const again = await client.cancelSalesOrder(so.externalId);
    expect(again.status).toBe('cancelled');
  });

  it('upserts customers by external id with terms, price level, credit limit and parent', async () => {
    const input = {
      externalId: `company:${Date.now()}`,
      companyName: 'Quay Fabrication',
      email: 'ap@quay.example',
      creditLimit: '25000',
      terms: 'Net 60',
      priceLevel: 'Tier 2',
      taxExempt: true,
      taxId: 'EX-1',
      parentErpId: '3',
    };
    const a = await client.upsertCustomer(input);
    const b = await client.upsertCustomer({ ...input, creditLimit: '30000' });
    expect(b.erpId).toBe(a.erpId);
    expect(b).toMatchObject({
      companyName: 'Quay Fabrication',
      creditLimit: '30000.00',
      terms: 'Net 60',
      priceLevel: 'Tier 2',
      taxExempt: true,
      parentErpId: '3',
    });
    const badTerms = (await client
      .upsertCustomer({ ...input, terms: 'Net 999' })
      .catch((e: unknown) => e)) as NetSuiteError;
    expect(badTerms.retryable).toBe(false);
  });

  it('runs a return: authorization, goods received, credit memo less restocking fee, refund — each once', async () => {
    const so = await client.createSalesOrder(order());
    await erp.admin('POST', `/sales-orders/eid:${so.externalId}/ship`, {
      location: '1',
      carrier: 'FedEx',
      trackingNumbers: ['7712'],
    });
    const raInput = {
      externalId: `rma:${so.externalId}`,
      salesOrderExternalId: so.externalId,
      lines: [{ lineKey: 'L1', sku: 'P101', quantity: 2 }],
    };
    const ra = await client.createReturnAuthorization(raInput);
    expect((await client.createReturnAuthorization(raInput)).erpId).toBe(ra.erpId);
    expect(ra.status).toBe('pendingReceipt');
    const received = await erp.admin('POST', `/return-authorizations/${ra.erpId}/receive`, { location: '2' });
    expect(received.status).toBe(200);
    expect((await client.getReturnAuthorization({ erpId: ra.erpId }))?.status).toBe('received');

    const cmInput = {
      externalId: `cm:${ra.externalId}`,
      returnAuthorizationErpId: ra.erpId,
      lines: [{ lineKey: 'L1', sku: 'P101', quantity: 2, amount: '25.00' }],
      restockingFee: '2.50',
    };
    const cm = await client.createCreditMemo(cmInput);
    expect(cm.total).toBe('22.50');
    expect((await client.createCreditMemo(cmInput)).erpId).toBe(cm.erpId);
    expect((await client.getReturnAuthorization({ externalId: ra.externalId }))?.status).toBe('credited');

    const refund = await client.createRefund({
      externalId: `refund:${cm.externalId}`,
      creditMemoErpId: cm.erpId,
      amount: '22.50',
    });
    expect(refund.amount).toBe('22.50');
    expect(
      (
        await client.createRefund({
          externalId: `refund:${cm.externalId}`,
          creditMemoErpId: cm.erpId,
          amount: '22.50',
        })
      ).erpId,
    ).toBe(refund.erpId);
  });

  it('retries through an outage window and injected server errors', async () => {
    erp.sandbox.faults.update({ outageForMs: 300 });
    const customer = await client.getCustomer('7');
    expect(customer?.erpId).toBe('7');
    expect(erp.sandbox.faults.stats().outageRejections).toBeGreaterThan(0);
    erp.sandbox.faults.update({ outages: [] });
  });
});
