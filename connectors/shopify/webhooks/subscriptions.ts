import type { ShopifyAdminClient } from '../client';
import { ShopifyUserError, type ShopifyUserErrorDetail } from '../errors';

/** 'orders/create' → 'ORDERS_CREATE', the WebhookSubscriptionTopic enum value. */
export const topicToEnum = (topic: string) => topic.replace('/', '_').toUpperCase();

/**
 * Subscribes `callbackUrl` to each topic through the Admin API, as a Shopify app does at start-up.
 * Idempotent by topic and callback: existing subscriptions are left alone.
 */
export async function registerWebhookSubscriptions(
  client: ShopifyAdminClient,
  callbackUrl: string,
  topics: readonly string[],
): Promise<{ created: string[]; existing: string[] }> {
  const data = await client.request<{
    webhookSubscriptions: { nodes: { id: string; topic: string; uri: string }[] };
  }>(
    `query Subscriptions($uri: String) { webhookSubscriptions(first: 100, uri: $uri) { nodes { id topic uri } } }`,
    { uri: callbackUrl },
  );
  const have = new Set(
    data.webhookSubscriptions.nodes.filter((s) => s.uri === callbackUrl).map((s) => s.topic),
  );
  const created: string[] = [];
  const existing: string[] = [];
  for (const topic of topics) {
    const value = topicToEnum(topic);
    if (have.has(value)) {
      existing.push(topic);
      continue;
    }
    const res = await client.request<{
      webhookSubscriptionCreate: {
        webhookSubscription: { id: string } | null;
        userErrors: ShopifyUserErrorDetail[];
      };
    }>(
      `mutation Subscribe($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
        webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { webhookSubscription { id } userErrors { field message } }
      }`,
      { topic: value, sub: { uri: callbackUrl, format: 'JSON' } },
    );
    const errors = res.webhookSubscriptionCreate.userErrors;
    if (errors.some((e) => /already been taken/i.test(e.message))) existing.push(topic);
    else if (errors.length) throw new ShopifyUserError('webhookSubscriptionCreate', errors);
    else created.push(topic);
  }
  return { created, existing };
}

/** Removes this app's subscriptions to `callbackUrl` (all topics). */
export async function deleteWebhookSubscriptions(
  client: ShopifyAdminClient,
  callbackUrl: string,
): Promise<number> {
  const data = await client.request<{ webhookSubscriptions: { nodes: { id: string; uri: string }[] } }>(
    `query Subscriptions($uri: String) { webhookSubscriptions(first: 100, uri: $uri) { nodes { id uri } } }`,
    { uri: callbackUrl },
  );
  let deleted = 0;
  for (const sub of data.webhookSubscriptions.nodes.filter((s) => s.uri === callbackUrl)) {
    const res = await client.request<{ webhookSubscriptionDelete: { userErrors: ShopifyUserErrorDetail[] } }>(
      `mutation Unsubscribe($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }`,
      { id: sub.id },
    );
    if (res.webhookSubscriptionDelete.userErrors.length)
      throw new ShopifyUserError('webhookSubscriptionDelete', res.webhookSubscriptionDelete.userErrors);
    deleted += 1;
  }
  return deleted;
}
