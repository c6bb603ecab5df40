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
    await db
      .query(
        `UPDATE webhook_deliveries SET attempts = $2, last_status = $3, last_error = $4,
              status = $5, delivered_at = CASE WHEN $5 = 'delivered' THEN now() ELSE delivered_at END
        WHERE id = $1`,
        [
          p.deliveryId,
          p.attempt + 1,
          status ?? null,
          error ?? null,
          ok ? 'delivered' : final ? 'failed' : 'pending',
        ],
      )
      .catch(() => undefined);
    await db
      .query(
        'UPDATE webhook_subscriptions SET consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures + 1 END WHERE id = $1',
        [p.subscriptionId, ok],
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

  return {
    /** Emits `topic` with `payload` (its REST representation) to every subscription of that topic. */
    async emit(topic: string, payload: unknown): Promise<number> {
      const subs = await db.query<{ id: string; uri: string }>(
        'SELECT id, uri FROM webhook_subscriptions WHERE topic = $1 ORDER BY id',
        [topicEnum(topic)],
      );
      if (subs.rowCount === 0) return 0;
      const body = stringify(payload) ?? 'null';
      const eventId = randomUUID();
      const triggeredAt = new Date().toISOString();
      for (const sub of subs.rows) {
        const webhookId = randomUUID();
        const row = await db.query<{ id: string }>(
          `INSERT INTO webhook_deliveries (subscription_id, topic, uri, webhook_id, event_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [sub.id, topic, sub.uri, webhookId, eventId],
        );
        const pending: Pending = {
          deliveryId: row.rows[0]!.id,
          uri: sub.uri,
          subscriptionId: sub.id,
          topic,
          body,
          webhookId,
          eventId,
          triggeredAt,
          attempt: 0,
        };
        const hold = random() < opts.reorderRate ? opts.reorderDelayMs : 0;
        later(hold, () => attempt(pending));
      }
      return subs.rowCount ?? 0;
    },

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
