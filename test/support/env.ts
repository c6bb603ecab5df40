import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { dropDatabase, ensureDatabase, migrate } from '../../db/migrate';
import { createPool, type Db } from '../../db/pool';
import { loadConfig, type Config } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { createTemporalClient } from '../../platform/temporal-client';
import { workflowBundle } from '../../workers/worker';

let runtimeInstalled = false;
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed in this process
  }
}

/** Configuration pointing at the test run's own database and Temporal server. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE_PREFIX: `t${inject('runId')}`,
    ...overrides,
  });
}

export const testLog = createLogger('test', { LOG_LEVEL: 'warn', LOG_PRETTY: false });

export function testDb(): Db {
  return createPool(inject('databaseUrl'), { max: 5 });
}

/**
 * A Quayside database of the test file's own, migrated, for a test that fills the shared caches
 * (items, prices, customers) with a scenario another file's whole-stack test would read as the ERP's.
 * Sandboxes started with its `url` keep their schemas in it too, so cross-schema seeding still works.
 */
export async function privateTestDatabase(): Promise<{ url: string; db: Db; drop(): Promise<void> }> {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_${randomUUID().slice(0, 8)}`;
  await ensureDatabase(url.toString());
  await migrate(url.toString());
  const db = createPool(url.toString(), { max: 5 });
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.end();
      await dropDatabase(url.toString());
    },
  };
}

export async function testClient(): Promise<Client> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return new Client({ connection });
}

/** A client made as the API and the workers make theirs (createTemporalClient: the native connection). */
export async function apiTemporalClient(): Promise<Client> {
  quietRuntime();
  return createTemporalClient(testConfig());
}

/** A task queue of its own for each test, so tests never pick up each other's tasks. */
export const uniqueTaskQueue = (name = 'test') => `${name}-${randomUUID()}`;

/** Runs a real worker with the given activities (plain objects) on its own task queue while `fn` runs. */
export async function withWorker<T>(
  opts: { taskQueue: string; activities: object; workflowsPath?: string; dataConverter?: DataConverter },
  fn: (worker: Worker) => Promise<T>,
): Promise<T> {
  quietRuntime();
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  try {
    const base = {
      connection,
      taskQueue: opts.taskQueue,
      activities: opts.activities as Record<string, (...args: never[]) => unknown>,
      ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    };
    const worker = await Worker.create(
      opts.workflowsPath
        ? { ...base, workflowsPath: opts.workflowsPath }
        : { ...base, workflowBundle: await workflowBundle() },
    );
    return await worker.runUntil(fn(worker));
  } finally {
    await connection.close();
  }
}

/**
 * A test file's database pool and Temporal client: opened before its tests, closed after them, read
 * through the returned object once the tests run.
 */
export function dbAndTemporal(): { readonly db: Db; readonly client: Client } {
  let db: Db | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    db = testDb();
    client = await testClient();
  });
  afterAll(async () => {
    await client?.connection.close();
    await db?.end();
  });
  return {
    get db() {
      return db!;
    },
    get client() {
      return client!;
    },
  };
}
