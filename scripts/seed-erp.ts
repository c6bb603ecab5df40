import { ensureDatabase } from '../db/migrate';
import { loadConfig } from '../platform/config';
import { createSandboxPool, migrateSandboxErp } from '../sandbox/erp/db';
import { isSeeded, seedSandboxErp } from '../sandbox/erp/seed';
import { withProgressBar } from './progress';
import { dropSchema, mapSandboxes, seedProgram, seedSettings } from './seed-common';

/**
 * Seeds the sandbox ERP's schema (when empty; one ERP for every store) and Quayside's mapping tables
 * for a store's sandbox shop (`--store`, default the primary store).
 */
const program = seedProgram(
  'seed-erp',
  'Seed the sandbox ERP with the acceptance scenario and map it for the sandbox store',
);

async function main() {
  const config = loadConfig();
  const { skus, customers, store, storeSchema, reset, mappings } = seedSettings(program, config);
  const schema = config.SANDBOX_ERP_SCHEMA;
  await ensureDatabase(config.DATABASE_URL);
  if (reset) await dropSchema(config.DATABASE_URL, schema);
  await migrateSandboxErp(config.DATABASE_URL, schema);
  const db = createSandboxPool(config.DATABASE_URL, schema, 2);
  try {
    if (await isSeeded(db)) {
      process.stdout.write(`sandbox ERP schema ${schema} is already seeded (use --reset to start over)\n`);
    } else {
      const result = await withProgressBar('seeding sandbox ERP', (onProgress) =>
        seedSandboxErp(db, { skus, customers, onProgress }),
      );
      process.stdout.write(
        `seeded ${result.items} items, ${result.customers} customers, ${result.inventory} stock rows, ${result.prices} prices in ${(result.ms / 1000).toFixed(1)}s\n`,
      );
    }
  } finally {
    await db.end();
  }
  if (mappings) await mapSandboxes(config, { skus, store, storeSchema });
}

main().catch((err: unknown) => {
  process.stderr.write(`seed-erp: ${(err as Error).message}\n`);
  process.exit(1);
});
