import type { Db } from '../db/pool';
import type { ErpPort } from '../domain/erp';
import type { StorefrontPort } from '../domain/storefront';
import type { Logger } from '../platform/logger';
import { createErpEventActivities } from './erp-events';
import { missingPort } from './missing-port';
import { createOrderActivities, type PriceBook } from './orders';

export interface ActivityDeps {
  db: Db;
  /** The ERP connector (connectors/netsuite, or the sandbox); without it ERP calls fail retryably. */
  erp?: ErpPort;
  /** The storefront connector (connectors/shopify, or the sandbox store). */
  storefront?: StorefrontPort;
  /** Expected ERP prices for the order price check (none: storefront prices stand). */
  prices?: PriceBook;
  log?: Logger;
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
  };
}

export type Activities = ReturnType<typeof createActivities>;
