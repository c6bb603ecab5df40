import { Command } from 'commander';
import {
  CATALOG_PAGE_SIZE,
  STORE_CATALOG_TASK_QUEUE,
  storeCatalogResyncWorkflowId,
  storeCatalogStatusQuery,
  taskQueue,
  type StoreCatalogSyncStatus,
} from '../domain/contracts';
import { loadConfig } from '../platform/config';
import { createTemporalClient, startOnce } from '../platform/temporal-client';
import { storeCatalogSync } from '../workflows';
import { withProgressBar } from './progress';
import { STORE_OPTION, storeOfScript } from './store-option';

const program = new Command()
  .name('catalog-resync')
  .description('A full pass of the ERP item master into one store’s products')
  .option(...STORE_OPTION)
  .option('--force', 'write every product, also those whose ERP data did not change', false)
  .parse();

/**
 * `npm run catalog:resync [-- --store <name>] [--force]`: a full pass of the ERP's item master into a
 * store's products (default the primary store), run by that store's sync worker as a workflow; this
 * follows its progress with a bar. Products whose ERP data did not change since Quayside last wrote
 * them are not written again, unless `--force` (after products were changed in the store by hand).
 * Running it again while one runs follows that one.
 */
async function main() {
  const opts = program.opts<{ store?: string; force: boolean }>();
  const config = loadConfig();
  const { store, taskQueuePrefix } = storeOfScript(config, opts.store);
  const client = await createTemporalClient(config);
  const workflowId = storeCatalogResyncWorkflowId(store);
  const started = await startOnce(() =>
    client.workflow.start(storeCatalogSync, {
      workflowId,
      taskQueue: taskQueue(STORE_CATALOG_TASK_QUEUE, taskQueuePrefix),
      args: [
        {
          store,
          pageSize: CATALOG_PAGE_SIZE,
          pollIntervalSeconds: config.SYNC_INVENTORY_POLL_SECONDS,
          fullResync: true,
          once: true,
          force: opts.force,
        },
      ],
    }),
  );
  if (!started) process.stdout.write(`a catalog resync of store ${store} is already running; following it\n`);
  const handle = client.workflow.getHandle(workflowId);
  const result = await withProgressBar(`catalog resync of ${store}`, async (onProgress) => {
    const done = handle.result() as Promise<StoreCatalogSyncStatus>;
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) {
      const s = await handle.query(storeCatalogStatusQuery).catch(() => undefined);
      if (s) onProgress(s.resyncDone, Math.max(1, s.resyncTotal));
      await new Promise((r) => setTimeout(r, 1000));
    }
    return done;
  });
  process.stdout.write(
    `catalog resync of store ${store} done: ${result.resyncDone} ERP items, ${result.created} products created, ${result.updated} updated, ` +
      `${result.retired} archived, ${result.unchanged} unchanged, ${result.skipped} inactive items left out, ${result.failed} refused (see the alerts)\n`,
  );
  await client.connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
