import { storeQueuePrefix } from '../domain/contracts';
import { storesOf, type Config } from '../platform/config';

/** A storefront whose webhooks this API takes: the shop domain Shopify names, its store, its secrets. */
export interface IngressShop {
  store: string;
  shopDomain: string;
  secrets: string[];
}

/** What the API knows of the stores it serves: the primary one, and every store's shop (api/app.ts). */
export interface StoresView {
  store: string;
  taskQueuePrefix: string;
  shops?: { store: string }[];
}

/** Every store this API serves: the primary one first, then each configured shop's. */
export const servedStores = (deps: Pick<StoresView, 'store' | 'shops'>): string[] => [
  deps.store,
  ...(deps.shops ?? []).map((s) => s.store),
];

/**
 * The queue prefix of a store's processes: a configured store's own queues (the primary store keeps
 * the deployment's), and for any other name the primary store's, where it always went.
 */
export function queuePrefixOf(deps: StoresView, store: string): string {
  const configured = deps.shops?.some((s) => s.store === store) ?? false;
  return configured ? storeQueuePrefix(deps.taskQueuePrefix, store, deps.store) : deps.taskQueuePrefix;
}

/** Every configured store's shop domain and webhook secrets, as the webhook ingress tells them apart. */
export function ingressShopsOf(config: Config): IngressShop[] {
  return storesOf(config).map((s) => ({
    store: s.name,
    shopDomain: s.shopDomain,
    secrets: [s.apiSecret, ...(s.apiSecretPrevious ? [s.apiSecretPrevious] : [])],
  }));
}
