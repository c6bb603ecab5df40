import { createHmac, randomUUID } from 'node:crypto';
import { stringify } from 'lossless-json';
import type { Logger } from '../../platform/logger';
import type { StoreDb } from './db';

export interface WebhookDeliveryOptions {
  /** The app's client secret the store signs with. */
  secret: string;
  shopDomain: string;
  apiVersion: string;
  /** Multiplies Shopify's retry schedule (1 = real: 8 retries over about 4 hours). */
  retryScale: number;
  /** Probability of delivering a webhook twice (same webhook id). */
  duplicateRate: number;
  /** Probability of holding a delivery back so later events overtake it. */
  reorderRate: number;
  reorderDelayMs: number;
  log?: Logger;
  random?: () => number;
}

/** 'orders/create' → 'ORDERS_CREATE' */
export const topicEnum = (topic: string) => topic.replace('/', '_').toUpperCase();
/** 'ORDERS_CREATE' → 'orders/create' */
export const topicName = (value: string) => {
  const lower = value.toLowerCase();
  const i = lower.indexOf('_');
  return `${lower.slice(0, i)}/${lower.slice(i + 1)}`;
};

const RETRIES = 8;
const FIRST_RETRY_MS = 60_000;
const TIMEOUT_MS = 5_000;

interface Pending {
  deliveryId: string;
  uri: string;
  subscriptionId: string;
  topic: string;
  body: string;
  webhookId: string;
  eventId: string;
  triggeredAt: string;
  attempt: number;
}

/**
 * Delivers webhooks the way Shopify does: one POST per subscription with the signed raw body and the
 * X-Shopify-* and shopify-* headers; a non-2xx answer or a timeout is retried with exponential backoff.
 */
export function createWebhookDispatcher(db: StoreDb, opts: WebhookDeliveryOptions) {
  const random = opts.random ?? Math.random;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  const later = (ms: number, fn: () => Promise<void>) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (closed) return;
      const p = fn().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }, ms);
    timers.add(t);
  };

  function headers(p: Pending): Record<string, string> {
    const values: [string, string][] = [
      ['Topic', p.topic],
      ['Hmac-Sha256', createHmac('sha256', opts.secret).update(p.body).digest('base64')],
      ['Shop-Domain', opts.shopDomain],
      ['API-Version', opts.apiVersion],
      ['Webhook-Id', p.webhookId],
      ['Event-Id', p.eventId],
      ['Triggered-At', p.triggeredAt],
    ];
    const out: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'Shopify-Captain-Hook',
    };
    for (const [k, v] of values) {
      out[`X-Shopify-${k}`] = v;
      out[`shopify-${k.toLowerCase()}`] = v;
    }
    return out;
  }

  async function attempt(p: Pending, duplicate = false): Promise<void> {
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(p.uri, {
        method: 'POST',
        headers: headers(p),
        body: p.body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = (err as Error).message;
    }
    if (duplicate) return;
    const ok = status !== undefined && status >= 200 && status < 300;
    const final = ok || p.attempt >= RETRIES;
    // The delivery's record and its subscription's failure count in one statement; a success leaves
    // a count that is already 0 as it is (no write to the subscription's row).
    await db
      .query(
        `WITH delivery AS (
           UPDATE webhook_deliveries SET attempts = $2, last_status = $3, last_error = $4,
                  status = $5, delivered_at = CASE WHEN $5 = 'delivered' THEN now() ELSE delivered_at END
            WHERE id = $1
         )
         UPDATE webhook_subscriptions
            SET consecutive_failures = CASE WHEN $7 THEN 0 ELSE consecutive_failures + 1 END
          WHERE id = $6 AND NOT ($7 AND consecutive_failures = 0)`,
        [
          p.deliveryId,
          p.attempt + 1,
          status ?? null,
          error ?? null,
          ok ? 'delivered' : final ? 'failed' : 'pending',
          p.subscriptionId,
          ok,
        ],
      )
      .catch(() => undefined);
    if (ok) {
      if (random() < opts.duplicateRate) later(Math.round(20 * random()), () => attempt(p, true));
      return;
    }
    opts.log?.debug(
      { topic: p.topic, uri: p.uri, status, error, attempt: p.attempt + 1 },
      'webhook delivery failed',
    );
    if (final) return;
    const delay = Math.max(1, Math.round(FIRST_RETRY_MS * 2 ** p.attempt * opts.retryScale));
    later(delay, () => attempt({ ...p, attempt: p.attempt + 1 }));
  }

  /**
   * Records a delivery for every subscription of `topic` as the subscriptions stand now, in one
   * statement (no subscription is cached: one made or deleted a moment ago, through the API or not,
   * counts), then sends `payload()` to each. No payload (the object is gone) sends nothing and leaves
   * no record.
   */
  async function send(
    topic: string,
    payload: () => Promise<{ payload: unknown } | undefined>,
  ): Promise<number> {
    const eventId = randomUUID();
    const recorded = await db.query<{ id: string; subscription_id: string; uri: string; webhook_id: string }>(
      `INSERT INTO webhook_deliveries (subscription_id, topic, uri, webhook_id, event_id)
       SELECT id, $2, uri, gen_random_uuid()::text, $3 FROM webhook_subscriptions WHERE topic = $1 ORDER BY id
       RETURNING id, subscription_id, uri, webhook_id`,
      [topicEnum(topic), topic, eventId],
    );
    if (recorded.rows.length === 0) return 0;
    const deliveries = recorded.rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const forget = () =>
      db.query('DELETE FROM webhook_deliveries WHERE id = ANY($1::bigint[])', [deliveries.map((d) => d.id)]);
    let body: string | undefined;
    try {
      const built = await payload();
      if (built) body = stringify(built.payload) ?? 'null';
    } catch (err) {
      await forget().catch(() => undefined);
      throw err;
    }
    if (body === undefined) {
      await forget();
      return 0;
    }
    const triggeredAt = new Date().toISOString();
    for (const d of deliveries) {
      const pending: Pending = {
        deliveryId: d.id,
        uri: d.uri,
        subscriptionId: d.subscription_id,
        topic,
        body,
        webhookId: d.webhook_id,
        eventId,
        triggeredAt,
        attempt: 0,
      };
      const hold = random() < opts.reorderRate ? opts.reorderDelayMs : 0;
      later(hold, () => attempt(pending));
    }
    return deliveries.length;
  }

  return {
    /** Emits `topic` with `payload` (its REST representation) to every subscription of that topic. */
    emit: (topic: string, payload: unknown): Promise<number> => send(topic, async () => ({ payload })),

    /**
     * Emits `topic` with the payload `build` gives, built only when the topic has subscriptions; none
     * (undefined or null: the object is gone) emits nothing.
     */
    emitBuilt: (topic: string, build: () => Promise<unknown>): Promise<number> =>
      send(topic, async () => {
        const payload = await build();
        return payload === undefined || payload === null ? undefined : { payload };
      }),

    /** Resolves when nothing is waiting to be sent (retries included). */
    async idle(timeoutMs = 10_000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (timers.size > 0 || inFlight.size > 0) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 20));
      }
      return true;
    },

    async close(): Promise<void> {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
