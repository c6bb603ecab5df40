import { createPool } from '../db/pool';
import {
  apiPublicUrl,
  configForStore,
  loadConfig,
  storesOf,
  refuseDevelopmentSecretsInProduction,
  temporalUiUrl,
} from '../platform/config';
import { createLogger } from '../platform/logger';
import { runMain } from '../platform/main';
import { gracefulShutdown } from '../platform/shutdown';
import { createWorkerConnection } from '../platform/temporal-client';
import { createStoreWorkers } from './stores';
import { storeQueuePrefix } from '../domain/contracts';
import { createNetSuiteClient, netSuiteConfigFrom } from '../connectors/netsuite';
import { PostgresErpBudget } from '../db/erp-budget';
import { connectorCallRecorder } from '../db/connector-calls';
import { Runtime } from '@temporalio/worker';
import { createTemporalClient, installTemporalRuntime } from '../platform/temporal-client';
import { ensureStandingProcesses } from './standing';
import { alertDispatcher } from './alert-dispatcher';
import { emailSender, slackSender } from '../connectors/alerts';

runMain('worker', async () => {
  const config = loadConfig();
  refuseDevelopmentSecretsInProduction(config);
  const log = createLogger('worker', config);
  const shutdown = gracefulShutdown(log);
  installTemporalRuntime(
    config,
    // Task queue latency, workflow and activity outcomes, poller counts: the SDK's own metrics.
    config.WORKER_METRICS_ADDRESS
      ? { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } }
      : undefined,
  );
  const db = createPool(config.DATABASE_URL, {
    max: config.DATABASE_POOL_MAX,
    log,
    applicationName: 'quayside-worker',
  });
  shutdown.add('postgres', () => db.end());
  // Every ERP and store call counted per minute for the dashboard's error rates.
  const calls = connectorCallRecorder(db);
  calls.start((err) => log.warn({ err }, 'connector call counts not saved; kept for the next flush'));
  shutdown.add('connector call counts', () => calls.stop());
  // The ERP budget's waits and the connector's retries, beside the SDK's own metrics (WORKER_METRICS_ADDRESS).
  const meter = Runtime.instance().metricMeter;
  const budgetWait = meter.createHistogram(
    'quayside_erp_budget_wait',
    'float',
    'ms',
    'time an ERP request waited for a slot of the concurrency budget',
  );
  const erpRetries = meter.createCounter('quayside_erp_retries', '', 'ERP requests the connector retried');
  // Queries waiting for one of the DATABASE_POOL_MAX connections, sampled four times a second.
  const poolWaiting = meter.createHistogram(
    'quayside_db_pool_waiting',
    'int',
    '',
    'queries waiting for a connection of the worker pool, sampled every 250 ms',
  );
  const sampler = setInterval(() => poolWaiting.record(db.waitingCount), 250).unref();
  shutdown.add('pool sampler', () => clearInterval(sampler));
  const erpConfig = {
    ...netSuiteConfigFrom(config, log),
    onCall: calls.observe('erp'),
    onBudgetWait: (ms: number, priority: string) => budgetWait.record(ms, { priority }),
    onRetry: (f: { status: number; code: string }) => erpRetries.add(1, { status: String(f.status) }),
  };
  if (config.NETSUITE_BUDGET_SCOPE === 'cluster') {
    // Connections of its own (one listens): a claim never queues behind the read-model writes.
    const budgetDb = createPool(config.DATABASE_URL, { max: 3, log, applicationName: 'quayside-erp-budget' });
    const budget = await PostgresErpBudget.open(budgetDb, {
      key: `${erpConfig.baseUrl.replace(/\/+$/, '')}|${erpConfig.accountId}`,
      size: erpConfig.concurrency,
      leaseMs: config.NETSUITE_TIMEOUT_MS + 30_000,
      requestMs: config.NETSUITE_TIMEOUT_MS,
      log,
    });
    shutdown.add('ERP budget', async () => {
      await budget.close();
      await budgetDb.end();
    });
    erpConfig.budget = budget;
  }
  const erp = createNetSuiteClient(erpConfig);
  const connection = await createWorkerConnection(config);
  shutdown.add('temporal connection', () => connection.close());
  const workers = await createStoreWorkers({
    connection,
    config,
    db,
    erp,
    log,
    observeStore: (store) => calls.observe('store', store),
  });
  const running = workers.map((w) => w.run());
  shutdown.add('workers', async () => {
    workers.forEach((w) => w.shutdown());
    await Promise.allSettled(running);
  });
  log.info({ taskQueues: workers.map((w) => w.options.taskQueue) }, 'worker ready');
  if (config.ALERTS_ENABLED) {
    const dispatcher = alertDispatcher({
      db,
      senders: {
        ...(config.ALERT_SLACK_WEBHOOK_URL ? { slack: slackSender(config.ALERT_SLACK_WEBHOOK_URL) } : {}),
        ...(config.ALERT_SMTP_URL
          ? { email: emailSender(config.ALERT_SMTP_URL, config.ALERT_EMAIL_FROM) }
          : {}),
      },
      links: {
        publicUrl: apiPublicUrl(config),
        temporalUiUrl: temporalUiUrl(config),
        namespace: config.TEMPORAL_NAMESPACE,
      },
      log,
      intervalMs: config.ALERT_DISPATCH_SECONDS * 1000,
      retryBaseMs: config.ALERT_RETRY_BASE_SECONDS * 1000,
      retryMaxMs: config.ALERT_RETRY_MAX_SECONDS * 1000,
      maxAttempts: config.ALERT_MAX_ATTEMPTS,
    });
    dispatcher.start();
    shutdown.add('alert dispatcher', () => dispatcher.stop());
  }
  if (config.STANDING_PROCESSES) {
    const client = await createTemporalClient(config);
    shutdown.add('temporal client', () => client.connection.close());
    for (const store of storesOf(config))
      await ensureStandingProcesses(
        client,
        configForStore(config, store),
        log,
        db,
        storeQueuePrefix(config.TEMPORAL_TASK_QUEUE_PREFIX, store.name, config.QUAYSIDE_STORE),
        store.name === config.QUAYSIDE_STORE,
      );
  }
  await Promise.all(running);
});
