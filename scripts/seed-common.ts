import { Command } from 'commander';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { sandboxStoreSchemaOf, storeNamed, type Config } from '../platform/config';
import { seedSandboxMappings } from '../sandbox/erp/mappings';

/** The options both sandbox seed scripts take. */
export function seedProgram(name: string, description: string): Command {
  return new Command()
    .name(name)
    .description(description)
    .option('--skus <n>', 'items or products to create (default SANDBOX_ERP_SKUS)')
    .option('--customers <n>', 'customers to create (default SANDBOX_ERP_CUSTOMERS)')
    .option(
      '--store <name>',
      'the configured store whose sandbox shop and mappings are meant (default: the primary store, QUAYSIDE_STORE)',
    )
    .option('--reset', 'drop the sandbox schema first', false)
    .option('--no-mappings', 'leave Quayside’s mapping tables alone')
    .parse();
}

export function seedSettings(program: Command, config: Config) {
  const opts = program.opts<{
    skus?: string;
    customers?: string;
    store?: string;
    reset: boolean;
    mappings: boolean;
  }>();
  const store = storeNamed(config, opts.store).name;
  return {
    skus: opts.skus ? Number(opts.skus) : config.SANDBOX_ERP_SKUS,
    customers: opts.customers ? Number(opts.customers) : config.SANDBOX_ERP_CUSTOMERS,
    store,
    /** The store's sandbox shop's schema (`sandbox_store`, or `sandbox_store_<name>` for another store). */
    storeSchema: sandboxStoreSchemaOf(config, store),
    reset: opts.reset,
    mappings: opts.mappings,
  };
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const admin = createPool(databaseUrl, { max: 1 });
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

/** Fills the store's mapping tables from the sandbox ERP and the store's sandbox shop, once both are seeded. */
export async function mapSandboxes(
  config: Config,
  opts: { skus: number; store: string; storeSchema: string },
): Promise<void> {
  await migrate(config.DATABASE_URL);
  const pub = createPool(config.DATABASE_URL, { max: 2 });
  try {
    const seeded = await pub.query<{ erp: boolean; store: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS erp, to_regclass($2) IS NOT NULL AS store',
      [`${config.SANDBOX_ERP_SCHEMA}.item`, `${opts.storeSchema}.customers`],
    );
    if (!seeded.rows[0]?.erp || !seeded.rows[0]?.store) {
      process.stdout.write(
        `mappings of store ${opts.store} are made once both sandboxes are seeded (npm start, or scripts/seed-erp.ts and scripts/seed-store.ts --store ${opts.store})\n`,
      );
      return;
    }
    const m = await seedSandboxMappings(pub, opts.store, {
      skus: opts.skus,
      erpSchema: config.SANDBOX_ERP_SCHEMA,
      storeSchema: opts.storeSchema,
    });
    process.stdout.write(
      `mapped ${m.skus} SKUs, ${m.customers} customers, ${m.locations} locations for store ${opts.store}\n`,
    );
  } finally {
    await pub.end();
  }
}
