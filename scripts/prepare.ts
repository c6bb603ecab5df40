import { ensureDatabase, migrate } from '../db/migrate';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { runMain, StartupError } from '../platform/main';
import { connectionOptions, registerSearchAttributes, waitForTemporal } from '../platform/temporal-server';

/**
 * One-shot preparation for a production-shaped deployment (docker compose, Kubernetes jobs):
 * creates and migrates the database and registers Quayside's search attributes on the namespace.
 */
runMain('prepare', async () => {
  const config = loadConfig();
  const log = createLogger('prepare', config);
  await ensureDatabase(config.DATABASE_URL);
  const applied = await migrate(config.DATABASE_URL, { log });
  log.info({ applied: applied.length }, 'database migrated');
  if (!config.TEMPORAL_ADDRESS)
    throw new StartupError('TEMPORAL_ADDRESS must name the Temporal frontend to prepare.');
  const connection = connectionOptions(config, config.TEMPORAL_ADDRESS);
  await waitForTemporal(connection, 120_000);
  await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  log.info({ namespace: config.TEMPORAL_NAMESPACE }, 'search attributes registered');
});
