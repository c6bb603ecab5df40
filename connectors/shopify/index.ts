import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { ShopifyAdminClient, type ShopifyClientOptions } from './client';
import { ShopifyStorefront } from './storefront';

export * from './client';
export * from './errors';
export * from './storefront';
export * from './webhooks/subscriptions';

/** The Admin API client for the configured shop (a real store, or the sandbox by default). */
export function shopifyClientFromConfig(
  config: Config,
  log?: Logger,
  onCall?: ShopifyClientOptions['onCall'],
): ShopifyAdminClient {
  return new ShopifyAdminClient({
    adminUrl: config.SHOPIFY_ADMIN_URL,
    accessToken: config.SHOPIFY_ACCESS_TOKEN,
    apiVersion: config.SHOPIFY_API_VERSION,
    log,
    onCall,
  });
}

/** StorefrontPort for the configured shop. */
export function createShopifyStorefront(
  config: Config,
  log?: Logger,
  onCall?: ShopifyClientOptions['onCall'],
): ShopifyStorefront {
  return new ShopifyStorefront(shopifyClientFromConfig(config, log, onCall), log);
}
export * from './pricing';
export * from './companies';
export * from './catalog';
