import { once } from 'node:events';
import { createPool } from '../db/pool';
import {
  configForStore,
  loadConfig,
  refuseDevelopmentSecretsInProduction,
  storesOf,
  temporalUiUrl,
} from '../platform/config';
import { createLogger } from '../platform/logger';
import { runMain } from '../platform/main';
import { gracefulShutdown } from '../platform/shutdown';
import { createTemporalClient, installTemporalRuntime } from '../platform/temporal-client';
import { EncryptionCodec, parseKeys } from '../platform/codec';
import { createApp } from './app';
import { ingressShopsOf } from './stores';
import { sessionSettingsFrom } from './session';
import { createMetrics, parseListenAddress } from './metrics';
import { registerShopifyWebhooksInBackground } from './webhooks/register';

runMain('api', async () => {
  const config = loadConfig();
  refuseDevelopmentSecretsInProduction(config);
  const log = createLogger('api', config);
  const sessions = sessionSettingsFrom(config);
  const metrics = createMetrics();
  const shutdown = gracefulShutdown(log);
  const db = createPool(config.DATABASE_URL, {
    max: config.DATABASE_POOL_MAX,
    log,
    applicationName: 'quayside-api',
  });
  shutdown.add('postgres', () => db.end());
  const stores = storesOf(config);
  installTemporalRuntime(config);
  const temporal = await createTemporalClient(config);
  shutdown.add('temporal client', () => temporal.connection.close());
  const app = createApp({
    temporal,
    db,
    log,
    store: config.QUAYSIDE_STORE,
    taskQueuePrefix: config.TEMPORAL_TASK_QUEUE_PREFIX,
    temporalUiUrl: temporalUiUrl(config),
    namespace: config.TEMPORAL_NAMESPACE,
    shopifySecret: config.SHOPIFY_API_SECRET,
    shopifySecretPrevious: config.SHOPIFY_API_SECRET_PREVIOUS,
    // Each store's webhooks are told apart by their shop domain and verified with that store's secrets.
    shops: ingressShopsOf(config),
    sessions,
    metrics,
    payloadCodec: config.QUAYSIDE_PAYLOAD_KEYS
      ? new EncryptionCodec(parseKeys(config.QUAYSIDE_PAYLOAD_KEYS))
      : undefined,
  });
  const server = app.listen(config.API_PORT, config.API_HOST);
  await once(server, 'listening');
  shutdown.add('http', () => new Promise<void>((resolve) => server.close(() => resolve())));
  log.info({ url: `http://${config.API_HOST}:${config.API_PORT}` }, 'api listening');
  if (config.API_METRICS_ADDRESS) {
    const { host, port } = parseListenAddress(config.API_METRICS_ADDRESS);
    const metricsServer = metrics.standalone().listen(port, host);
    await once(metricsServer, 'listening');
    shutdown.add('metrics http', () => new Promise<void>((resolve) => metricsServer.close(() => resolve())));
    log.info({ url: `http://${host}:${port}/metrics` }, 'metrics listening');
  }
  if (config.SHOPIFY_REGISTER_WEBHOOKS) {
    for (const store of stores) {
      const stopRegistration = registerShopifyWebhooksInBackground(configForStore(config, store), log);
      shutdown.add(`webhook registration of ${store.name}`, async () => stopRegistration());
    }
  }
});
