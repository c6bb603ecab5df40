import { z } from 'zod';
import {
  goodsReceivedSignal,
  inspectReturnUpdate,
  returnDelivery,
  returnStatusQuery,
  returnWorkflowId,
} from '../../domain/contracts';
import { principalOf } from '../auth';
import { inProcess, notFound, validate } from '../errors';
import { answerStatus, processRoutes, validateAddressed, type ProcessRouteDeps } from '../process';
import { ReturnRequest } from '../../domain/schemas/returns';

const Inspection = z
  .object({
    lines: z
      .array(
        z.object({
          lineId: z.string().min(1),
          quantity: z.number().int().nonnegative(),
          disposition: z.enum(['restock', 'scrap', 'warranty']),
        }),
      )
      .min(1),
    note: z.string().max(2000).optional(),
  })
  .strict();

/** What the API answers about a return besides its status. */
const answersFor = (id: string) => ({
  notFound: notFound('RETURN.NOT_FOUND', `No return ${id}.`),
  taken: inProcess('RETURN.ALREADY_REQUESTED', `Return ${id} is already in process for another request.`),
});

/** Returns from the API: start one (same process as a storefront returns/request), read it, and record warehouse events. */
export function returnsRouter(deps: ProcessRouteDeps) {
  const { router, auth, operator, storeField, address, starter, mayActFor } = processRoutes(deps);
  const returnOf = address(returnWorkflowId, answersFor);
  const Body = ReturnRequest.extend({
    ...storeField,
    requestedAt: z.string().datetime().optional(),
  });
  const startReturn = starter('returns', 'api', returnDelivery, answersFor);

  router.post('/returns', ...operator, validate({ body: Body }), async (req, res) => {
    const body = req.body as z.infer<typeof Body>;
    mayActFor(req, body.store);
    const request: ReturnRequest = { ...body, requestedAt: body.requestedAt ?? new Date().toISOString() };
    const { returnId, store } = request;
    const started = await startReturn({ store, id: returnId, body }, (envelope) => ({
      ...envelope,
      request,
    }));
    res.status(started.status).json({ workflowId: started.workflowId, returnId });
  });

  router.get('/returns/:id', auth, validateAddressed(), answerStatus(returnOf, returnStatusQuery));

  /** The warehouse's inspection result: restock, scrap or warranty per line. */
  router.post('/returns/:id/inspection', ...operator, validateAddressed(Inspection), async (req, res) => {
    const ret = returnOf(req);
    const body = req.body as z.infer<typeof Inspection>;
    const status = await ret.call((h) =>
      h.executeUpdate(inspectReturnUpdate, { args: [{ ...body, inspectedBy: principalOf(req).name }] }),
    );
    res.json({ workflowId: ret.workflowId, step: status.step });
  });

  /** A warehouse receipt reported outside the ERP's own events. */
  router.post('/returns/:id/received', ...operator, validateAddressed(), async (req, res) => {
    const ret = returnOf(req);
    await ret.call((h) => h.signal(goodsReceivedSignal, { receivedAt: new Date().toISOString() }));
    res.status(202).json({ workflowId: ret.workflowId });
  });

  return router;
}
