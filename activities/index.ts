import type { Db } from '../db/pool';
import type { ErpPort } from '../domain/erp';
import type { StorefrontPort, StorefrontReconcilePort } from '../domain/storefront';
import type { Logger } from '../platform/logger';
import { createErpEventActivities } from './erp-events';
import { missingPort } from './missing-port';
import type { PriceBook } from '../domain/pricing';
import { createOrderActivities } from './orders';
import type { Notifier } from '../connectors/notifier';
import { createApprovalActivities } from './approvals';
import { createCustomerActivities, createCustomerSyncActivities } from './customers';
import { createNotifyActivities } from './notify';
import { createReturnActivities } from './returns';
import { backorderPublisherOf, createStockPusher, createSyncActivities } from './sync';
import { createStoreCatalogActivities } from './store-catalog';
import { createReconcileActivities, type OrderDispatcher } from './reconcile';
import type { StoreCatalogPort } from '../domain/catalog';
import { createSlaActivities } from './sla';
import { createFlowActivities } from './flows';
import { createStorePricingActivities } from './store-pricing';
import { createStoreCompanyActivities } from './store-companies';
import type { StoreCompaniesPort } from '../domain/store-companies';
import type { ErpCatalogFeed, ErpChangeFeed, ErpReconcileFeed } from '../domain/erp';
import type { StorePricingPort } from '../domain/store-pricing';
import { alertRepository } from '../db/alerts';
import { mappingRepository } from '../db/mappings';

export interface ActivityDeps {
  db: Db;
  /** The ERP connector (connectors/netsuite, or the sandbox); without it ERP calls fail retryably. */
  erp?: ErpPort;
  /** The same ERP at bulk priority (syncs queue behind order calls in the shared budget). */
  erpBulk?: ErpPort;
  /** The storefront connector (connectors/shopify, or the sandbox store). */
  storefront?: StorefrontPort;
  /** The store's B2B catalogs and price lists (connectors/shopify ShopifyPricing). */
  pricing?: StorePricingPort;
  /** The store's B2B companies, locations and contacts (connectors/shopify ShopifyCompanies). */
  companies?: StoreCompaniesPort;
  /** The store's products, written from the ERP's item master (connectors/shopify ShopifyCatalog). */
  catalog?: StoreCatalogPort;
  /** How a store order's REST representation becomes its process start, as the webhook ingress does it. */
  dispatchOrder?: OrderDispatcher;
  /** Expected ERP prices for the order price check (none: storefront prices stand). */
  prices?: PriceBook;
  log?: Logger;
  /** Where buyer, applicant and approver notifications go (none: they are logged as undeliverable). */
  notifier?: Notifier;
  /** Base URL of the approver API, for links in approval notifications. */
  apiPublicUrl?: string;
}

/** Every activity the worker registers, built once from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOrderActivities({
      db: deps.db,
      erp: deps.erp ?? missingPort<ErpPort>('ERP'),
      storefront: deps.storefront ?? missingPort<StorefrontPort>('storefront'),
      prices: deps.prices,
      log: deps.log,
    }),
    ...createErpEventActivities({ db: deps.db, erp: deps.erp ?? missingPort<ErpPort>('ERP') }),
    ...createApprovalActivities({
      db: deps.db,
      notifier: deps.notifier,
      log: deps.log,
      apiPublicUrl: deps.apiPublicUrl,
    }),
    ...createNotifyActivities({ db: deps.db, notifier: deps.notifier, log: deps.log }),
    ...createReturnActivities({
      db: deps.db,
      erp: deps.erp ?? missingPort<ErpPort>('ERP'),
      storefront: deps.storefront ?? missingPort<StorefrontPort>('storefront'),
      log: deps.log,
    }),
    ...createSyncActivities({
      db: deps.db,
      erp: deps.erpBulk ?? deps.erp ?? missingPort<ErpPort>('ERP'),
      storefront: deps.storefront ?? missingPort<StorefrontPort>('storefront'),
      mappings: mappingRepository(deps.db),
      alerts: alertRepository(deps.db),
    }),
    ...createStorePricingActivities({
      db: deps.db,
      erp: (deps.erpBulk ?? deps.erp ?? missingPort<ErpPort>('ERP')) as ErpPort & ErpChangeFeed,
      erpOrders: deps.erp,
      pricing: deps.pricing ?? missingPort<StorePricingPort>('store pricing'),
      mappings: mappingRepository(deps.db),
      alerts: alertRepository(deps.db),
    }),
    ...createStoreCompanyActivities({
      db: deps.db,
      erp: (deps.erpBulk ?? deps.erp ?? missingPort<ErpPort>('ERP')) as ErpPort & ErpChangeFeed,
      companies: deps.companies ?? missingPort<StoreCompaniesPort>('store companies'),
      alerts: alertRepository(deps.db),
    }),
    ...storeCatalogActivities(deps),
    ...reconcileActivities(deps),
    ...createCustomerActivities({
      db: deps.db,
      erp: deps.erp ?? missingPort<ErpPort>('ERP'),
      storefront: deps.storefront ?? missingPort<StorefrontPort>('storefront'),
    }),
    ...createCustomerSyncActivities({ db: deps.db, erp: deps.erp ?? missingPort<ErpPort>('ERP') }),
    ...createSlaActivities({ db: deps.db, log: deps.log }),
    ...createFlowActivities({ db: deps.db }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

function storeCatalogActivities(deps: ActivityDeps) {
  const erp = (deps.erpBulk ?? deps.erp ?? missingPort<ErpPort>('ERP')) as ErpPort & ErpCatalogFeed;
  const storefront = deps.storefront ?? missingPort<StorefrontPort>('storefront');
  const pusher = createStockPusher({
    db: deps.db,
    storefront,
    mappings: mappingRepository(deps.db),
    alerts: alertRepository(deps.db),
  });
  return createStoreCatalogActivities({
    db: deps.db,
    erp,
    catalog: deps.catalog ?? missingPort<StoreCatalogPort>('store catalog'),
    mappings: mappingRepository(deps.db),
    alerts: alertRepository(deps.db),
    pushStock: async (input) => {
      await pusher.pushCurrentStock({ ...input, erp });
    },
  });
}

function reconcileActivities(deps: ActivityDeps) {
  const storefront = deps.storefront ?? missingPort<StorefrontPort>('storefront');
  const erp = (deps.erpBulk ?? deps.erp ?? missingPort<ErpPort>('ERP')) as ErpPort & ErpReconcileFeed;
  const mappings = mappingRepository(deps.db);
  // A drifted quantity rewritten brings the item's backorder dates in step, as the inventory sync does.
  const backorders =
    (deps.erpBulk ?? deps.erp) ? backorderPublisherOf({ db: deps.db, erp, storefront, mappings }) : undefined;
  return createReconcileActivities({
    db: deps.db,
    erp,
    storefront: storefront as StorefrontPort & StorefrontReconcilePort,
    mappings,
    alerts: alertRepository(deps.db),
    pusher: createStockPusher({
      db: deps.db,
      storefront,
      mappings,
      alerts: alertRepository(deps.db),
      ...(backorders ? { backorders } : {}),
    }),
    dispatchOrder:
      deps.dispatchOrder ??
      (() => {
        throw new Error(
          'No order dispatcher is configured for this worker: missed orders cannot be started.',
        );
      }),
  });
}
