import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { alertRepository } from '../../db/alerts';
import type { Db } from '../../db/pool';
import { webhookRepository, type DeadLetter } from '../../db/webhooks';
import { taskQueue, taskQueueOfWorkflowType } from '../../domain/contracts';
import { queuePrefixOf, type IngressShop } from '../stores';
import type { Logger } from '../../platform/logger';
import { startOnce } from '../../platform/temporal-client';
import { privacyRepository } from '../../db/privacy';
import { flowOfTopic } from '../../domain/flow-switches';
import { switchedOffFor } from '../flow-gate';
import { isPrivacyTopic } from '../../domain/privacy';
import { describeZodError } from '../../domain/zod-errors';
import {
  isHandledTopic,
  mapDelivery,
  parseShopifyJson,
  PayloadInvalid,
  readDeliveryHeaders,
  readPrivacyRequest,
  shopifyHeader,
  shopifyHeadersOf,
  verifyShopifyHmac,
  type Dispatch,
  type ShopifyDeliveryHeaders,
  type ShopifyTopic,
} from '../../connectors/shopify/webhooks';

export interface IngressDeps {
  temporal: Client;
  db: Db;
  log: Logger;
  /** The primary store (QUAYSIDE_STORE): its processes are on the deployment's own queues. */
  store: string;
  taskQueuePrefix: string;
  /** The primary store's app client secret, and during a rotation the previous one. */
  secrets: string[];
  /**
   * Every store this API serves, by shop domain (X-Shopify-Shop-Domain), each with its own secrets.
   * Absent: the primary store alone, whatever shop domain a delivery names.
   */
  shops?: IngressShop[];
}

export type { IngressShop } from '../stores';

export type IngressOutcome =
  | { http: 401; code: 'WEBHOOK.UNAUTHORIZED' }
  | { http: 400; code: 'WEBHOOK.MISSING_HEADERS'; missing: string[] }
  | { http: 400; code: 'WEBHOOK.INVALID_BODY'; reason: string }
  | { http: 200; status: 'recorded'; topic: string; privacyRequestId: number }
  | { http: 200; status: 'ignored'; topic: string }
  | { http: 200; status: 'switched_off'; topic: string; flow: string; reason: string }
  | { http: 200; status: 'duplicate'; webhookId: string }
  | { http: 200; status: 'accepted'; workflowId: string }
  | { http: 200; status: 'dead_lettered'; deadLetterId: number; reason: string }
  | { http: 503; code: 'WEBHOOK.UNAVAILABLE' };

export class ProcessClosed extends Error {
  override name = 'ProcessClosed';
}

/**
 * Topics that only refresh data, or whose process is per event (customers): arriving after the
 * process finished, they are recorded, not parked.
 */
const LATE_UPDATES_ARE_HARMLESS = new Set<string>(['customers/create', 'customers/update', 'orders/updated']);

export const deadLetterAlertKey = (id: number) => `webhook-dead-letter:${id}`;

