import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import Long from 'long';
import type { Logger } from './logger';
import {
  executable,
  onPath,
  portInUse,
  registerSearchAttributes,
  TemporalUnavailableError,
  waitForTemporal,
} from './temporal-server';

/**
 * A real Temporal cluster (not the dev server) on PostgreSQL persistence, for scale-out runs and
 * benchmarks: the server and its SQL schema tool are built from Go modules at the version the CLI
 * embeds, the schema is set up and upgraded by the server's own tool from the module's own schema
 * files, and the server runs with a generated configuration file.
 */
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

const run = promisify(execFile);

function goBinary(): string {
  const go = onPath('go') ?? (executable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) throw new TemporalUnavailableError('Go is not installed, so the Temporal server cannot be built.');
  return go;
}

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
}

/** The server and `temporal-sql-tool` from the cache directory, built with `go install` when missing. */
export async function ensureClusterBinaries(cacheDir: string, log?: Logger): Promise<ClusterBinaries> {
  const binDir = path.join(cacheDir, 'server-bin');
  const found = { server: path.join(binDir, 'server'), sqlTool: path.join(binDir, 'sql') };
  if (executable(found.server) && executable(found.sqlTool)) return found;
  fs.mkdirSync(binDir, { recursive: true });
  log?.info(
    { binDir },
    `building ${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION} (server + SQL tool); about 4 minutes cold`,
  );
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      goBinary(),
      [
        'install',
        `${TEMPORAL_SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
        `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
      ],
      { env: { ...process.env, CGO_ENABLED: '0', GOBIN: binDir }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const tail: string[] = [];
    child.stderr.on('data', (c: Buffer) => {
      tail.push(...c.toString().split('\n').filter(Boolean));
      tail.splice(0, Math.max(0, tail.length - 20));
    });
    const timer = setInterval(
      () => log?.info(`building the Temporal server: ${Math.round((Date.now() - started) / 1000)}s`),
      15_000,
    );
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code === 0) resolve();
      else
        reject(new TemporalUnavailableError(`go install of the Temporal server failed:\n${tail.join('\n')}`));
    });
  });
  return found;
}

/** Where the Go module cache keeps the server's source, whose `schema/` the SQL tool applies. */
export async function serverModuleDir(): Promise<string> {
  const { stdout } = await run(
    goBinary(),
    ['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`],
    {
      maxBuffer: 1 << 20,
    },
  );
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new TemporalUnavailableError('go mod download gave no directory for the Temporal server');
  return dir;
}

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  /** The history/executions store; visibility goes to `<database>_visibility`. */
  database: string;
}

export function postgresTarget(databaseUrl: string, database: string): PostgresTarget {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database,
  };
}

/** Creates both databases when missing and brings their schemas to the server's version (idempotent). */
export async function setupClusterSchema(
  sqlTool: string,
  target: PostgresTarget,
  log?: Logger,
): Promise<void> {
  const moduleDir = await serverModuleDir();
  for (const [db, schema] of [
    [target.database, 'temporal'],
    [`${target.database}_visibility`, 'visibility'],
  ] as const) {
    const args = [
      '--plugin',
      'postgres12',
      '--ep',
      target.host,
      '-p',
      String(target.port),
      '-u',
      target.user,
      ...(target.password ? ['--pw', target.password] : []),
      '--db',
      db,
    ];
    await run(sqlTool, [...args, 'create-database']);
    await run(sqlTool, [...args, 'setup-schema', '-v', '0.0']);
    await run(sqlTool, [
      ...args,
      'update-schema',
      '-d',
      path.join(moduleDir, 'schema', 'postgresql', 'v12', schema, 'versioned'),
    ]);
    log?.info({ database: db }, 'Temporal schema up to date');
  }
}

