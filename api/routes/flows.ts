import { Router } from 'express';
import { z } from 'zod';
import { flowAudit, flowSwitchesConfig } from '../../db/flow-switches';
import { FLOW_DIRECTIONS, FLOWS, flowChanges } from '../../domain/flow-switches';
import { principalOf, requireRole, storeOfRequest, storeOperators, type StoreRouteDeps } from '../auth';
import { ApiError, savedOrInvalid, validate } from '../errors';

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
  const { db } = deps;
  const router = Router();
  // Each store's switches are its own (`?store=`, default the primary store).
  router.use('/config/flows', ...storeOperators(deps));

  router.get('/config/flows', async (_req, res) => {
    const store = storeOfRequest(res);
    const config = flowSwitchesConfig(store);
    const [current, audit] = await Promise.all([config.current(db), flowAudit(db, store)]);
    res.json({
      store,
      current: {
        version: current.version,
        switches: current.value,
        ...(current.createdBy ? { createdAt: current.createdAt, createdBy: current.createdBy } : {}),
      },
      directions: FLOW_DIRECTIONS,
      audit,
    });
  });

  router.put('/config/flows', requireRole('admin'), validate({ body: SaveFlows }), async (req, res) => {
    const body = req.body as z.infer<typeof SaveFlows>;
    const unknown = Object.keys(body.switches).filter((f) => !(FLOWS as readonly string[]).includes(f));
    if (unknown.length > 0)
      throw new ApiError(
        400,
        'FLOWS.INVALID',
        `body.switches: no flow ${unknown.join(', ')}; the flows are ${FLOWS.join(', ')}`,
        {
          fields: unknown.map((f) => ({ path: `body.switches.${f}`, message: 'not a flow' })),
        },
      );
    const config = flowSwitchesConfig(storeOfRequest(res));
    const before = (await config.current(db)).value;
    const merged = Object.fromEntries(FLOWS.map((f) => [f, { ...before[f], ...(body.switches[f] ?? {}) }]));
    const saved = await savedOrInvalid(
      () => config.save(db, merged, principalOf(req).name, body.comment),
      'FLOWS.INVALID',
      'body.switches',
    );
    res.json({ version: saved.version, switches: saved.value, changes: flowChanges(before, saved.value) });
  });

  return router;
}