/** Verifies, deduplicates, validates and hands Shopify webhook deliveries to their workflows. */
export function createShopifyIngress(deps: IngressDeps) {
  const repo = webhookRepository(deps.db);
  const alerts = alertRepository(deps.db);
  const privacy = privacyRepository(deps.db);
  const shops = deps.shops ?? [];

  /**
   * The store a delivery belongs to, by the shop domain it names, with the secrets that must have
   * signed it. With several stores a delivery naming none of their shops has no store: refused.
   */
  function shopOf(domain: string | undefined): { store: string; secrets: string[] } | undefined {
    const named = domain?.trim().toLowerCase();
    const shop = named ? shops.find((s) => s.shopDomain.toLowerCase() === named) : undefined;
    if (shop) return shop;
    return shops.length > 1 ? undefined : { store: deps.store, secrets: deps.secrets };
  }

  async function dispatch(d: Dispatch, store: string): Promise<void> {
    const prefix = queuePrefixOf(deps, store);
    const delivered = await startOnce(() =>
      deps.temporal.workflow.signalWithStart(d.workflowType, {
        workflowId: d.workflowId,
        taskQueue: taskQueue(taskQueueOfWorkflowType(d.workflowType), prefix),
        args: d.args,
        signal: d.signal,
        signalArgs: d.signalArgs,
        // A closed process is never started a second time for the same object.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
    // "Already started" here means closed: a running process takes the signal. Parked (replay: 409).
    if (!delivered)
      throw new ProcessClosed(
        `the process ${d.workflowId} has already finished; the event was not delivered to it`,
      );
  }

  /** Why this delivery starts nothing (its store → ERP flow is switched off); undefined when it goes ahead. */
  async function switchedOff(
    topic: string,
    d: Dispatch,
  ): Promise<{ flow: string; reason: string } | undefined> {
    const flow = flowOfTopic(topic);
    const reason = flow ? await switchedOffFor(deps, flow, d.workflowId) : undefined;
    return flow && reason ? { flow, reason } : undefined;
  }

  function toDispatch(
    topic: ShopifyTopic,
    payload: string,
    h: Pick<ShopifyDeliveryHeaders, 'webhookId' | 'eventId' | 'triggeredAt'>,
    store: string,
  ): Dispatch {
    let body: unknown;
    try {
      body = parseShopifyJson(payload);
    } catch (err) {
      throw new PayloadInvalid(`body: not valid JSON (${(err as Error).message})`);
    }
    return mapDelivery(topic, body, {
      store,
      eventId: h.eventId ?? h.webhookId,
      triggeredAt: h.triggeredAt ?? new Date().toISOString(),
    });
  }

  async function park(
    h: ShopifyDeliveryHeaders,
    payload: string,
    headers: Record<string, string>,
    reason: string,
  ): Promise<number> {
    const id = await repo.park({
      webhookId: h.webhookId,
      eventId: h.eventId,
      topic: h.topic,
      shopDomain: h.shopDomain,
      reason,
      payload,
      headers,
    });
    await alerts.raise({
      severity: 'warning',
      kind: 'webhook.dead_letter',
      subject: `${h.topic} delivery ${h.webhookId}`,
      message: `A signed ${h.topic} webhook was parked: ${reason}. Fix and replay it with POST /webhooks/dead-letters/${id}/replay.`,
      dedupeKey: deadLetterAlertKey(id),
      details: {
        deadLetterId: id,
        topic: h.topic,
        webhookId: h.webhookId,
        eventId: h.eventId ?? null,
        reason,
      },
    });
    deps.log.warn(
      { deadLetterId: id, topic: h.topic, webhookId: h.webhookId, reason },
      'webhook dead-lettered',
    );
    return id;
  }

  return {
    /** The store of a shop domain as deliveries from it are attributed (the primary one when unknown). */
    storeOfShop(domain: string | null | undefined): string {
      return shopOf(domain ?? undefined)?.store ?? deps.store;
    },

    async handle(raw: Buffer, headers: IncomingHttpHeaders): Promise<IngressOutcome> {
      const shop = shopOf(shopifyHeader(headers, 'shop-domain'));
      if (!shop || !verifyShopifyHmac(raw, shopifyHeader(headers, 'hmac-sha256'), shop.secrets))
        return { http: 401, code: 'WEBHOOK.UNAUTHORIZED' };
      const store = shop.store;
      const { value: h, missing } = readDeliveryHeaders(headers);
      if (!h) return { http: 400, code: 'WEBHOOK.MISSING_HEADERS', missing };
      const topic = h.topic.toLowerCase();

      if (isPrivacyTopic(topic)) {
        let request: ReturnType<typeof readPrivacyRequest>;
        try {
          request = readPrivacyRequest(topic, parseShopifyJson(raw.toString('utf8')));
        } catch (err) {
          const reason =
            err instanceof z.ZodError ? describeZodError(err, 'body').message : 'body: not valid JSON';
          return { http: 400, code: 'WEBHOOK.INVALID_BODY', reason };
        }
        // Recorded once per delivery id: Shopify's retries find the first record.
        const recorded = await privacy.handle({
          webhookId: h.webhookId,
          topic,
          store,
          ...request,
        });
        deps.log.info(
          { topic, webhookId: h.webhookId, privacyRequestId: recorded.id },
          'privacy request recorded',
        );
        return { http: 200, status: 'recorded', topic, privacyRequestId: recorded.id };
      }
      if (!isHandledTopic(topic)) {
        deps.log.info(
          { topic, webhookId: h.webhookId, shop: h.shopDomain },
          'webhook topic not handled; acknowledged',
        );
        return { http: 200, status: 'ignored', topic };
      }
      const claim = await repo.claim({ ...h, topic });
      if (!claim.claimed) return { http: 200, status: 'duplicate', webhookId: h.webhookId };

      const payload = raw.toString('utf8');
      let d: Dispatch;
      try {
        d = toDispatch(topic, payload, h, store);
      } catch (err) {
        if (!(err instanceof PayloadInvalid)) {
          await repo.release(h.webhookId);
          throw err;
        }
        const id = await park({ ...h, topic }, payload, shopifyHeadersOf(headers), err.message);
        await repo.finish(h.webhookId, 'dead_lettered');
        return { http: 200, status: 'dead_lettered', deadLetterId: id, reason: err.message };
      }

      let off: Awaited<ReturnType<typeof switchedOff>>;
      try {
        off = await switchedOff(topic, d);
      } catch (err) {
        await repo.release(h.webhookId);
        deps.log.error({ err, topic, webhookId: h.webhookId }, 'webhook flow switch check failed');
        return { http: 503, code: 'WEBHOOK.UNAVAILABLE' };
      }
      if (off) {
        // Acknowledged and recorded (with the process it would have started), so Shopify stops retrying
        // and reconciliation knows it was not missed; nothing starts.
        await repo.finish(h.webhookId, 'switched_off', d.workflowId, off.reason);
        deps.log.info(
          { topic, webhookId: h.webhookId, workflowId: d.workflowId },
          'webhook for a switched-off flow',
        );
        return { http: 200, status: 'switched_off', topic, ...off };
      }

      try {
        await dispatch(d, store);
      } catch (err) {
        if (err instanceof ProcessClosed && LATE_UPDATES_ARE_HARMLESS.has(topic)) {
          // A customer or an order edited after its process finished: nothing is left to apply it to.
          await repo.finish(h.webhookId, 'ignored', d.workflowId);
          deps.log.info(
            { topic, webhookId: h.webhookId, workflowId: d.workflowId },
            'update for a finished process ignored',
          );
          return { http: 200, status: 'ignored', topic };
        }
        if (err instanceof ProcessClosed) {
          const id = await park({ ...h, topic }, payload, shopifyHeadersOf(headers), err.message);
          await repo.finish(h.webhookId, 'dead_lettered', d.workflowId);
          return { http: 200, status: 'dead_lettered', deadLetterId: id, reason: err.message };
        }
        // Temporal did not take it: give the claim back so Shopify's retry is processed.
        await repo.release(h.webhookId);
        deps.log.error(
          { err, topic, webhookId: h.webhookId, workflowId: d.workflowId },
          'webhook hand-off to Temporal failed',
        );
        return { http: 503, code: 'WEBHOOK.UNAVAILABLE' };
      }
      await repo.finish(h.webhookId, 'processed', d.workflowId);
      deps.log.debug({ topic, webhookId: h.webhookId, workflowId: d.workflowId }, 'webhook accepted');
      return { http: 200, status: 'accepted', workflowId: d.workflowId };
    },

    /** Replays a dead letter, with a corrected body when given; the outcome is recorded on the letter. */
    async replay(
      id: number,
      corrected?: string,
    ): Promise<
      | { ok: true; workflowId: string }
      | {
          ok: false;
          code:
            | 'DEAD_LETTER.NOT_FOUND'
            | 'DEAD_LETTER.ALREADY_REPLAYED'
            | 'DEAD_LETTER.STILL_INVALID'
            | 'DEAD_LETTER.PROCESS_CLOSED';
          reason: string;
        }
    > {
      const letter: DeadLetter | undefined = await repo.getDeadLetter(id);
      if (!letter) return { ok: false, code: 'DEAD_LETTER.NOT_FOUND', reason: `No dead letter ${id}.` };
      if (letter.status === 'replayed')
        return {
          ok: false,
          code: 'DEAD_LETTER.ALREADY_REPLAYED',
          reason: `Dead letter ${id} was replayed at ${letter.replayedAt}.`,
        };
      const topic = letter.topic;
      if (!isHandledTopic(topic))
        return { ok: false, code: 'DEAD_LETTER.STILL_INVALID', reason: `topic ${topic} is not handled` };
      const payload = corrected ?? letter.replayPayload ?? letter.payload;
      const h = {
        webhookId: letter.webhookId ?? `dead-letter-${id}`,
        eventId: letter.eventId ?? undefined,
        triggeredAt: letter.headers['x-shopify-triggered-at'] ?? letter.headers['shopify-triggered-at'],
      };
      // The letter belongs to the store of the shop that sent it (it was verified when it arrived).
      const store = shopOf(letter.shopDomain ?? undefined)?.store ?? deps.store;
      let d: Dispatch;
      try {
        d = toDispatch(topic, payload, h, store);
        await dispatch(d, store);
      } catch (err) {
        if (err instanceof PayloadInvalid || err instanceof ProcessClosed) {
          await repo.recordReplay(id, { ok: false, reason: err.message, payload: corrected ?? null });
          return {
            ok: false,
            code: err instanceof ProcessClosed ? 'DEAD_LETTER.PROCESS_CLOSED' : 'DEAD_LETTER.STILL_INVALID',
            reason: err.message,
          };
        }
        throw err;
      }
      await repo.recordReplay(id, { ok: true, workflowId: d.workflowId, payload: corrected ?? null });
      if (letter.webhookId) await repo.finish(letter.webhookId, 'processed', d.workflowId);
      await alerts.resolve(deadLetterAlertKey(id));
      deps.log.info({ deadLetterId: id, topic, workflowId: d.workflowId }, 'dead letter replayed');
      return { ok: true, workflowId: d.workflowId };
    },
  };
}

export type ShopifyIngress = ReturnType<typeof createShopifyIngress>;
