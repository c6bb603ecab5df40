import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureDatabase, migrate } from '../db/migrate';
import { taskQueue } from '../domain/contracts';
import {
  apiPublicUrl,
  loadConfig,
  sandboxSecondStore,
  sandboxStoreSchemaOf,
  type Config,
} from '../platform/config';
import { createLogger, type Logger } from '../platform/logger';
import { createPool } from '../db/pool';
import { principalRepository } from '../db/principals';
import { seedSandboxMappings } from '../sandbox/erp/mappings';
import { describeStartupError, StartupError } from '../platform/main';
import { provisionTemporal, type ProvisionedTemporal } from '../platform/temporal-server';

const root = path.resolve(__dirname, '..');

interface Service {
  name: string;
  entry: string;
  health?: string;
  /** Settings of this process's own, over the shared ones. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The second sandbox shop (SANDBOX_SECOND_STORE): another `sandbox/storefront` process with its own
 * schema, port, shop domain, token and webhook secret, selling the first SANDBOX_SECOND_STORE_SKUS ERP
 * items; the worker and the API serve it as QUAYSIDE_MORE_STORES.
 */
function secondShop(config: Config) {
  const store = sandboxSecondStore(config);
  if (!store) return null;
  return {
    store,
    schema: sandboxStoreSchemaOf(config, store.name),
    port: config.SANDBOX_SECOND_STORE_PORT,
    skus: Math.min(config.SANDBOX_SECOND_STORE_SKUS, config.SANDBOX_ERP_SKUS),
  };
}

function services(config: Config): Service[] {
  const list: Service[] = [];
  if (config.SANDBOX_ENABLED) {
    list.push({
      name: 'sandbox-erp',
      entry: 'sandbox/erp/main.ts',
      health: `http://${config.SANDBOX_HOST}:${config.SANDBOX_ERP_PORT}/health`,
    });
    list.push({
      name: 'sandbox-storefront',
      entry: 'sandbox/storefront/main.ts',
      health: `http://${config.SANDBOX_HOST}:${config.SANDBOX_STORE_PORT}/health`,
    });
    const second = secondShop(config);
    if (second)
      list.push({
        name: `sandbox-storefront-${second.store.name}`,
        entry: 'sandbox/storefront/main.ts',
        health: `http://${config.SANDBOX_HOST}:${second.port}/health`,
        env: {
          SANDBOX_STORE_SCHEMA: second.schema,
          SANDBOX_STORE_PORT: String(second.port),
          SHOPIFY_SHOP_DOMAIN: second.store.shopDomain,
          SHOPIFY_ACCESS_TOKEN: second.store.accessToken,
          SHOPIFY_API_SECRET: second.store.apiSecret,
          SANDBOX_ERP_SKUS: String(second.skus),
          SANDBOX_ERP_CUSTOMERS: String(config.SANDBOX_SECOND_STORE_CUSTOMERS),
        },
      });
  }
  // The worker and the API serve the second sandbox shop as another store.
  const second = secondShop(config);
  const stores = second ? { QUAYSIDE_MORE_STORES: JSON.stringify([second.store]) } : {};
  list.push({ name: 'worker', entry: 'workers/main.ts', env: stores });
  list.push({
    name: 'api',
    entry: 'api/main.ts',
    health: `http://${config.API_HOST}:${config.API_PORT}/health`,
    env: stores,
  });
  return list;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${url} never came up: its process exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.status < 500 || res.status === 503) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}

