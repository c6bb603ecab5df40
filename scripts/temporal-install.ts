import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { runMain } from '../platform/main';
import { ensureTemporalCli } from '../platform/temporal-server';

runMain('temporal:install', async () => {
  const config = loadConfig();
  const log = createLogger('temporal:install', config);
  const binary = await ensureTemporalCli(config, log);
  log.info({ binary }, 'temporal CLI ready');
});
