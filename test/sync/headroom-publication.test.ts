import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createOrderActivities } from '../../activities/orders';
import { createStorePricingActivities } from '../../activities/store-pricing';
import { alertRepository } from '../../db/alerts';
import { mappingRepository } from '../../db/mappings';
import { orderRepository } from '../../db/orders';
import type { Db } from '../../db/pool';
import { syncRepository } from '../../db/sync';
import type { ErpChangeFeed, ErpCustomer, ErpPort } from '../../domain/erp';
import type { StorefrontPort } from '../../domain/storefront';
import type { StorePricingPort } from '../../domain/store-pricing';
import { makeOrder, orderRecord } from '../orders/harness';
import { privateTestDatabase } from '../support/env';

/**
 * The headroom an order event publishes, against Quayside's own database with a store that records
 * what it is told: the ERP balance is read afresh, and a publication that read older figures than a
 * concurrent one ends with the newer figure in the store.
 */
describe('publishing a customer’s credit headroom', () => {
  let own: { db: Db; drop(): Promise<void> };
  const store = 'headroom-store';
  const customer: ErpCustomer = {
    erpId: '77',
    externalId: null,
    companyName: 'Acme',
    email: null,
    creditLimit: '1000.00',
    balance: '100.00',
    terms: null,
    priceLevel: null,
    taxExempt: false,
    taxId: null,
    parentErpId: null,
    lastModified: new Date().toISOString(),
  };
  const erp = { getCustomer: async () => customer } as unknown as ErpPort & ErpChangeFeed;
  const written: (string | null)[] = [];
  let duringWrite: (() => Promise<void>) | undefined;
  const pricing = {
    companyLocations: async (ids: string[]) =>
      new Map(ids.map((id) => [id, `gid://shopify/CompanyLocation/${id}`])),
    setCreditHeadroom: async (_location: string, headroom: { amount: string } | null) => {
      const then = duringWrite;
      duringWrite = undefined;
      await then?.();
      written.push(headroom?.amount ?? null);
    },
  } as unknown as StorePricingPort;

  /** An order of the customer in the read model: on payment terms unless told it was paid at checkout. */
  const recordOrder = (orderId: string, total: string, financialStatus = 'pending') =>
    orderRepository(own.db).upsert(
      orderRecord(
        makeOrder(store, orderId, { financialStatus, totals: { discounts: '0.00', tax: '0.00', total } }),
        { invoiceTotals: undefined },
      ),
    );

  beforeAll(async () => {
    own = await privateTestDatabase();
    await mappingRepository(own.db).upsertCustomer(store, 'cust-1', '77');
    await syncRepository(own.db).saveCustomer({ ...customer, balance: '0.00' });
  });
  afterAll(async () => {
    await own?.drop();
  });

  it('reads the ERP balance afresh, and corrects a figure a concurrent order made stale while it was written', async () => {
    const acts = createStorePricingActivities({
      db: own.db,
      erp,
      pricing,
      mappings: mappingRepository(own.db),
      alerts: alertRepository(own.db),
    });
    const env = new MockActivityEnvironment();
    await recordOrder('1', '30.00');
    // While the first figure is on its way to the store, another order of the customer is recorded.
    duringWrite = () => recordOrder('2', '45.50');
    await env.run(acts.publishCreditHeadroom, { store, customerErpIds: ['77'], refreshBalance: true });
    // 1000.00 − 100.00 (the ERP's balance, not the cached 0.00) − 30.00; then − 45.50 as well.
    expect(written).toEqual(['870.00', '824.50']);

    // Nothing changed: nothing is written.
    await env.run(acts.publishCreditHeadroom, { store, customerErpIds: ['77'] });
    expect(written).toHaveLength(2);

    // An order paid by card at checkout owes nothing on account: the headroom stays.
    await recordOrder('3', '500.00', 'paid');
    await env.run(acts.publishCreditHeadroom, { store, customerErpIds: ['77'] });
    expect(written).toHaveLength(2);
    // Paid for later (the store's orders/updated says paid): it no longer counts either.
    await recordOrder('2', '45.50', 'paid');
    await env.run(acts.publishCreditHeadroom, { store, customerErpIds: ['77'] });
    expect(written).toEqual(['870.00', '824.50', '870.00']);
  });
  it("at placement counts the balance the credit check read, without reading the ERP again; an invoice's publication reads it afresh", async () => {
    const placementStore = 'placement-store';
    await mappingRepository(own.db).upsertCustomer(placementStore, 'cust-9', '88');
    // Quayside's cache still holds an old balance; the ERP's is 100.00.
    await syncRepository(own.db).saveCustomer({ ...customer, erpId: '88', balance: '0.00' });
    let account = { ...customer, erpId: '88', balance: '100.00' };
    let erpReads = 0;
    const erp88 = {
      getCustomer: async () => {
        erpReads += 1;
        return account;
      },
      hasOtherSalesOrder: async () => false,
    } as unknown as ErpPort & ErpChangeFeed;
    const published: (string | null)[] = [];
    const store88 = {
      companyLocations: async (ids: string[]) =>
        new Map(ids.map((id) => [id, `gid://shopify/CompanyLocation/${id}`])),
      setCreditHeadroom: async (_location: string, headroom: { amount: string } | null) =>
        void published.push(headroom?.amount ?? null),
    } as unknown as StorePricingPort;
    const orderActs = createOrderActivities({
      db: own.db,
      erp: erp88,
      storefront: {} as StorefrontPort,
    });
    const pricingActs = createStorePricingActivities({
      db: own.db,
      erp: erp88,
      pricing: store88,
      mappings: mappingRepository(own.db),
      alerts: alertRepository(own.db),
    });
    const env = new MockActivityEnvironment();
    const order = makeOrder(placementStore, '10', {
      customerId: 'cust-9',
      financialStatus: 'pending',
      totals: { discounts: '0.00', tax: '0.00', total: '30.00' },
    });
    const readModel = orderRecord(order, { status: 'received', step: 'creditCheck' });

    // The credit check reads the ERP customer (and keeps it in the cache).
    const credit = await env.run(orderActs.readCreditAccount, {
      store: placementStore,
      orderId: '10',
      customerId: 'cust-9',
      customerErpId: '88',
      record: readModel,
    });
    expect(credit).toMatchObject({ balance: '100.00', balanceCached: true });
    expect(erpReads).toBe(1);
    // Placed: 1000.00 − 100.00 (the balance the check read, not the 0.00 cached before) − 30.00.
    await orderRepository(own.db).upsert({
      ...readModel,
      status: 'inErp',
      step: 'fulfilling',
      erpOrder: { erpId: 'SO-10', tranId: 'SO10' },
    });
    await env.run(pricingActs.publishCreditHeadroom, {
      store: placementStore,
      customerErpIds: ['88'],
      refreshBalance: false,
    });
    expect(published).toEqual(['870.00']);
    expect(erpReads).toBe(1);

    // Invoiced in full: the ERP moves the 30.00 into the balance (130.00) and it leaves the open
    // orders. The invoice's publication reads the ERP balance afresh: 1000.00 − 130.00 − 0.00, the
    // same figure (with the 100.00 cached at placement it would have published 900.00).
    account = { ...account, balance: '130.00' };
    await orderRepository(own.db).upsert({
      ...readModel,
      status: 'completed',
      step: 'completed',
      erpOrder: { erpId: 'SO-10', tranId: 'SO10' },
      lines: readModel.lines.map((l) => ({ ...l, shipped: l.ordered, invoiced: l.ordered })),
      invoiceTotals: ['30.00'],
    });
    await env.run(pricingActs.publishCreditHeadroom, {
      store: placementStore,
      customerErpIds: ['88'],
      refreshBalance: true,
    });
    expect(erpReads).toBe(2);
    // Unchanged at 870.00, so nothing is written to the store again.
    expect(published).toEqual(['870.00']);
    const cached = await own.db.query<{ balance: string }>(
      'SELECT balance::text FROM customer_cache WHERE erp_customer_id = $1',
      ['88'],
    );
    expect(cached.rows[0]?.balance).toBe('130.00');
  });
});
