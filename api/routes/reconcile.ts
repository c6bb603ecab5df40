import { Router } from 'express';
import { z } from 'zod';
import { reconcileRepository } from '../../db/reconcile';
import { storeOfRequest, storeOperators, type StoreRouteDeps } from '../auth';
import { notFound, validate } from '../errors';

const ReportParams = z.object({ id: z.coerce.number().int().positive() });
const ReportsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) });

/**
 * The reconciliation's reports: each pass's window, what it found, what it repaired and what it could
 * not repair, and why. Operators of the API's store read them; anyone else finds none.
 */
export function reconcileRouter(deps: StoreRouteDeps): Router {
  const router = Router();
  const reports = reconcileRepository(deps.db);
  // Each store's reports (`?store=`, default the primary store).
  router.use('/reconcile', ...storeOperators(deps));

  router.get('/reconcile/reports', validate({ query: ReportsQuery }), async (req, res) => {
    const q = req.query as unknown as z.infer<typeof ReportsQuery>;
    res.json({ reports: await reports.latest([storeOfRequest(res)], q.limit) });
  });

  router.get('/reconcile/reports/:id', validate({ params: ReportParams }), async (req, res) => {
    const { id } = req.params as unknown as z.infer<typeof ReportParams>;
    const report = await reports.get(id, [storeOfRequest(res)]);
    if (!report) throw notFound('RECONCILE.REPORT_NOT_FOUND', `No reconciliation report ${id}.`);
    res.json({ report });
  });

  return router;
}