function configYaml(target: PostgresTarget, ports: number[], shards: number, dynamicConfig: string): string {
  const [frontend, history, matching, worker, mFrontend, mHistory, mMatching, mWorker, http] = ports;
  const store = (name: string, conns: number) => `
    ${name}:
      sql:
        pluginName: postgres12
        databaseName: ${JSON.stringify(name === 'default' ? target.database : `${target.database}_visibility`)}
        connectAddr: ${JSON.stringify(`${target.host}:${target.port}`)}
        connectProtocol: tcp
        user: ${JSON.stringify(target.user)}
        password: ${JSON.stringify(target.password ?? '')}
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const service = (grpc: number, membership: number, extra = '') => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${shards}
  datastores:${store('default', 20)}${store('visibility', 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:${service(frontend!, mFrontend!, `\n      httpPort: ${http}`)}
  history:${service(history!, mHistory!)}
  matching:${service(matching!, mMatching!)}
  worker:${service(worker!, mWorker!)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${frontend}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${JSON.stringify(dynamicConfig)}
  pollInterval: 60s
`;
}

export interface Cluster {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the server (all four services in one process) on PostgreSQL, registers the namespace and
 * Quayside's search attributes, and resolves once the namespace takes requests.
 */
export async function startCluster(opts: {
  binaries: ClusterBinaries;
  target: PostgresTarget;
  dataDir: string;
  namespace: string;
  port?: number;
  shards?: number;
  log?: Logger;
}): Promise<Cluster> {
  await setupClusterSchema(opts.binaries.sqlTool, opts.target, opts.log);
  // Membership ports are stored as smallint, so the layout stays below 32768 (Temporal's own
  // defaults around 7233, shifted with the frontend port).
  const base = opts.port ?? 7233;
  const ports = [
    base,
    base + 1,
    base + 2,
    base + 6,
    base - 300,
    base - 299,
    base - 298,
    base - 294,
    base + 10,
  ];
  if (base < 400 || base + 10 > 32_767)
    throw new TemporalUnavailableError('the cluster frontend port must be between 400 and 32757');
  for (const p of ports)
    if (await portInUse(p))
      throw new TemporalUnavailableError(`port ${p} is taken; choose another TEMPORAL_PORT for the cluster`);
  const configDir = path.join(opts.dataDir, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(configDir, 'development.yaml'),
    configYaml(opts.target, ports, opts.shards ?? 4, path.join(configDir, 'dynamicconfig.yaml')),
  );
  // Search attributes of the SQL visibility store are typed columns; a few more than Quayside needs.
  fs.writeFileSync(
    path.join(configDir, 'dynamicconfig.yaml'),
    'system.forceSearchAttributesCacheRefreshOnRead:\n  - value: true\n',
  );
  const logFile = path.join(opts.dataDir, 'temporal-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    opts.binaries.server,
    ['--root', opts.dataDir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
    { stdio: ['ignore', out, out], detached: true, cwd: opts.dataDir },
  );
  fs.closeSync(out);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new TemporalUnavailableError(`the Temporal server exited with ${code}; see ${logFile}`)),
    ),
  );
  const address = `127.0.0.1:${ports[0]}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  try {
    await Promise.race([waitForTemporal({ address }, 90_000), exited]);
    await Promise.race([prepareNamespace(address, opts.namespace), exited]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, process: child, stop };
}

/** Registers `namespace` on the cluster at `address` when missing, with Quayside's search attributes. */
export async function prepareNamespace(address: string, namespace: string): Promise<void> {
  await ensureNamespace(address, namespace);
  // A namespace registered a moment ago takes a few seconds to reach every service.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await registerSearchAttributes({ address }, namespace);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

async function ensureNamespace(address: string, namespace: string): Promise<void> {
  const conn = await Connection.connect({ address });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await conn.workflowService.describeNamespace({ namespace });
        return;
      } catch {
        await conn.workflowService
          .registerNamespace({
            namespace,
            workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
          })
          .catch(() => undefined);
      }
      if (Date.now() > deadline)
        throw new TemporalUnavailableError(`namespace ${namespace} never became ready`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await conn.close();
  }
}
