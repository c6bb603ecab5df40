/** What the benchmarks that run the sandboxes and Temporal in-process share: their database, seeding, servers and Temporal. */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dropDatabase, ensureDatabase, migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import { createTemporalClient } from '../platform/temporal-client';
import { ensureTemporalCli, freePort, startDevServer } from '../platform/temporal-server';
import { createSandboxPool, migrateSandboxErp } from '../sandbox/erp/db';
import { seedSandboxMappings } from '../sandbox/erp/mappings';
import { seedSandboxErp } from '../sandbox/erp/seed';
import { createStorePool, migrateStore, SANDBOX_STORE_SCHEMA } from '../sandbox/storefront/db';
import { seedSandboxStore } from '../sandbox/storefront/seed';

/** The sandbox ERP's token-based credentials in the benchmarks. */
export const BENCH_CREDENTIALS = {
  accountId: 'BENCH',
  consumerKey: 'bench-ck',
  consumerSecret: 'bench-cs',
  tokenId: 'bench-t',
  tokenSecret: 'bench-ts',
};

/** The base URL of a server once it listens. */
export async function listen(server: Server): Promise<string> {
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The benchmark's own database (`name`) on the configured server, dropped first when `fresh`, and migrated. */
export async function benchDatabase(config: Config, name: string, opts: { fresh: boolean }): Promise<string> {
  const dbUrl = new URL(config.DATABASE_URL);
  dbUrl.pathname = `/${name}`;
  const url = dbUrl.toString();
  if (opts.fresh) await dropDatabase(url);
  await ensureDatabase(url);
  await migrate(url);
  return url;
}

/**
 * Both sandboxes seeded with the scenario in the benchmark's database (the ERP in `sandbox_erp`),
 * Quayside's pool, and the mappings between the two for `store`; with how long each seeding took.
 */
export async function seedSandboxes(
  url: string,
  store: string,
  scenario: { skus: number; customers: number; erpPoolSize: number },
) {
  const { skus, customers } = scenario;
  await migrateSandboxErp(url, 'sandbox_erp');
  const erpDb = createSandboxPool(url, 'sandbox_erp', scenario.erpPoolSize);
  const erpSeed = await seedSandboxErp(erpDb, { skus, customers });
  await migrateStore(url);
  const storeDb = createStorePool(url, 10);
  const storeSeed = await seedSandboxStore(storeDb, { skus, customers });
  const db = createPool(url, { max: 10 });
  const mapping = await seedSandboxMappings(db, store, {
    skus,
    erpSchema: 'sandbox_erp',
    storeSchema: SANDBOX_STORE_SCHEMA,
  });
  return { erpDb, storeDb, db, erpSeed, storeSeed, mapping };
}

/** What the store's GraphQL calls cost: points charged (extensions.cost.actualQueryCost), calls answered, time taken. */
export interface StoreSpend {
  points: number;
  calls: number;
  ms: number;
}

/** A fetch that adds up what the store's calls cost into `into`. */
export function costCountingFetch(into: StoreSpend): typeof fetch {
  return async (input, init) => {
    const t0 = performance.now();
    const res = await fetch(input, init);
    into.ms += performance.now() - t0;
    // GraphQL answers are JSON; a bulk operation's result file (JSONL) costs no points.
    if (res.ok && /^application\/json(;|$)/.test(res.headers.get('content-type') ?? '')) {
      const body = (await res.clone().json()) as {
        extensions?: { cost?: { actualQueryCost?: number | null } };
      };
      into.points += body.extensions?.cost?.actualQueryCost ?? 0;
      into.calls += 1;
    }
    return res;
  };
}

/**
 * A headless Temporal dev server of the benchmark's own, and a client connected to it as the API
 * and the workers connect (createTemporalClient: the native connection and the configured codec).
 */
export async function benchTemporal(config: Config, log: Logger) {
  const binary = await ensureTemporalCli(config, log);
  const temporalServer = await startDevServer({
    binary,
    port: await freePort(),
    namespace: config.TEMPORAL_NAMESPACE,
    headless: true,
  });
  const temporal = await createTemporalClient({ ...config, TEMPORAL_ADDRESS: temporalServer.address });
  return { temporalServer, connection: temporal.connection, temporal };
}
