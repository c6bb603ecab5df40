import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErpEventActivities } from '../../activities/erp-events';
import { createFlowActivities } from '../../activities/flows';
import { createStoreCompanyActivities } from '../../activities/store-companies';
import { createStoreCatalogActivities } from '../../activities/store-catalog';
import { createStorePricingActivities } from '../../activities/store-pricing';
import { alertRepository } from '../../db/alerts';
import { flowSwitchesConfig } from '../../db/flow-switches';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import type { ErpCatalogFeed, ErpChangeFeed, ErpPort } from '../../domain/erp';
import type { StoreCatalogPort } from '../../domain/catalog';
import type { StoreCompaniesPort } from '../../domain/store-companies';
import type { StorePricingPort } from '../../domain/store-pricing';
import { createSyncActivities } from '../../activities/sync';
import type { StorefrontPort } from '../../domain/storefront';
import { catalogSync } from '../../workflows/catalogSync';
import { testClient, testDb, uniqueTaskQueue, withWorker } from '../support/env';

/** An ERP change feed that answers empty pages and counts which feeds were read. */
function countingErp() {
  const reads: string[] = [];
  const empty = (feed: string) => async (cursor: string | null) => {
    reads.push(feed);
    return { items: [], nextCursor: cursor, hasMore: false };
  };
  const erp = {
    customersChangedSince: empty('customers'),
    pricesChangedSince: empty('prices'),
    fulfillmentsSince: empty('fulfillments'),
    invoicesSince: empty('invoices'),
  };
  return { reads, erp: erp as unknown as ErpPort & ErpChangeFeed };
}

const untouched = <T>(name: string) =>
  new Proxy({} as object, {
    get: (_t, p) => () => {
      throw new Error(`${name}.${String(p)} must not be called`);
    },
  }) as T;

describe('flow switches in the syncs', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(async () => {
    await db.end();
  });

  it('the store-company, store-price and ERP-event pages skip a switched-off direction, run when it is on, and end the run when the switches changed', async () => {
    const store = `flows-${randomUUID().slice(0, 8)}`;
    const { snapshotFlows } = createFlowActivities({ db });
    const switches = flowSwitchesConfig(store);
    await switches.save(
      db,
      {
        customers: { direction: 'storeToErp' },
        prices: { enabled: false },
        fulfillments: { enabled: false },
        catalog: { enabled: false },
      },
      'test admin',
      'ERP customers stay out of the store for now',
    );
    const snapshot = await snapshotFlows({ store });
    expect(snapshot.version).toBe(1);

    const { reads, erp } = countingErp();
    const companies = createStoreCompanyActivities({
      db,
      erp,
      companies: untouched<StoreCompaniesPort>('companies'),
      alerts: alertRepository(db),
    });
    const prices = createStorePricingActivities({
      db,
      erp,
      pricing: untouched<StorePricingPort>('pricing'),
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    const events = createErpEventActivities({ db, erp });
    const products = createStoreCatalogActivities({
      db,
      erp: untouched<ErpPort & ErpCatalogFeed>('erp'),
      catalog: untouched<StoreCatalogPort>('catalog'),
      mappings: mappingRepository(db),
      alerts: alertRepository(db),
    });
    const catalogRules = await products.loadCatalogRules({ store });
    expect(catalogRules.flows?.version).toBe(1);
    expect(
      await products.syncCatalogChanges({ store, pageSize: 10, workflowId: 'test', rules: catalogRules }),
    ).toMatchObject({ items: 0, flowGate: 'skip' });

    expect(await companies.syncCompanyChanges({ store, pageSize: 10, flows: snapshot })).toMatchObject({
      customers: 0,
      flowGate: 'skip',
    });
    expect(await prices.syncPricingChanges({ store, pageSize: 10, flows: snapshot })).toMatchObject({
      prices: 0,
      flowGate: 'skip',
    });
    const polled = await events.pollErpChanges({ store, cursors: null, pageSize: 10, flows: snapshot });
    expect(polled.flowGate).toBe('skip');
    // Invoices still reach their orders; shipments wait in the ERP with their cursor where it was.
    expect(reads).toEqual(['invoices']);

    // Customers both ways again: the run that snapshotted version 1 is told to take the new switches.
    await switches.save(
      db,
      { ...snapshot.switches, customers: { enabled: true, direction: 'both' } },
      'test admin',
    );
    expect(await companies.syncCompanyChanges({ store, pageSize: 10, flows: snapshot })).toMatchObject({
      flowGate: 'resnapshot',
    });
    const next = await snapshotFlows({ store });
    const page = await companies.syncCompanyChanges({ store, pageSize: 10, flows: next });
    expect(page.flowGate).toBeUndefined();
    expect(reads).toEqual(['invoices', 'customers']);
    expect(await prices.syncPricingChanges({ store, pageSize: 10, flows: next })).toMatchObject({
      flowGate: 'skip',
    });
  });

  it('a catalog refresh that starts with the catalog switched off reads nothing from the ERP', async () => {
    const store = `flows-${randomUUID().slice(0, 8)}`;
    await flowSwitchesConfig(store).save(db, { catalog: { enabled: false } }, 'test admin');
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('catalog-off');
    const activities = {
      ...createSyncActivities({
        db,
        erp: untouched<ErpPort>('erp'),
        storefront: untouched<StorefrontPort>('storefront'),
        mappings: mappingRepository(db),
        alerts: alertRepository(db),
      }),
      ...createFlowActivities({ db }),
    };
    try {
      await withWorker({ taskQueue, activities }, async () => {
        const result = await client.workflow.execute(catalogSync, {
          taskQueue,
          workflowId: `sync:catalog:${store}`,
          args: [{ store, pageSize: 10, customerBatchSize: 10, refreshIntervalMinutes: 60, once: true }],
        });
        expect(result).toMatchObject({ phase: 'done', items: 0, prices: 0, customers: 0 });
      });
    } finally {
      await client.connection.close();
    }
  });
});
