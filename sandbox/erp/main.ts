import { once } from 'node:events';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { runMain } from '../../platform/main';
import { gracefulShutdown } from '../../platform/shutdown';
import { createErpSandboxApp } from './app';

runMain('sandbox-erp', async () => {
  const config = loadConfig();
  const log = createLogger('sandbox-erp', config);
  const shutdown = gracefulShutdown(log);
  const server = createErpSandboxApp().listen(config.SANDBOX_ERP_PORT, config.SANDBOX_HOST);
  await once(server, 'listening');
  shutdown.add('http', () => new Promise<void>((resolve) => server.close(() => resolve())));
  log.info({ url: `http://${config.SANDBOX_HOST}:${config.SANDBOX_ERP_PORT}` }, 'sandbox ERP listening');
});
