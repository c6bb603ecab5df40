import { Command } from 'commander';
import { withProgressBar } from './progress';
import { ensureDatabase, migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { loadConfig } from '../platform/config';
import { seedSandboxMappings } from '../sandbox/erp/mappings';
import { createStorePool, migrateStore, SANDBOX_STORE_SCHEMA } from '../sandbox/storefront/db';
import { isStoreSeeded, seedSandboxStore } from '../sandbox/storefront/seed';

/** Seeds the sandbox store's schema (when empty) with the acceptance scenario and maps it to the sandbox ERP. */
const program = new Command()
  .name('seed-store')
  .description('Seed the sandbox store with the acceptance scenario (locations, B2B customers, one product per ERP item)')
  .option('--skus <n>', 'products to create (default SANDBOX_ERP_SKUS)')
  .option('--customers <n>', 'customers to create (default SANDBOX_ERP_CUSTOMERS)')
  .option('--reset', 'drop the sandbox store schema first', false)
  .option('--no-mappings', 'leave Quayside’s mapping tables alone')
  .parse();

async function main() {
  const config = loadConfig();
  const opts = program.opts<{ skus?: string; customers?: string; reset: boolean; mappings: boolean }>();
  const skus = opts.skus ? Number(opts.skus) : config.SANDBOX_ERP_SKUS;
  const customers = opts.customers ? Number(opts.customers) : config.SANDBOX_ERP_CUSTOMERS;
  await ensureDatabase(config.DATABASE_URL);
  if (opts.reset) {
    const admin = createPool(config.DATABASE_URL, { max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS ${SANDBOX_STORE_SCHEMA} CASCADE`);
    await admin.end();
  }
  await migrateStore(config.DATABASE_URL);
  const db = createStorePool(config.DATABASE_URL, 2);
  try {
    if (await isStoreSeeded(db)) {
      process.stdout.write(`sandbox store schema ${SANDBOX_STORE_SCHEMA} is already seeded (use --reset to start over)\n`);
    } else {
      const result = await withProgressBar('seeding sandbox store', (onProgress) => seedSandboxStore(db, { skus, customers, onProgress }));
      process.stdout.write(
        `seeded ${result.locations} locations, ${result.products} products, ${result.inventoryLevels} inventory levels, ${result.customers} customers with companies in ${(result.ms / 1000).toFixed(1)}s\n`,
      );
    }
  } finally {
    await db.end();
  }
  if (opts.mappings) {
    await migrate(config.DATABASE_URL);
    const pub = createPool(config.DATABASE_URL, { max: 2 });
    try {
      const m = await seedSandboxMappings(pub, config.QUAYSIDE_STORE, { skus, erpSchema: config.SANDBOX_ERP_SCHEMA, storeSchema: SANDBOX_STORE_SCHEMA });
      process.stdout.write(`mapped ${m.skus} SKUs, ${m.customers} customers, ${m.locations} locations for store ${config.QUAYSIDE_STORE} in ${m.ms} ms\n`);
    } finally {
      await pub.end();
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`seed-store: ${(err as Error).message}\n`);
  process.exit(1);
});
