import { shopifyClientFromConfig } from '../../connectors/shopify';
import { registerWebhookSubscriptions, SHOPIFY_TOPICS } from '../../connectors/shopify/webhooks';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';

/** The URL Shopify delivers webhooks to: API_PUBLIC_URL when set (a real store needs a public https URL). */
export const webhookCallbackUrl = (config: Config) =>
  `${(config.API_PUBLIC_URL ?? `http://${config.API_HOST}:${config.API_PORT}`).replace(/\/+$/, '')}/webhooks/shopify`;

/**
 * Subscribes Quayside to its webhook topics through the Admin API at start-up, as a Shopify app does.
 * Runs in the background and keeps trying (the store may start after the API); returns a stop function.
 */
export function registerShopifyWebhooksInBackground(config: Config, log: Logger): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const client = shopifyClientFromConfig(config, log);
  const callbackUrl = webhookCallbackUrl(config);
  const attempt = async (n: number) => {
    try {
      const result = await registerWebhookSubscriptions(client, callbackUrl, SHOPIFY_TOPICS);
      log.info({ callbackUrl, ...result }, 'shopify webhook subscriptions registered');
    } catch (err) {
      const delay = Math.min(60_000, 1_000 * 2 ** n);
      log.warn(
        { err: (err as Error).message, retryInMs: delay, shop: config.SHOPIFY_ADMIN_URL },
        'could not register shopify webhook subscriptions yet',
      );
      if (!stopped) timer = setTimeout(() => void attempt(n + 1), delay);
    }
  };
  void attempt(0);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
