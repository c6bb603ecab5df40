import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ErpEventActivities } from '../activities/erp-events';
import {
  erpEventsStatusQuery,
  stopErpEventsSignal,
  type ErpEventsInput,
  type ErpEventsStatus,
} from '../domain/contracts/erp-events';
import {
  erpFulfillmentSignal,
  erpInvoiceSignal,
  orderWorkflowId,
  parseErpOrderExternalId,
} from '../domain/contracts/order';
import { PROFILES } from './activity-profiles';
import { flowsOfRun } from './sync-loops';

const { pollErpChanges } = proxyActivities<ErpEventActivities>(PROFILES.erpCall);

/** Polls in one run before continuing as new (the history stays small; only the cursors carry over). */
const POLLS_PER_RUN = 500;

/**
 * The ERP change poller: reads fulfillments and invoices changed since its cursors and signals each
 * to its order's workflow (found by the sales order's external id). Long-running; continues as new
 * carrying only the cursors.
 */
export async function erpEvents(input: ErpEventsInput): Promise<ErpEventsStatus> {
  let stop = false;
  const status: ErpEventsStatus = { cursors: input.cursors, polls: 0, delivered: 0, unmatched: 0 };
  setHandler(stopErpEventsSignal, () => void (stop = true));
  setHandler(erpEventsStatusQuery, () => status);
  // Each run snapshots the store's flow switches (fulfillments ERP → store); a change ends the run.
  const flows = await flowsOfRun(input.store, 'local');

  while (!stop) {
    const page = await pollErpChanges.executeWithOptions(
      { summary: `Poll ERP fulfillments and invoices for ${input.store}` },
      [
        {
          store: input.store,
          cursors: status.cursors,
          pageSize: input.pageSize,
          ...(flows ? { flows } : {}),
        },
      ],
    );
    if (page.flowGate === 'resnapshot') {
      status.cursors = page.cursors;
      await continueAsNew<typeof erpEvents>({ ...input, cursors: status.cursors });
    }
    status.polls += 1;
    const deliveries: Promise<void>[] = [];
    const deliver = (externalId: string, send: (workflowId: string) => Promise<void>) => {
      const target = parseErpOrderExternalId(externalId);
      if (!target || target.store !== input.store) {
        status.unmatched += 1;
        return;
      }
      deliveries.push(
        send(orderWorkflowId(target.store, target.orderId)).then(
          () => void (status.delivered += 1),
          (err: unknown) => {
            status.unmatched += 1;
            log.warn('ERP document for an order without a running process', {
              externalId,
              error: String(err),
            });
          },
        ),
      );
    };
    for (const f of page.fulfillments)
      deliver(f.salesOrderExternalId, (id) => getExternalWorkflowHandle(id).signal(erpFulfillmentSignal, f));
    for (const i of page.invoices)
      deliver(i.salesOrderExternalId, (id) => getExternalWorkflowHandle(id).signal(erpInvoiceSignal, i));
    await Promise.all(deliveries);
    status.cursors = page.cursors;
    if (!page.hasMore) await condition(() => stop, input.pollEvery);
    if (!stop && (status.polls >= POLLS_PER_RUN || workflowInfo().continueAsNewSuggested)) {
      await continueAsNew<typeof erpEvents>({ ...input, cursors: status.cursors });
    }
  }
  return status;
}
