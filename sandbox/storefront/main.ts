import { once } from 'node:events';
import { ensureDatabase } from '../../db/migrate';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { runMain } from '../../platform/main';
import { gracefulShutdown } from '../../platform/shutdown';
import { createStoreSandbox } from './app';
import { createStorePool, migrateStore } from './db';
import { isStoreSeeded, seedSandboxStore } from './seed';

runMain('sandbox-storefront', async () => {
  const config = loadConfig();
  const log = createLogger('sandbox-storefront', config);
  const shutdown = gracefulShutdown(log);
  await ensureDatabase(config.DATABASE_URL);
  await migrateStore(config.DATABASE_URL, log, config.SANDBOX_STORE_SCHEMA);
  const db = createStorePool(config.DATABASE_URL, 5, config.SANDBOX_STORE_SCHEMA);
  shutdown.add('postgres', () => db.end());
  if (!(await isStoreSeeded(db))) {
    const result = await seedSandboxStore(db, {
      skus: config.SANDBOX_ERP_SKUS,
      customers: config.SANDBOX_ERP_CUSTOMERS,
    });
    log.info(result, 'sandbox store seeded with the scenario');
  }
  const sandbox = createStoreSandbox({
    db,
    log,
    accessToken: config.SHOPIFY_ACCESS_TOKEN,
    accessScopes: config.SANDBOX_STORE_ACCESS_SCOPES,
    webhookSecret: config.SHOPIFY_API_SECRET,
    shopDomain: config.SHOPIFY_SHOP_DOMAIN,
    bucketSize: config.SANDBOX_STORE_BUCKET_SIZE,
    restoreRate: config.SANDBOX_STORE_RESTORE_RATE,
    retryScale: config.SANDBOX_STORE_WEBHOOK_RETRY_SCALE,
    duplicateRate: config.SANDBOX_STORE_DUPLICATE_RATE,
    reorderRate: config.SANDBOX_STORE_REORDER_RATE,
    reorderDelayMs: config.SANDBOX_STORE_REORDER_DELAY_MS,
  });
  shutdown.add('webhook deliveries', () => sandbox.close());
  const server = sandbox.app.listen(config.SANDBOX_STORE_PORT, config.SANDBOX_HOST);
  await once(server, 'listening');
  shutdown.add('http', () => new Promise<void>((resolve) => server.close(() => resolve())));
  log.info(
    {
      url: `http://${config.SANDBOX_HOST}:${config.SANDBOX_STORE_PORT}`,
      graphql: `/admin/api/${config.SHOPIFY_API_VERSION}/graphql.json`,
    },
    'sandbox storefront listening',
  );
});
