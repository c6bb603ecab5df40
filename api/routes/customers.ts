import { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import { CustomerApplication, type StorefrontCustomerEvent } from '../../domain/customer';
import {
  applicantInfoSignal,
  CUSTOMER_APPROVAL_WORKFLOW,
  CUSTOMER_TASK_QUEUE,
  customerEventSignal,
  customerStatusQuery,
  customerWorkflowId,
  taskQueue,
  type CustomerApprovalWorkflow,
} from '../../domain/contracts';
import { refuseSwitchedOff } from '../flow-gate';
import { authenticate, maySeeStore, principalOf, requireRole } from '../auth';
import { ApiError, validate, whenFound } from '../errors';

const Params = z.object({ id: z.string().min(1).max(200) });
const StoreQuery = z.object({ store: z.string().min(1).optional() });
const Info = z
  .object({
    message: z.string().min(1).max(5000),
    changes: CustomerApplication.pick({
      companyName: true,
      taxId: true,
      taxExempt: true,
      requestedTerms: true,
      requestedCreditLimit: true,
      address: true,
      firstName: true,
      lastName: true,
    })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

/**
 * New-customer applications from the registration form (posted by the storefront's backend with
 * its API key): start the approval process, read where it stands, and pass on the applicant's
 * answers to a request for more information.
 */
const noApplication = (id: string) =>
  new ApiError(404, 'CUSTOMER.NOT_FOUND', `No application for customer ${id}.`);

export function customersRouter({
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
  const Registration = CustomerApplication.extend({
    store: z.string().min(1).default(store),
    customerId: z.string().min(1).max(200).optional(),
    tags: z.array(z.string()).default([]),
    taxExempt: z.boolean().default(false),
  });

  const storeFor = (req: { principal?: Principal; query: unknown }, id: string) => {
    const s = (req.query as z.infer<typeof StoreQuery>).store ?? store;
    if (!maySeeStore(principalOf(req), s))
      throw new ApiError(404, 'CUSTOMER.NOT_FOUND', `No application for customer ${id}.`);
    return s;
  };

  router.post(
    '/customers/registrations',
    auth,
    requireRole('operator', 'admin'),
    validate({ body: Registration }),
    async (req, res) => {
      const body = req.body as z.infer<typeof Registration>;
      if (!maySeeStore(principalOf(req), body.store))
        throw new ApiError(403, 'AUTH.FORBIDDEN', `You may not act for store ${body.store}.`);
      const application: CustomerApplication = {
        ...body,
        customerId: body.customerId ?? `reg-${randomUUID()}`,
      };
      const workflowId = customerWorkflowId(application.store, application.customerId);
      await refuseSwitchedOff({ temporal, db, store: application.store }, 'customers', workflowId);
      const event: StorefrontCustomerEvent = {
        topic: 'registration',
        eventId: `registration:${application.customerId}`,
        triggeredAt: new Date().toISOString(),
        application,
      };
      await temporal.workflow.signalWithStart<CustomerApprovalWorkflow, [StorefrontCustomerEvent]>(
        CUSTOMER_APPROVAL_WORKFLOW,
        {
          workflowId,
          taskQueue: taskQueue(CUSTOMER_TASK_QUEUE, taskQueuePrefix),
          args: [{ store: application.store, customerId: application.customerId }],
          signal: customerEventSignal,
          signalArgs: [event],
        },
      );
      res.status(202).json({ workflowId, customerId: application.customerId });
    },
  );

  router.get(
    '/customers/:id/application',
    auth,
    validate({ params: Params, query: StoreQuery }),
    async (req, res) => {
      const { id } = req.params as z.infer<typeof Params>;
      const workflowId = customerWorkflowId(storeFor(req, id), id);
      const status = await whenFound(
        () => temporal.workflow.getHandle(workflowId).query(customerStatusQuery),
        noApplication(id),
      );
      res.json({ workflowId, ...status });
    },
  );

  /** The applicant's answer to a request for more information. */
  router.post(
    '/customers/:id/application/info',
    auth,
    requireRole('operator', 'admin'),
    validate({ params: Params, query: StoreQuery, body: Info }),
    async (req, res) => {
      const { id } = req.params as z.infer<typeof Params>;
      const workflowId = customerWorkflowId(storeFor(req, id), id);
      const handle = temporal.workflow.getHandle(workflowId);
      const status = await whenFound(() => handle.query(customerStatusQuery), noApplication(id));
      if (status.step !== 'awaitingApplicant' && status.step !== 'awaitingDecision') {
        throw new ApiError(
          409,
          'CUSTOMER.NOT_AWAITING_INFO',
          `The application is ${status.step}; it takes no more information.`,
        );
      }
      await whenFound(
        () => handle.signal(applicantInfoSignal, req.body as z.infer<typeof Info>),
        noApplication(id),
      );
      res.status(202).json({ workflowId });
    },
  );

  return router;
}
