import type { Client } from '@temporalio/client';
import { ensureErpEventsPoller } from '../activities/erp-events';
import {
  CATALOG_PAGE_SIZE,
  CATALOG_SYNC_TASK_QUEUE,
  catalogSyncWorkflowId,
  INVENTORY_SYNC_TASK_QUEUE,
  inventorySyncWorkflowId,
  ORDER_TASK_QUEUE,
  RECONCILE_PASS_TASK_QUEUE,
  RECONCILE_PASS_WORKFLOW,
  reconcileScheduleId,
  reconcileWorkflowId,
  type ReconcilePassInput,
  STORE_CATALOG_TASK_QUEUE,
  STORE_COMPANY_TASK_QUEUE,
  STORE_PRICING_TASK_QUEUE,
  storeCatalogWorkflowId,
  storeCompanyWorkflowId,
  storePricingWorkflowId,
  taskQueue,
} from '../domain/contracts';
import type { Config } from '../platform/config';
import { slaRulesConfig } from '../db/alerts';
import type { Db } from '../db/pool';
import { ensureIntervalSchedule, ensureSlaSchedule } from '../platform/schedules';
import type { Logger } from '../platform/logger';
import { startOnce } from '../platform/temporal-client';
import {
  catalogSync,
  inventorySync,
  storeCatalogSync,
  storeCompanySync,
  storePricingSync,
} from '../workflows';

/**
 * Makes sure the processes that run for as long as Quayside does are running: the ERP change poller
 * (fulfillments, invoices → order workflows), the inventory sync, the catalog/price/credit sync and
 * the ERP customers → store companies sync, the ERP items → store products sync and the reconciliation that finds orders whose webhooks
 * never arrived; with alerts on, the store's SLA schedule.
 * Idempotent: an existing run is left alone.
 */
export async function ensureStandingProcesses(
  client: Client,
  config: Config,
  log: Logger,
  db: Db,
  /** The store's own queue prefix (domain/contracts storeQueuePrefix); the deployment's by default. */
  taskQueuePrefix = config.TEMPORAL_TASK_QUEUE_PREFIX,
  /** Whether this store's catalog sync keeps the shared item master and price caches (the primary's does). */
  itemMaster = true,
): Promise<void> {
  const store = config.QUAYSIDE_STORE;
  const prefix = taskQueuePrefix;
  const poller = await ensureErpEventsPoller(client, {
    store,
    taskQueuePrefix: prefix,
    pollEvery: `${config.ERP_EVENTS_POLL_SECONDS}s`,
  });
  const inventory = await startOnce(() =>
    client.workflow.start(inventorySync, {
      workflowId: inventorySyncWorkflowId(store),
      taskQueue: taskQueue(INVENTORY_SYNC_TASK_QUEUE, prefix),
      args: [
        { store, pollIntervalSeconds: config.SYNC_INVENTORY_POLL_SECONDS, pageSize: config.SYNC_PAGE_SIZE },
      ],
    }),
  );
  const catalog = await startOnce(() =>
    client.workflow.start(catalogSync, {
      workflowId: catalogSyncWorkflowId(store),
      taskQueue: taskQueue(CATALOG_SYNC_TASK_QUEUE, prefix),
      args: [
        {
          store,
          pageSize: config.SYNC_PAGE_SIZE,
          customerBatchSize: 100,
          refreshIntervalMinutes: config.SYNC_CATALOG_REFRESH_MINUTES,
          itemMaster,
        },
      ],
    }),
  );
  // The reconciliation that repairs runs on a Temporal Schedule, one pass per interval.
  const reconcile = await ensureIntervalSchedule(client, {
    scheduleId: reconcileScheduleId(store),
    workflowType: RECONCILE_PASS_WORKFLOW,
    taskQueue: taskQueue(RECONCILE_PASS_TASK_QUEUE, prefix),
    args: [
      {
        store,
        windowMinutes: config.RECONCILE_WINDOW_MINUTES,
        graceSeconds: config.RECONCILE_GRACE_SECONDS,
        stockBatch: config.RECONCILE_STOCK_BATCH,
        orderTaskQueue: taskQueue(ORDER_TASK_QUEUE, prefix),
      } satisfies ReconcilePassInput,
    ],
    everyMs: Math.round(config.RECONCILE_INTERVAL_MINUTES * 60_000),
    runTimeout: '30 minutes',
    purpose: `Reconciliation of ${store}: store orders and stock against Quayside and the ERP`,
  });
  // The alerting reconciliation loop of earlier versions gives way to the schedule.
  await client.workflow
    .getHandle(reconcileWorkflowId(store))
    .cancel()
    .catch(() => undefined);
  const storePricing = await startOnce(() =>
    client.workflow.start(storePricingSync, {
      workflowId: storePricingWorkflowId(store),
      taskQueue: taskQueue(STORE_PRICING_TASK_QUEUE, prefix),
      args: [
        {
          store,
          pageSize: config.SYNC_PAGE_SIZE,
          pollIntervalSeconds: config.SYNC_INVENTORY_POLL_SECONDS,
          customerBatchSize: 50,
        },
      ],
    }),
  );
  const storeCompanies = await startOnce(() =>
    client.workflow.start(storeCompanySync, {
      workflowId: storeCompanyWorkflowId(store),
      taskQueue: taskQueue(STORE_COMPANY_TASK_QUEUE, prefix),
      args: [
        { store, pageSize: config.SYNC_PAGE_SIZE, pollIntervalSeconds: config.SYNC_INVENTORY_POLL_SECONDS },
      ],
    }),
  );
  // The SLA checker runs on a Temporal Schedule at the interval the SLA rules name.
  const sla = config.ALERTS_ENABLED
    ? await ensureSlaSchedule(client, {
        store,
        taskQueuePrefix: prefix,
        every: (await slaRulesConfig.current(db)).value.checkEvery,
      })
    : 'off';
  const storeCatalog = await startOnce(() =>
    client.workflow.start(storeCatalogSync, {
      workflowId: storeCatalogWorkflowId(store),
      taskQueue: taskQueue(STORE_CATALOG_TASK_QUEUE, prefix),
      args: [
        {
          store,
          pageSize: CATALOG_PAGE_SIZE,
          pollIntervalSeconds: config.SYNC_INVENTORY_POLL_SECONDS,
        },
      ],
    }),
  );
  log.info(
    {
      erpEvents: poller.started,
      storeCatalog,
      slaSchedule: sla,
      inventorySync: inventory,
      catalogSync: catalog,
      reconcile,
      storePricing,
      storeCompanies,
    },
    `standing processes of ${store} running`,
  );
}
