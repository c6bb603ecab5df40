import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/pool';
import { privacyRepository } from '../../db/privacy';
import { authenticate, maySeeStore, principalOf, requireRole } from '../auth';
import { ApiError, validate } from '../errors';

const RequestParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

/**
 * Shopify privacy requests as recorded by the webhook ingress: operators and admins fetch a data
 * request's export (to hand to the merchant) and see what each erasure removed and kept, and why.
 */
export function privacyRouter({ db }: { db: Db }): Router {
  const router = Router();
  const repo = privacyRepository(db);
  router.use('/privacy', authenticate(db), requireRole('operator', 'admin'));

  router.get('/privacy/requests', async (req, res) => {
    res.json({ requests: await repo.list(principalOf(req).stores) });
  });

  router.get('/privacy/requests/:id', validate({ params: RequestParams }), async (req, res) => {
    const { id } = req.params as unknown as z.infer<typeof RequestParams>;
    const found = await repo.get(id);
    // Another store's request answers exactly like a missing one.
    if (!found || !maySeeStore(principalOf(req), found.store))
      throw new ApiError(404, 'PRIVACY_REQUEST.NOT_FOUND', `No privacy request ${id}.`);
    res.json(found);
  });
  return router;
}
