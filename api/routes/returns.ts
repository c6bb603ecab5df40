import { z } from 'zod';
import {
  goodsReceivedSignal,
  inspectReturnUpdate,
  returnDelivery,
  returnStatusQuery,
  returnWorkflowId,
} from '../../domain/contracts';
import type { StorefrontReturnEvent } from '../../domain/returns';
import { principalOf } from '../auth';
import { ApiError, validate } from '../errors';
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

/** Returns from the API: start one (same process as a storefront returns/request), read it, and record warehouse events. */
export function returnsRouter(deps: ProcessRouteDeps) {
  const { router, auth, operator, storeField, address, deliver, mayActFor, apiEvent, requestEventId } =
    processRoutes(deps);
  const returnOf = address(returnWorkflowId, (id) => ({
    notFound: new ApiError(404, 'RETURN.NOT_FOUND', `No return ${id}.`),
  }));
  const Body = ReturnRequest.extend({
    ...storeField,
    requestedAt: z.string().datetime().optional(),
  });

  router.post('/returns', ...operator, validate({ body: Body }), async (req, res) => {
    const body = req.body as z.infer<typeof Body>;
    mayActFor(req, body.store);
    const request: ReturnRequest = { ...body, requestedAt: body.requestedAt ?? new Date().toISOString() };
    const delivery = returnDelivery(request.store, request.returnId);
    const eventId = requestEventId('api', request.returnId, body);
    const event: StorefrontReturnEvent = { ...apiEvent('api', eventId), request };
    const taken = new ApiError(
      409,
      'RETURN.ALREADY_REQUESTED',
      `Return ${request.returnId} is already in process for another request.`,
    );
    const status = await deliver({ flow: 'returns', store: request.store }, delivery, event, taken);
    res.status(status).json({ workflowId: delivery.workflowId, returnId: request.returnId });
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
