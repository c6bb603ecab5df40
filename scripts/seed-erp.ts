import { Command } from 'commander';
import { withProgressBar } from './progress';
import { ensureDatabase, migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { loadConfig } from '../platform/config';
import { createSandboxPool, migrateSandboxErp } from '../sandbox/erp/db';
import { seedSandboxMappings } from '../sandbox/erp/mappings';
import { isSeeded, seedSandboxErp } from '../sandbox/erp/seed';
import { SANDBOX_STORE_SCHEMA } from '../sandbox/storefront/db';

/** Seeds the sandbox ERP's schema (when empty) and Quayside's mapping tables for the sandbox store. */
const program = new Command()
  .name('seed-erp')
  .description('Seed the sandbox ERP with the acceptance scenario and map it for the sandbox store')
  .option('--skus <n>', 'items to create (default SANDBOX_ERP_SKUS)')
  .option('--customers <n>', 'customers to create (default SANDBOX_ERP_CUSTOMERS)')
  .option('--reset', 'drop the sandbox schema first', false)
  .option('--no-mappings', 'leave Quayside’s mapping tables alone')
  .parse();

async function main() {
  const config = loadConfig();
  const opts = program.opts<{ skus?: string; customers?: string; reset: boolean; mappings: boolean }>();
  const skus = opts.skus ? Number(opts.skus) : config.SANDBOX_ERP_SKUS;
  const customers = opts.customers ? Number(opts.customers) : config.SANDBOX_ERP_CUSTOMERS;
  const schema = config.SANDBOX_ERP_SCHEMA;
  await ensureDatabase(config.DATABASE_URL);
  if (opts.reset) {
    const admin = createPool(config.DATABASE_URL, { max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
  await migrateSandboxErp(config.DATABASE_URL, schema);
  const db = createSandboxPool(config.DATABASE_URL, schema, 2);
  try {
    if (await isSeeded(db)) {
      process.stdout.write(`sandbox ERP schema ${schema} is already seeded (use --reset to start over)\n`);
    } else {
      const result = await withProgressBar('seeding sandbox ERP', (onProgress) => seedSandboxErp(db, { skus, customers, onProgress }));
      process.stdout.write(
        `seeded ${result.items} items, ${result.customers} customers, ${result.inventory} stock rows, ${result.prices} prices in ${(result.ms / 1000).toFixed(1)}s\n`,
      );
    }
  } finally {
    await db.end();
  }
  if (opts.mappings) {
    await migrate(config.DATABASE_URL);
    const pub = createPool(config.DATABASE_URL, { max: 2 });
    try {
      const exists = await pub.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`${SANDBOX_STORE_SCHEMA}.customers`]);
      if (!exists.rows[0].ok) {
        process.stdout.write('the sandbox store is not seeded yet: its mappings are made when it is (npm start, or scripts/seed-store.ts)\n');
      } else {
        const m = await seedSandboxMappings(pub, config.QUAYSIDE_STORE, { skus, erpSchema: schema, storeSchema: SANDBOX_STORE_SCHEMA });
        process.stdout.write(`mapped ${m.skus} SKUs, ${m.customers} customers, ${m.locations} locations for store ${config.QUAYSIDE_STORE}\n`);
      }
    } finally {
      await pub.end();
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`seed-erp: ${(err as Error).message}\n`);
  process.exit(1);
});
