import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import { webhookRepository, type DeadLetter } from '../../db/webhooks';
import type { Logger } from '../../platform/logger';
import { maySeeStore } from '../auth';
import { ApiError } from '../errors';
import { createShopifyIngress } from '../webhooks/ingress';

const REPLAY_STATUS = {
  'DEAD_LETTER.NOT_FOUND': 404,
  'DEAD_LETTER.ALREADY_REPLAYED': 409,
  'DEAD_LETTER.PROCESS_CLOSED': 409,
  'DEAD_LETTER.STILL_INVALID': 422,
} as const;

/**
 * The dead-letter desk, for the REST routes (api/routes/webhooks.ts) and the dashboard alike:
 * deliveries reach this API for its one store, so a principal limited to other stores finds none.
 */
export function deadLetterActions(deps: {
  temporal: Client;
  db: Db;
  log: Logger;
  store: string;
  taskQueuePrefix: string;
}) {
  // Replaying re-dispatches a stored delivery; it verifies no signature, so it needs no secret.
  const ingress = createShopifyIngress({ ...deps, secrets: [] });
  const repo = webhookRepository(deps.db);
  const notFound = (id: number) => new ApiError(404, 'DEAD_LETTER.NOT_FOUND', `No dead letter ${id}.`);

  return {
    async list(
      principal: Principal,
      q: { status?: 'parked' | 'replayed'; limit: number },
    ): Promise<DeadLetter[]> {
      return maySeeStore(principal, deps.store) ? repo.listDeadLetters(q) : [];
    },
    async get(principal: Principal, id: number): Promise<DeadLetter> {
      const letter = maySeeStore(principal, deps.store) ? await repo.getDeadLetter(id) : undefined;
      if (!letter) throw notFound(id);
      return letter;
    },
    /** Replays a parked delivery; `corrected` is the corrected webhook payload (raw JSON, big ids intact). */
    async replay(principal: Principal, id: number, corrected?: string): Promise<{ workflowId: string }> {
      if (!maySeeStore(principal, deps.store)) throw notFound(id);
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
