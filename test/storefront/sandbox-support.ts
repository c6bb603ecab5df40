import type { Server } from 'node:http';
import { inject } from 'vitest';
import { ShopifyAdminClient } from '../../connectors/shopify/client';
import {
  createStoreSandbox,
  SANDBOX_DEV_ACCESS_TOKEN,
  type StoreSandbox,
  type StoreSandboxOptions,
} from '../../sandbox/storefront/app';
import { createStorePool, migrateStore, type StoreDb } from '../../sandbox/storefront/db';
import { closeServer, listen } from './helpers';

export interface RunningSandbox {
  sandbox: StoreSandbox;
  db: StoreDb;
  base: string;
  client: ShopifyAdminClient;
  /** Calls the buyer simulator. */
  sim<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Starts the sandbox store in-process on a free port, in a schema of its own in the test run's database. */
export async function startSandbox(
  schema: string,
  { databaseUrl, ...opts }: Partial<Omit<StoreSandboxOptions, 'db'>> & { databaseUrl?: string } = {},
): Promise<RunningSandbox> {
  const url = databaseUrl ?? inject('databaseUrl');
  await migrateStore(url, undefined, schema);
  const db = createStorePool(url, 5, schema);
  const sandbox = createStoreSandbox({ db, ...opts });
  const { server, base } = await listen(sandbox.app);
  const client = new ShopifyAdminClient({
    adminUrl: base,
    accessToken: opts.accessToken ?? SANDBOX_DEV_ACCESS_TOKEN,
    apiVersion: '2026-04',
  });
  return {
    sandbox,
    db,
    base,
    client,
    async sim<T>(path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    async stop() {
      await sandbox.close();
      await closeServer(server as Server);
      await db.end();
    },
  };
}
