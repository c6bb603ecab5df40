import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { ShopifyAdminClient } from './client';
import { ShopifyStorefront } from './storefront';

export * from './client';
export * from './errors';
export * from './storefront';
export * from './webhook-subscriptions';

/** The Admin API client for the configured shop (a real store, or the sandbox by default). */
export function shopifyClientFromConfig(config: Config, log?: Logger): ShopifyAdminClient {
  return new ShopifyAdminClient({
    adminUrl: config.SHOPIFY_ADMIN_URL,
    accessToken: config.SHOPIFY_ACCESS_TOKEN,
    apiVersion: config.SHOPIFY_API_VERSION,
    log,
  });
}

/** StorefrontPort for the configured shop. */
export function createShopifyStorefront(config: Config, log?: Logger): ShopifyStorefront {
  return new ShopifyStorefront(shopifyClientFromConfig(config, log), log);
}
export * from './pricing';
export * from './companies';