async function waitForWorker(
  temporal: ProvisionedTemporal,
  config: Config,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const conn = await Connection.connect(temporal.connection);
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the worker exited with code ${child.exitCode}`);
      const res = await conn.withDeadline(Date.now() + 5_000, () =>
        conn.workflowService.describeTaskQueue({
          namespace: temporal.namespace,
          taskQueue: { name: taskQueue('orders', config.TEMPORAL_TASK_QUEUE_PREFIX) },
          taskQueueType: 1,
        }),
      );
      if ((res.pollers ?? []).length > 0) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(
      `the worker did not poll its task queue within ${timeoutMs / 1000}s (WORKER_START_TIMEOUT_SECONDS)`,
    );
  } finally {
    await conn.close();
  }
}

/**
 * The sandbox scenario's SKU, customer and location mappings of each sandbox shop's store, read from
 * the seeded sandboxes (they seed themselves before answering /health). Idempotent, and quick when
 * nothing changed.
 */
async function seedSandboxScenarioMappings(config: Config, log: Logger): Promise<void> {
  const db = createPool(config.DATABASE_URL, { max: 2 });
  const second = secondShop(config);
  try {
    for (const shop of [
      { store: config.QUAYSIDE_STORE, skus: config.SANDBOX_ERP_SKUS, schema: config.SANDBOX_STORE_SCHEMA },
      ...(second ? [{ store: second.store.name, skus: second.skus, schema: second.schema }] : []),
    ]) {
      const seeded = await seedSandboxMappings(db, shop.store, {
        skus: shop.skus,
        erpSchema: config.SANDBOX_ERP_SCHEMA,
        storeSchema: shop.schema,
      });
      log.info({ store: shop.store, ...seeded }, 'sandbox mappings ready');
    }
  } finally {
    await db.end();
  }
}

/**
 * In development, a database without any user gets a first operator, whose key is printed once so
 * the dashboard can be opened at once; only the key's hash is stored.
 */
async function firstOperatorKey(config: Config): Promise<string | null> {
  if (config.NODE_ENV !== 'development') return null;
  const db = createPool(config.DATABASE_URL, { max: 1 });
  try {
    const repo = principalRepository(db);
    if ((await repo.list()).length > 0) return null;
    return (await repo.create({ name: 'First operator', role: 'operator' })).apiKey;
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('quayside', config);
  const children: { service: Service; child: ChildProcess }[] = [];
  let temporal: ProvisionedTemporal | undefined;
  let stopping = false;
  let firstKey: string | null = null;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const { service, child } of [...children].reverse()) {
      if (child.exitCode !== null) continue;
      child.kill('SIGTERM');
      const exited = new Promise((r) => child.once('exit', r));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      log.debug({ service: service.name }, 'stopped');
    }
    await temporal?.stop();
    log.info('stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll(0));

  try {
    fs.mkdirSync(config.QUAYSIDE_DATA_DIR, { recursive: true });
    const { created } = await ensureDatabase(config.DATABASE_URL).catch((err: { code?: string }) => {
      if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(err.code ?? '')) {
        const url = new URL(config.DATABASE_URL);
        throw new StartupError(
          `PostgreSQL is not reachable at ${url.hostname}:${url.port || 5432}; start it or set DATABASE_URL.`,
        );
      }
      throw err;
    });
    const applied = await migrate(config.DATABASE_URL, { log });
    log.info({ created, migrations: applied.length }, 'database ready');
    firstKey = await firstOperatorKey(config);

    temporal = await provisionTemporal(config, log, {
      dbFile: path.join(config.QUAYSIDE_DATA_DIR, 'temporal.db'),
      logFile: path.join(config.QUAYSIDE_DATA_DIR, 'temporal.log'),
      // With encrypted payloads, the UI decodes them through the API's codec endpoint for a signed-in operator.
      uiCodecEndpoint: config.QUAYSIDE_PAYLOAD_KEYS ? `${apiPublicUrl(config)}/codec` : undefined,
    });
    log.info({ address: temporal.address, source: temporal.source }, 'temporal ready');

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      LOG_PRETTY: String(config.LOG_PRETTY),
    };
    if (temporal.uiUrl) env.TEMPORAL_UI_URL = temporal.uiUrl;
    // The sandboxes first: each seeds its scenario before answering /health, and the mappings are
    // built from both before the worker's standing inventory sync starts pushing stock.
    const all = services(config);
    const groups = [
      all.filter((s) => s.name.startsWith('sandbox-')),
      all.filter((s) => !s.name.startsWith('sandbox-')),
    ];
    for (const [g, group] of groups.entries()) {
      const started = group.map((service) => {
        // QUAYSIDE_WORKER_CPU_PROF_DIR (set by `npm run bench -- orders --cpu-prof`): the worker
        // writes a V8 CPU profile of each of its threads there when it stops.
        const profDir = service.name === 'worker' ? process.env.QUAYSIDE_WORKER_CPU_PROF_DIR : undefined;
        const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
        const child = spawn(
          process.execPath,
          [...nodeArgs, '--import', 'tsx', path.join(root, service.entry)],
          {
            cwd: root,
            env: { ...env, ...service.env },
            stdio: 'inherit',
          },
        );
        children.push({ service, child });
        child.once('exit', (code, signal) => {
          if (stopping) return;
          log.error(
            { service: service.name, code, signal },
            'a Quayside process stopped unexpectedly; stopping the rest',
          );
          void stopAll(1);
        });
        return { service, child };
      });
      await Promise.all(
        started.map(({ service, child }) =>
          service.health
            ? waitForHttp(service.health, child, g === 0 ? 300_000 : 60_000)
            : waitForWorker(temporal!, config, child, config.WORKER_START_TIMEOUT_SECONDS * 1000),
        ),
      );
      if (g === 0 && config.SANDBOX_ENABLED) await seedSandboxScenarioMappings(config, log);
    }
  } catch (err) {
    process.stderr.write(`quayside: ${describeStartupError(err)}\n`);
    await stopAll(1);
    return;
  }

  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  const lines = [
    '',
    'Quayside is running.',
    `  API               ${api}   (health: ${api}/health)`,
    `  Dashboard         ${api}/dashboard   (sign in at ${api}/login)`,
    ...(firstKey
      ? [
          `  First operator    sign in with this key; it is shown only now: ${firstKey}`,
          '                    (more users: npm run users -- create --name "…" --role approver|operator|admin)',
        ]
      : [
          `  Sign in           with a user's key; create one with: npm run users -- create --name "…" --role operator`,
        ]),
    `  Temporal UI       ${temporal.uiUrl ?? "(your cluster's UI)"}`,
    `  Temporal          ${temporal.address}  namespace ${temporal.namespace}  (${temporal.source})`,
  ];
  if (config.SANDBOX_ENABLED) {
    lines.push(
      `  Sandbox ERP       http://${config.SANDBOX_HOST}:${config.SANDBOX_ERP_PORT}   (NetSuite dialect)`,
    );
    lines.push(
      `  Sandbox store     http://${config.SANDBOX_HOST}:${config.SANDBOX_STORE_PORT}   (Shopify dialect; store ${config.QUAYSIDE_STORE})`,
    );
    const second = secondShop(config);
    if (second)
      lines.push(
        `  Second store      http://${config.SANDBOX_HOST}:${second.port}   (Shopify dialect; store ${second.store.name}, ${second.skus} products; SANDBOX_SECOND_STORE= for one shop)`,
      );
  }
  lines.push(`  Data              ${config.QUAYSIDE_DATA_DIR}`, 'Press Ctrl-C to stop.', '');
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`quayside: ${describeStartupError(err)}\n`);
  process.exit(1);
});
