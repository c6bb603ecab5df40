import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import {
  createNetSuiteClient,
  ConcurrencyBudget,
  type NetSuiteClient,
  type NetSuiteConfig,
} from '../../connectors/netsuite';
import type { Db } from '../../db/pool';
import { createErpSandbox, type ErpSandbox } from '../../sandbox/erp/app';
import { createSandboxPool, migrateSandboxErp } from '../../sandbox/erp/db';
import { seedSandboxErp, type SeedResult } from '../../sandbox/erp/seed';
import { DEFAULT_ACCOUNT_PREFERENCES, type AccountPreferences } from '../../sandbox/erp/settings';
import type { FaultSettings } from '../../sandbox/shared/faults';

export const CREDENTIALS = {
  accountId: 'QUAYSIDE_SB1',
  consumerKey: 'test-consumer-key',
  consumerSecret: 'test-consumer-secret',
  tokenId: 'test-token-id',
  tokenSecret: 'test-token-secret',
};

export const NO_FAULTS: FaultSettings = {
  concurrencyLimit: 0,
  latencyMinMs: 0,
  latencyMaxMs: 0,
  errorRate: 0,
  outages: [],
};

export interface RunningErpSandbox {
  url: string;
  sandbox: ErpSandbox;
  /** The sandbox's pool: its sessions in the account's time zone, as sandbox/erp/main.ts opens it. */
  db: Db;
  seed: SeedResult;
  schema: string;
  preferences: AccountPreferences;
  /** A connector pointed at the sandbox, with a budget of its own. */
  client(overrides?: Partial<NetSuiteConfig>): NetSuiteClient;
  admin<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** Starts the sandbox ERP in-process on port 0 over a freshly seeded schema of the test database. */
export async function startErpSandbox(opts: {
  skus: number;
  customers?: number;
  faults?: Partial<FaultSettings>;
  /** Account preferences; the default account is in America/Los_Angeles with locations optional. */
  preferences?: Partial<AccountPreferences>;
  /** Another database than the test run's (see privateTestDatabase). */
  databaseUrl?: string;
}): Promise<RunningErpSandbox> {
  const preferences = { ...DEFAULT_ACCOUNT_PREFERENCES, ...opts.preferences };
  const databaseUrl = opts.databaseUrl ?? inject('databaseUrl');
  const schema = `sandbox_erp_t${randomUUID().slice(0, 8)}`;
  await migrateSandboxErp(databaseUrl, schema);
  // Sessions in the account's time zone from the start, as sandbox/erp/main.ts opens its pool.
  const db = createSandboxPool(databaseUrl, schema, 10, undefined, preferences.timeZone);
  const seed = await seedSandboxErp(db, { skus: opts.skus, customers: opts.customers ?? 520 });
  const sandbox = createErpSandbox({
    db,
    credentials: CREDENTIALS,
    faults: { ...NO_FAULTS, ...opts.faults },
    preferences,
  });
  const server = sandbox.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sandbox,
    db,
    seed,
    schema,
    preferences,
    client: (overrides = {}) =>
      createNetSuiteClient({
        ...CREDENTIALS,
        baseUrl: url,
        timeZone: preferences.timeZone,
        concurrency: 5,
        budget: new ConcurrencyBudget(overrides.concurrency ?? 5),
        backoffBaseMs: 20,
        maxBackoffMs: 400,
        ...overrides,
      }),
    async admin(method, path, body) {
      const res = await fetch(`${url}/admin${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.end();
    },
  };
}
