import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderActivities } from '../../activities/orders';
import type { NetSuiteClient } from '../../connectors/netsuite';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { assessCredit } from '../../domain/credit';
import type { StorefrontPort } from '../../domain/storefront';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { testDb } from '../support/env';
import { DEFAULT_RULES } from '../../domain/schemas/rules';

/** The first-order rule asks the ERP (SuiteQL), not only Quayside's own order history. */
describe('first order: the ERP decides whether a customer has ordered before', () => {
  let erp: RunningErpSandbox;
  let netsuite: NetSuiteClient;
  let db: Db;
  beforeAll(async () => {
    erp = await startErpSandbox({ skus: 20, customers: 12 });
    netsuite = erp.client();
    db = testDb();
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await erp?.close();
  });

  const activities = () => createOrderActivities({ db, erp: netsuite, storefront: {} as StorefrontPort });

  it("an existing ERP customer's first large order through Quayside is not held; a new customer's is", async () => {
    const store = `fo${randomUUID().slice(0, 6)}`;
    await mappingRepository(db).upsertCustomer(store, 'long-standing', '3');
    await mappingRepository(db).upsertCustomer(store, 'newcomer', '4');
    // Customer 3 has ordered for years, by phone, entered straight into the ERP.
    await netsuite.createSalesOrder({
      externalId: `phone-order-${randomUUID()}`,
      customerErpId: '3',
      currency: 'USD',
      lines: [{ lineKey: 'L1', sku: 'P1', quantity: 1, rate: '10.00', location: '1' }],
    });

    const acts = activities();
    const existing = await acts.readCreditAccount({
      store,
      orderId: '9001',
      customerId: 'long-standing',
      customerErpId: '3',
    });
    const newcomer = await acts.readCreditAccount({
      store,
      orderId: '9002',
      customerId: 'newcomer',
      customerErpId: '4',
    });
    expect(existing.firstOrder).toBe(false);
    expect(newcomer.firstOrder).toBe(true);

    const rules = { ...DEFAULT_RULES, credit: { ...DEFAULT_RULES.credit, checkEnabled: false } };
    expect(assessCredit(existing, '6000.00', rules, 'USD').outcome).toBe('clear');
    expect(assessCredit(newcomer, '6000.00', rules, 'USD').outcome).toBe('firstOrder');
  });

  it("the order's own ERP sales order does not make it a repeat order", async () => {
    const store = `fo${randomUUID().slice(0, 6)}`;
    await mappingRepository(db).upsertCustomer(store, 'fresh', '5');
    // A retried credit check runs after the order's own sales order already reached the ERP.
    await netsuite.createSalesOrder({
      externalId: `${store}:9100`,
      customerErpId: '5',
      currency: 'USD',
      lines: [{ lineKey: 'L1', sku: 'P2', quantity: 1, rate: '10.00', location: '1' }],
    });
    const account = await activities().readCreditAccount({
      store,
      orderId: '9100',
      customerId: 'fresh',
      customerErpId: '5',
    });
    expect(account.firstOrder).toBe(true);
  });
});
