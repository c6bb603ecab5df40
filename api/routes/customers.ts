import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  applicantInfoSignal,
  customerApprovalDelivery,
  customerStatusQuery,
  customerWorkflowId,
} from '../../domain/contracts';
import { ApiError, inProcess, notFound, validate } from '../errors';
import { answerStatus, processRoutes, validateAddressed, type ProcessRouteDeps } from '../process';
import { CustomerApplication } from '../../domain/schemas/customer';

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

/** What the API answers about a customer's application besides its status. */
const answersFor = (id: string) => ({
  notFound: notFound('CUSTOMER.NOT_FOUND', `No application for customer ${id}.`),
  taken: inProcess(
    'CUSTOMER.ALREADY_APPLIED',
    `Customer ${id} already has an application from another registration.`,
  ),
});

/**
 * New-customer applications from the registration form (posted by the storefront's backend with
 * its API key): start the approval process, read where it stands, and pass on the applicant's
 * answers to a request for more information.
 */
export function customersRouter(deps: ProcessRouteDeps) {
  const { router, auth, operator, storeField, address, starter, mayActFor } = processRoutes(deps);
  const applicationOf = address(customerWorkflowId, answersFor);
  const Registration = CustomerApplication.extend({
    ...storeField,
    customerId: z.string().min(1).max(200).optional(),
    tags: z.array(z.string()).default([]),
    taxExempt: z.boolean().default(false),
  });
  const startApplication = starter('customers', 'registration', customerApprovalDelivery, answersFor);

  router.post('/customers/registrations', ...operator, validate({ body: Registration }), async (req, res) => {
    const body = req.body as z.infer<typeof Registration>;
    mayActFor(req, body.store);
    const application: CustomerApplication = {
      ...body,
      customerId: body.customerId ?? `reg-${randomUUID()}`,
    };
    const { customerId, store } = application;
    const started = await startApplication({ store, id: customerId, body }, (envelope) => ({
      ...envelope,
      application,
    }));
    res.status(started.status).json({ workflowId: started.workflowId, customerId });
  });

  router.get(
    '/customers/:id/application',
    auth,
    validateAddressed(),
    answerStatus(applicationOf, customerStatusQuery),
  );

  /** The applicant's answer to a request for more information. */
  router.post('/customers/:id/application/info', ...operator, validateAddressed(Info), async (req, res) => {
    const application = applicationOf(req);
    const status = await application.call((h) => h.query(customerStatusQuery));
    if (status.step !== 'awaitingApplicant' && status.step !== 'awaitingDecision') {
      throw new ApiError(
        409,
        'CUSTOMER.NOT_AWAITING_INFO',
        `The application is ${status.step}; it takes no more information.`,
      );
    }
    await application.call((h) => h.signal(applicantInfoSignal, req.body as z.infer<typeof Info>));
    res.status(202).json({ workflowId: application.workflowId });
  });

  return router;
}
