import { Router } from 'express';
import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  goodsReceivedSignal,
  inspectReturnUpdate,
  RETURN_TASK_QUEUE,
  RETURN_WORKFLOW,
  returnEventSignal,
  returnStatusQuery,
  returnWorkflowId,
  taskQueue,
  type ReturnWorkflow,
} from '../../domain/contracts';
import { ReturnRequest, type StorefrontReturnEvent } from '../../domain/returns';
import { refuseSwitchedOff } from '../flow-gate';
import { authenticate, maySeeStore, principalOf, requireRole } from '../auth';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import { ApiError, validate, whenFound } from '../errors';

const Params = z.object({ id: z.string().min(1).max(200) });
const StoreQuery = z.object({ store: z.string().min(1).optional() });
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
const noReturn = (id: string) => new ApiError(404, 'RETURN.NOT_FOUND', `No return ${id}.`);

export function returnsRouter({
  temporal,
  db,
  store,
  taskQueuePrefix,
}: {
  temporal: Client;
  db: Db;
  store: string;
  taskQueuePrefix: string;
}) {
  const router = Router();
  const auth = authenticate(db);
  const Body = ReturnRequest.extend({
    store: z.string().min(1).default(store),
    requestedAt: z.string().datetime().optional(),
  });

  const storeFor = (req: { principal?: Principal; query: unknown }, id: string) => {
    const s = (req.query as z.infer<typeof StoreQuery>).store ?? store;
    if (!maySeeStore(principalOf(req), s)) throw new ApiError(404, 'RETURN.NOT_FOUND', `No return ${id}.`);
    return s;
  };

  router.post(
    '/returns',
    auth,
    requireRole('operator', 'admin'),
    validate({ body: Body }),
    async (req, res) => {
      const body = req.body as z.infer<typeof Body>;
      if (!maySeeStore(principalOf(req), body.store))
        throw new ApiError(403, 'AUTH.FORBIDDEN', `You may not act for store ${body.store}.`);
      const request: ReturnRequest = { ...body, requestedAt: body.requestedAt ?? new Date().toISOString() };
      const workflowId = returnWorkflowId(request.store, request.returnId);
      await refuseSwitchedOff({ temporal, db, store: request.store }, 'returns', workflowId);
      const event: StorefrontReturnEvent = {
        topic: 'api',
        eventId: `api:${request.returnId}`,
        triggeredAt: new Date().toISOString(),
        request,
      };
      await temporal.workflow.signalWithStart<ReturnWorkflow, [StorefrontReturnEvent]>(RETURN_WORKFLOW, {
        workflowId,
        taskQueue: taskQueue(RETURN_TASK_QUEUE, taskQueuePrefix),
        args: [{ store: request.store, returnId: request.returnId }],
        signal: returnEventSignal,
        signalArgs: [event],
      });
      res.status(202).json({ workflowId, returnId: request.returnId });
    },
  );

  router.get('/returns/:id', auth, validate({ params: Params, query: StoreQuery }), async (req, res) => {
    const { id } = req.params as z.infer<typeof Params>;
    const workflowId = returnWorkflowId(storeFor(req, id), id);
    const status = await whenFound(
      () => temporal.workflow.getHandle(workflowId).query(returnStatusQuery),
      noReturn(id),
    );
    res.json({ workflowId, ...status });
  });

  /** The warehouse's inspection result: restock, scrap or warranty per line. */
  router.post(
    '/returns/:id/inspection',
    auth,
    requireRole('operator', 'admin'),
    validate({ params: Params, query: StoreQuery, body: Inspection }),
    async (req, res) => {
      const { id } = req.params as z.infer<typeof Params>;
      const workflowId = returnWorkflowId(storeFor(req, id), id);
      const body = req.body as z.infer<typeof Inspection>;
      try {
        const handle = temporal.workflow.getHandle(workflowId);
        const status = await whenFound(
          () =>
            handle.executeUpdate(inspectReturnUpdate, {
              args: [{ ...body, inspectedBy: principalOf(req).name }],
            }),
          noReturn(id),
        );
        res.json({ workflowId, step: status.step });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
          throw new ApiError(409, 'RETURN.INSPECTION_REFUSED', err.cause.message);
        throw err;
      }
    },
  );

  /** A warehouse receipt reported outside the ERP's own events. */
  router.post(
    '/returns/:id/received',
    auth,
    requireRole('operator', 'admin'),
    validate({ params: Params, query: StoreQuery }),
    async (req, res) => {
      const { id } = req.params as z.infer<typeof Params>;
      const workflowId = returnWorkflowId(storeFor(req, id), id);
      await whenFound(
        () =>
          temporal.workflow
            .getHandle(workflowId)
            .signal(goodsReceivedSignal, { receivedAt: new Date().toISOString() }),
        noReturn(id),
      );
      res.status(202).json({ workflowId });
    },
  );

  return router;
}
