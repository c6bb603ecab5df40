import { Command } from 'commander';
import {
  STORE_PRICING_TASK_QUEUE,
  storePricingResyncWorkflowId,
  storePricingStatusQuery,
  taskQueue,
  type StorePricingSyncStatus,
} from '../domain/contracts';
import { loadConfig } from '../platform/config';
import { createTemporalClient, startOnce } from '../platform/temporal-client';
import { storePricingSync } from '../workflows';
import { withProgressBar } from './progress';
import { STORE_OPTION, storeOfScript } from './store-option';

const program = new Command()
  .name('price-resync')
  .description('A full push of ERP pricing into one store')
  .option(...STORE_OPTION)
  .parse();

/**
 * `npm run price:resync [-- --store <name>]`: a full push of ERP pricing into a store (default the
 * primary store: every price level's catalog, every contract customer's, assignments and credit
 * headroom), run by that store's sync worker as a workflow; this follows its progress with a bar.
 * Running it again while one runs follows that one.
 */
async function main() {
  const config = loadConfig();
  const { store, taskQueuePrefix } = storeOfScript(config, program.opts<{ store?: string }>().store);
  const client = await createTemporalClient(config);
  const workflowId = storePricingResyncWorkflowId(store);
  const started = await startOnce(() =>
    client.workflow.start(storePricingSync, {
      workflowId,
      taskQueue: taskQueue(STORE_PRICING_TASK_QUEUE, taskQueuePrefix),
      args: [
        {
          store,
          pageSize: config.SYNC_PAGE_SIZE,
          pollIntervalSeconds: config.SYNC_INVENTORY_POLL_SECONDS,
          customerBatchSize: 50,
          fullResync: true,
          once: true,
        },
      ],
    }),
  );
  if (!started) process.stdout.write(`a price resync of store ${store} is already running; following it\n`);
  const handle = client.workflow.getHandle(workflowId);
  const result = await withProgressBar(`price resync of ${store}`, async (onProgress) => {
    const done = handle.result() as Promise<StorePricingSyncStatus>;
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) {
      const s = await handle.query(storePricingStatusQuery).catch(() => undefined);
      if (s) onProgress(s.levels + s.customers, Math.max(1, s.levelsTotal + s.customersTotal));
      await new Promise((r) => setTimeout(r, 1000));
    }
    return done;
  });
  process.stdout.write(
    `price resync of store ${store} done: ${result.levels} level catalogs, ${result.customers} customers, ${result.pricesWritten} fixed prices written\n`,
  );
  await client.connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
