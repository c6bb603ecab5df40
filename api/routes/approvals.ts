import { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import { authenticate, principalOf } from '../auth';
import { validate } from '../errors';
import { approvalActions } from '../actions/approvals';
import { Decision } from '../../domain/schemas/approvals';

const Params = z.object({ id: z.string().min(1).max(400) });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const DecisionBody = Decision.strict();

/**
 * The approver API: pending decisions the caller may see, the context to decide one, and the
 * decision itself, sent to the waiting workflow as its `decide` update. Approvals outside the
 * caller's scope answer exactly like approvals that do not exist.
 */
export function approvalsRouter({ temporal, db }: { temporal: Client; db: Db }) {
  const router = Router();
  const actions = approvalActions({ temporal, db });
  const auth = authenticate(db);

  router.get('/approvals', auth, validate({ query: ListQuery }), async (req, res) => {
    const q = req.query as unknown as z.infer<typeof ListQuery>;
    res.json({ approvals: await actions.pending(principalOf(req), q.limit) });
  });

  router.get('/approvals/:id', auth, validate({ params: Params }), async (req, res) => {
    const { id } = req.params as z.infer<typeof Params>;
    res.json(await actions.detail(principalOf(req), id));
  });

  router.post(
    '/approvals/:id/decision',
    auth,
    validate({ params: Params, body: DecisionBody }),
    async (req, res) => {
      const p = principalOf(req);
      const { id } = req.params as z.infer<typeof Params>;
      const result = await actions.decide(p, id, req.body as Decision);
      req.log?.info(
        { approvalId: id, workflowId: result.workflowId, outcome: result.outcome, principal: p.id },
        'approval decided',
      );
      res.json(result);
    },
  );

  return router;
}
