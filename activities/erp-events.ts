import type { Client } from '@temporalio/client';
import { syncRepository } from '../db/sync';
import { withItemGroups } from './item-groups';
import type { Db } from '../db/pool';
import type { ErpFulfillment, ErpInvoice, ErpPort } from '../domain/erp';
import { taskQueue } from '../domain/contracts';
import {
  ERP_EVENTS_TASK_QUEUE,
  ERP_EVENTS_WORKFLOW,
  erpEventsWorkflowId,
  type ErpCursors,
  type ErpEventsInput,
} from '../domain/contracts/erp-events';
import type { FlowSnapshot } from '../domain/flow-switches';
import { flowGate, type FlowGate } from './flows';
import { startOnce } from '../platform/temporal-client';

export interface ErpEventDeps {
  db: Db;
  erp: ErpPort;
}

/** The ERP change poller's activity: one page of each feed, with the cursors saved in Postgres. */
export function createErpEventActivities({ db, erp: erpPort }: ErpEventDeps) {
  const cursorsRepo = syncRepository(db);
  // Fulfillments and invoices of item groups' component lines come back on the store's kit lines.
  const erp = withItemGroups(erpPort, (skus) => cursorsRepo.itemGroups(skus));
  return {
    async pollErpChanges(input: {
      store: string;
      cursors: ErpCursors | null;
      pageSize: number;
      /** The run's flow switches: with fulfillments off (ERP → store), that feed is not read and its cursor stays. */
      flows?: FlowSnapshot;
    }): Promise<{
      fulfillments: ErpFulfillment[];
      invoices: ErpInvoice[];
      cursors: ErpCursors;
      hasMore: boolean;
      flowGate?: Exclude<FlowGate, 'run'>;
    }> {
      const names = {
        fulfillments: `erp:${input.store}:fulfillments`,
        invoices: `erp:${input.store}:invoices`,
      };
      let cursors = input.cursors;
      if (cursors === null) {
        cursors = {
          fulfillments: await cursorsRepo.cursor(names.fulfillments),
          invoices: await cursorsRepo.cursor(names.invoices),
        };
      } else {
        // Everything before these cursors has been signalled: they are the poller's committed position.
        await cursorsRepo.saveCursor(names.fulfillments, cursors.fulfillments);
        await cursorsRepo.saveCursor(names.invoices, cursors.invoices);
      }
      const gate = await flowGate(db, input.store, input.flows, 'fulfillments', 'erpToStore');
      if (gate === 'resnapshot')
        return { fulfillments: [], invoices: [], cursors, hasMore: false, flowGate: gate };
      const none = { items: [] as ErpFulfillment[], nextCursor: cursors.fulfillments, hasMore: false };
      const [f, i] = await Promise.all([
        gate === 'skip' ? none : erp.fulfillmentsSince(cursors.fulfillments, input.pageSize),
        erp.invoicesSince(cursors.invoices, input.pageSize),
      ]);
      return {
        ...(gate === 'skip' ? { flowGate: gate } : {}),
        fulfillments: f.items,
        invoices: i.items,
        cursors: {
          fulfillments: f.nextCursor ?? cursors.fulfillments,
          invoices: i.nextCursor ?? cursors.invoices,
        },
        hasMore: f.hasMore || i.hasMore,
      };
    },
  };
}

export type ErpEventActivities = ReturnType<typeof createErpEventActivities>;

/** Starts the store's ERP change poller unless it is already running (called once at worker start-up). */
export async function ensureErpEventsPoller(
  client: Client,
  opts: { store: string; taskQueuePrefix: string; pollEvery?: string; pageSize?: number },
): Promise<{ workflowId: string; started: boolean }> {
  const workflowId = erpEventsWorkflowId(opts.store);
  const args: ErpEventsInput = {
    store: opts.store,
    cursors: null,
    pollEvery: opts.pollEvery ?? '2s',
    pageSize: opts.pageSize ?? 100,
  };
  const started = await startOnce(() =>
    client.workflow.start(ERP_EVENTS_WORKFLOW, {
      workflowId,
      taskQueue: taskQueue(ERP_EVENTS_TASK_QUEUE, opts.taskQueuePrefix),
      args: [args],
    }),
  );
  return { workflowId, started };
}
