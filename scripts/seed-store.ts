import { ensureDatabase } from '../db/migrate';
import { loadConfig } from '../platform/config';
import { createStorePool, migrateStore } from '../sandbox/storefront/db';
import { isStoreSeeded, seedSandboxStore } from '../sandbox/storefront/seed';
import { withProgressBar } from './progress';
import { dropSchema, mapSandboxes, seedProgram, seedSettings } from './seed-common';

/**
 * Seeds a store's sandbox shop (`--store`, default the primary store; another store's shop is in
 * `sandbox_store_<name>`) when empty with the acceptance scenario, and maps it to the sandbox ERP.
 */
const program = seedProgram(
  'seed-store',
  'Seed the sandbox store with the acceptance scenario (locations, B2B customers, one product per ERP item)',
);

async function main() {
  const config = loadConfig();
  const { skus, customers, store, storeSchema, reset, mappings } = seedSettings(program, config);
  await ensureDatabase(config.DATABASE_URL);
  if (reset) await dropSchema(config.DATABASE_URL, storeSchema);
  await migrateStore(config.DATABASE_URL, undefined, storeSchema);
  const db = createStorePool(config.DATABASE_URL, 2, storeSchema);
  try {
    if (await isStoreSeeded(db)) {
      process.stdout.write(
        `sandbox store schema ${storeSchema} of store ${store} is already seeded (use --reset to start over)\n`,
      );
    } else {
      const result = await withProgressBar('seeding sandbox store', (onProgress) =>
        seedSandboxStore(db, { skus, customers, onProgress }),
      );
      process.stdout.write(
        `seeded ${result.locations} locations, ${result.products} products, ${result.inventoryLevels} inventory levels, ${result.customers} customers with companies in ${(result.ms / 1000).toFixed(1)}s\n`,
      );
    }
  } finally {
    await db.end();
  }
  if (mappings) await mapSandboxes(config, { skus, store, storeSchema });
}

main().catch((err: unknown) => {
  process.stderr.write(`seed-store: ${(err as Error).message}\n`);
  process.exit(1);
});
