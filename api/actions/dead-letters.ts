import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import { webhookRepository, type DeadLetter } from '../../db/webhooks';
import type { Logger } from '../../platform/logger';
import { maySeeStore } from '../auth';
import { ApiError } from '../errors';
import { createShopifyIngress, type IngressShop } from '../webhooks/ingress';

const REPLAY_STATUS = {
  'DEAD_LETTER.NOT_FOUND': 404,
  'DEAD_LETTER.ALREADY_REPLAYED': 409,
  'DEAD_LETTER.PROCESS_CLOSED': 409,
  'DEAD_LETTER.STILL_INVALID': 422,
} as const;

/**
 * The dead-letter desk, for the REST routes (api/routes/webhooks.ts) and the dashboard alike: a
 * letter belongs to the store of the shop that sent it, so a principal limited to other stores
 * finds none of it.
 */
export function deadLetterActions(deps: {
  temporal: Client;
  db: Db;
  log: Logger;
  store: string;
  taskQueuePrefix: string;
  shops?: IngressShop[];
}) {
  // Replaying re-dispatches a stored delivery; it verifies no signature, so it needs no secret.
  const ingress = createShopifyIngress({ ...deps, secrets: [] });
  const maySee = (principal: Principal, letter: Pick<DeadLetter, 'shopDomain'>) =>
    maySeeStore(principal, ingress.storeOfShop(letter.shopDomain));
  const repo = webhookRepository(deps.db);
  const notFound = (id: number) => new ApiError(404, 'DEAD_LETTER.NOT_FOUND', `No dead letter ${id}.`);

  return {
    async list(
      principal: Principal,
      q: { status?: 'parked' | 'replayed'; limit: number },
    ): Promise<DeadLetter[]> {
      if (principal.stores !== null && principal.stores.length === 0) return [];
      return (await repo.listDeadLetters(q)).filter((l) => maySee(principal, l));
    },
    async get(principal: Principal, id: number): Promise<DeadLetter> {
      const letter = await repo.getDeadLetter(id);
      if (!letter || !maySee(principal, letter)) throw notFound(id);
      return letter;
    },
    /** Replays a parked delivery; `corrected` is the corrected webhook payload (raw JSON, big ids intact). */
    async replay(principal: Principal, id: number, corrected?: string): Promise<{ workflowId: string }> {
      const letter = await repo.getDeadLetter(id);
      if (!letter || !maySee(principal, letter)) throw notFound(id);
      const result = await ingress.replay(id, corrected);
      if (result.ok) {
        deps.log.info({ deadLetterId: id, principalId: principal.id }, 'dead letter replayed by a person');
        return { workflowId: result.workflowId };
      }
      throw new ApiError(REPLAY_STATUS[result.code], result.code, result.reason);
    },
  };
}

export type DeadLetterActions = ReturnType<typeof deadLetterActions>;
