import { ensureDatabase, migrate } from '../db/migrate';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { runMain } from '../platform/main';

runMain('migrate', async () => {
  const config = loadConfig();
  const log = createLogger('migrate', config);
  await ensureDatabase(config.DATABASE_URL);
  const applied = await migrate(config.DATABASE_URL, { log });
  log.info({ applied }, applied.length ? 'migrations applied' : 'database is up to date');
});
