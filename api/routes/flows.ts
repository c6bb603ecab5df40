import { Router } from 'express';
import { z } from 'zod';
import { flowActions } from '../actions/flows';
import { principalOf, requireRole, storeOfRequest, storeOperators, type StoreRouteDeps } from '../auth';
import { validate } from '../errors';

const SaveFlows = z.strictObject({
  /** Per flow `{enabled?, direction?}`; flows and fields left out keep their current value. */
  switches: z.record(z.string(), z.record(z.string(), z.unknown())),
  comment: z.string().max(500).optional(),
});

/**
 * Per-flow switches of this store: operators read them with their audit (who, when, before and
 * after); an admin of the store changes them. Processes started after a change honour it; running
 * ones keep the switches they started with.
 */
export function flowsRouter(deps: StoreRouteDeps): Router {
  const router = Router();
  const flows = flowActions(deps);
  // Each store's switches are its own (`?store=`, default the primary store).
  router.use('/config/flows', ...storeOperators(deps));

  router.get('/config/flows', async (req, res) => {
    res.json(await flows.get(principalOf(req), storeOfRequest(res)));
  });

  router.put('/config/flows', requireRole('admin'), validate({ body: SaveFlows }), async (req, res) => {
    const body = req.body as z.infer<typeof SaveFlows>;
    res.json(await flows.save(principalOf(req), storeOfRequest(res), body.switches, body.comment));
  });

  return router;
}
