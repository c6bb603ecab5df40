import path from 'node:path';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { runMain } from '../platform/main';
import { ensureClusterBinaries, postgresTarget, startCluster } from '../platform/temporal-cluster';

/**
 * `npm run temporal:cluster`: a real Temporal server on PostgreSQL persistence (databases
 * `temporal_quayside` and `temporal_quayside_visibility` on DATABASE_URL's server), built from Go
 * modules when missing. Point `npm start` or the benchmarks at it with the TEMPORAL_ADDRESS it prints.
 */
runMain('temporal:cluster', async () => {
  const config = loadConfig();
  const log = createLogger('temporal:cluster', config);
  const binaries = await ensureClusterBinaries(config.QUAYSIDE_CACHE_DIR, log);
  const cluster = await startCluster({
    binaries,
    target: postgresTarget(config.DATABASE_URL, process.env.TEMPORAL_CLUSTER_DATABASE ?? 'temporal_quayside'),
    dataDir: path.resolve(config.QUAYSIDE_DATA_DIR, 'temporal-cluster'),
    namespace: config.TEMPORAL_NAMESPACE,
    port: config.TEMPORAL_PORT,
    log,
  });
  process.stdout.write(
    `Temporal (PostgreSQL persistence) is running.\n  TEMPORAL_ADDRESS=${cluster.address} TEMPORAL_NAMESPACE=${config.TEMPORAL_NAMESPACE}\nCtrl-C stops it.\n`,
  );
  const stop = () => void cluster.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await new Promise((r) => cluster.process.once('exit', r));
});
