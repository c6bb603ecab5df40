import { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import type { Logger } from '../../platform/logger';
import { validate } from '../errors';
import { deadLetterActions } from '../actions/dead-letters';
import { boundedRawBody } from '../body';
import { createShopifyIngress, type IngressOutcome, type IngressShop } from '../webhooks/ingress';
import { shopifyHeader } from '../../connectors/shopify/webhooks';
import { authenticate, principalOf, requireRole } from '../auth';

const DeadLetterParams = z.object({ id: z.coerce.number().int().positive() });
const DeadLetterQuery = z.object({
  status: z.enum(['parked', 'replayed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Why a delivery was refused, in the words the answer carries. */
function refusalMessage(outcome: Exclude<IngressOutcome, { http: 200 }>): string {
  switch (outcome.http) {
    case 401:
      return 'The webhook signature (X-Shopify-Hmac-Sha256) is missing or wrong.';
    case 400:
      return outcome.code === 'WEBHOOK.MISSING_HEADERS'
        ? `Missing webhook headers: ${outcome.missing.join(', ')}.`
        : `The privacy request body is not Shopify's shape: ${outcome.reason}`;
    case 503:
      return 'The delivery could not be handed to Temporal; retry later.';
  }
}

export interface WebhooksRouterDeps {
  temporal: Client;
  db: Db;
  log: Logger;
  store: string;
  taskQueuePrefix: string;
  shopifySecret?: string;
  shopifySecretPrevious?: string;
  /** Every store's shop domain and webhook secrets (absent: the primary store's secrets alone). */
  shops?: IngressShop[];
}

/**
 * Shopify webhook ingress and its dead-letter desk. Mounted before the global JSON parser: the
 * signature is computed over the raw request bytes, so these routes read the body as a Buffer.
 */
export function webhooksRouter(deps: WebhooksRouterDeps) {
  const router = Router();
  const secrets = [deps.shopifySecret, deps.shopifySecretPrevious].filter((s): s is string => Boolean(s));
  const ingress = createShopifyIngress({ ...deps, secrets });
  const deadLetters = deadLetterActions(deps);
  const limit = 5 * 1024 * 1024;
  // An unsigned delivery is refused from its headers, and an oversized one from its Content-Length,
  // before the body is read; a body streamed past the limit is cut there.
  const webhookBody = boundedRawBody(limit, (req) =>
    shopifyHeader(req.headers, 'hmac-sha256')
      ? null
      : {
          status: 401,
          code: 'WEBHOOK.UNAUTHORIZED',
          message: 'The webhook signature (X-Shopify-Hmac-Sha256) is missing or wrong.',
        },
  );
  const rawBody = boundedRawBody(limit);

  router.post('/webhooks/shopify', webhookBody, async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const outcome = await ingress.handle(raw, req.headers);
    if (outcome.http !== 200) {
      res
        .status(outcome.http)
        .json({ code: outcome.code, message: refusalMessage(outcome), requestId: String(req.id ?? '') });
      return;
    }
    res
      .status(200)
      .json(
        outcome.status === 'dead_lettered'
          ? { status: outcome.status, deadLetterId: outcome.deadLetterId }
          : outcome,
      );
  });

  const operator = [authenticate(deps.db), requireRole('operator', 'admin')];
  router.get(
    '/webhooks/dead-letters',
    ...operator,
    validate({ query: DeadLetterQuery }),
    async (req, res) => {
      const q = req.query as unknown as z.infer<typeof DeadLetterQuery>;
      res.json({ deadLetters: await deadLetters.list(principalOf(req), q) });
    },
  );

  router.get(
    '/webhooks/dead-letters/:id',
    ...operator,
    validate({ params: DeadLetterParams }),
    async (req, res) => {
      const { id } = req.params as unknown as z.infer<typeof DeadLetterParams>;
      res.json(await deadLetters.get(principalOf(req), id));
    },
  );

  /** Replays a parked delivery; a non-empty body is the corrected webhook payload (raw JSON, big ids intact). */
  router.post(
    '/webhooks/dead-letters/:id/replay',
    ...operator,
    rawBody,
    validate({ params: DeadLetterParams }),
    async (req, res) => {
      const { id } = req.params as unknown as z.infer<typeof DeadLetterParams>;
      const corrected =
        Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body.toString('utf8') : undefined;
      const { workflowId } = await deadLetters.replay(principalOf(req), id, corrected);
      res.json({ status: 'replayed', workflowId });
    },
  );

  return router;
}
