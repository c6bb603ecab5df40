import { once } from 'node:events';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { runMain } from '../../platform/main';
import { gracefulShutdown } from '../../platform/shutdown';
import { createErpSandbox } from './app';
import { createSandboxPool, migrateSandboxErp } from './db';
import { sandboxCredentials, sandboxFaults, sandboxPreferences } from './settings';
import { isSeeded, seedSandboxErp } from './seed';

runMain('sandbox-erp', async () => {
  const config = loadConfig();
  const log = createLogger('sandbox-erp', config);
  const shutdown = gracefulShutdown(log);
  await migrateSandboxErp(config.DATABASE_URL, config.SANDBOX_ERP_SCHEMA, log);
  // Sessions in the account's time zone from the start: no request has to set it.
  const db = createSandboxPool(
    config.DATABASE_URL,
    config.SANDBOX_ERP_SCHEMA,
    20,
    log,
    config.SANDBOX_ERP_TIME_ZONE,
  );
  shutdown.add('db', () => db.end());
  if (!(await isSeeded(db))) {
    const result = await seedSandboxErp(db, {
      skus: config.SANDBOX_ERP_SKUS,
      customers: config.SANDBOX_ERP_CUSTOMERS,
    });
    log.info(result, 'sandbox ERP seeded');
  }
  const { app } = createErpSandbox({
    db,
    credentials: sandboxCredentials(config),
    faults: sandboxFaults(config),
    preferences: sandboxPreferences(config),
    log,
  });
  const server = app.listen(config.SANDBOX_ERP_PORT, config.SANDBOX_HOST);
  await once(server, 'listening');
  shutdown.add('http', () => new Promise<void>((resolve) => server.close(() => resolve())));
  log.info(
    {
      url: `http://${config.SANDBOX_HOST}:${config.SANDBOX_ERP_PORT}`,
      account: config.NETSUITE_ACCOUNT_ID,
      timeZone: config.SANDBOX_ERP_TIME_ZONE,
    },
    'sandbox ERP listening',
  );
});
