import type { TestProject } from 'vitest/node';
import { dropDatabase, ensureDatabase, migrate } from '../../db/migrate';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { ensureChromium } from './chromium';
import { ensureTemporalCli, freePort, startDevServer, type DevServer } from '../../platform/temporal-server';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    runId: string;
  }
}

/**
 * Provisions what the tests need, so `npm test` passes on a fresh machine by itself: Debian's
 * Chromium for the browser tests (found, or installed with apt), the Temporal CLI (found, or built
 * with Go), then — with the same module `npm start` uses — a Temporal dev server of their own (in
 * memory, free port, no UI) and a database of their own, both removed afterwards, so repeated runs
 * and a running `npm start` never collide.
 */
export default async function setup(project: TestProject) {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', LOG_PRETTY: 'false' });
  const log = createLogger('test-setup', config);
  ensureChromium((line) => log.warn(line));
  const runId = `${process.pid}${Date.now().toString(36)}`;
  const base = new URL(config.DATABASE_URL);
  base.pathname = `/quayside_test_${runId}`;
  const databaseUrl = base.toString();
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);

  let server: DevServer | undefined;
  let temporalAddress = config.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const binary = await ensureTemporalCli(config, log);
    server = await startDevServer({
      binary,
      port: await freePort(),
      namespace: config.TEMPORAL_NAMESPACE,
      headless: true,
    });
    temporalAddress = server.address;
  }

  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalAddress', temporalAddress);
  project.provide('runId', runId);

  return async () => {
    await server?.stop();
    await dropDatabase(databaseUrl);
  };
}
