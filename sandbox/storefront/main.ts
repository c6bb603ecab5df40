import { once } from 'node:events';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { runMain } from '../../platform/main';
import { gracefulShutdown } from '../../platform/shutdown';
import { createStoreSandboxApp } from './app';

runMain('sandbox-storefront', async () => {
  const config = loadConfig();
  const log = createLogger('sandbox-storefront', config);
  const shutdown = gracefulShutdown(log);
  const server = createStoreSandboxApp().listen(config.SANDBOX_STORE_PORT, config.SANDBOX_HOST);
  await once(server, 'listening');
  shutdown.add('http', () => new Promise<void>((resolve) => server.close(() => resolve())));
  log.info({ url: `http://${config.SANDBOX_HOST}:${config.SANDBOX_STORE_PORT}` }, 'sandbox storefront listening');
});
