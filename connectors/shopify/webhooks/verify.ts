import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Shopify's signature: base64 of HMAC-SHA256 over the raw request bytes, keyed with the app's client secret. */
export function shopifyHmac(raw: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(raw).digest('base64');
}

/**
 * True when `signature` is the HMAC of `raw` under any of `secrets` (the current secret and, during a
 * rotation, the previous one). Compared in constant time on the decoded digests.
 */
export function verifyShopifyHmac(
  raw: Buffer,
  signature: string | undefined,
  secrets: readonly string[],
): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature.trim(), 'base64');
  let ok = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = createHmac('sha256', secret).update(raw).digest();
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

/**
 * A Shopify webhook header by its short name (`topic`, `hmac-sha256`, …). Node lowercases header names;
 * Shopify sends both the legacy `X-Shopify-*` set and the newer unprefixed `shopify-*` set.
 */
export function shopifyHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const key = name.toLowerCase();
  const value = headers[`x-shopify-${key}`] ?? headers[`shopify-${key}`];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

export interface ShopifyDeliveryHeaders {
  topic: string;
  shopDomain: string;
  webhookId: string;
  eventId?: string;
  apiVersion?: string;
  triggeredAt?: string;
  name?: string;
  subTopic?: string;
}

/** The delivery's identifying headers; `missing` names the required ones that were absent. */
export function readDeliveryHeaders(headers: IncomingHttpHeaders): {
  value?: ShopifyDeliveryHeaders;
  missing: string[];
} {
  const topic = shopifyHeader(headers, 'topic');
  const shopDomain = shopifyHeader(headers, 'shop-domain');
  const webhookId = shopifyHeader(headers, 'webhook-id');
  const missing = [
    ...(topic ? [] : ['X-Shopify-Topic']),
    ...(shopDomain ? [] : ['X-Shopify-Shop-Domain']),
    ...(webhookId ? [] : ['X-Shopify-Webhook-Id']),
  ];
  if (missing.length) return { missing };
  return {
    missing,
    value: {
      topic: topic!,
      shopDomain: shopDomain!,
      webhookId: webhookId!,
      eventId: shopifyHeader(headers, 'event-id'),
      apiVersion: shopifyHeader(headers, 'api-version'),
      triggeredAt: shopifyHeader(headers, 'triggered-at'),
      name: shopifyHeader(headers, 'name'),
      subTopic: shopifyHeader(headers, 'sub-topic'),
    },
  };
}

/** The Shopify headers of a delivery, kept with a dead letter so it can be replayed as delivered. */
export function shopifyHeadersOf(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (
      (k.startsWith('x-shopify-') || k.startsWith('shopify-')) &&
      !k.endsWith('hmac-sha256') &&
      v !== undefined
    ) {
      out[k] = Array.isArray(v) ? v.join(', ') : v;
    }
  }
  return out;
}
