import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import type { Config } from './config';
import type { Logger } from './logger';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError';
}

const searchAttributeTypeName: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export function connectionOptions(config: Config, address: string): ConnectionOptions {
  const readIf = (p?: string) => (p ? fs.readFileSync(p) : undefined);
  const useTls =
    config.TEMPORAL_TLS || Boolean(config.TEMPORAL_API_KEY) || Boolean(config.TEMPORAL_TLS_CERT_PATH);
  return {
    address,
    apiKey: config.TEMPORAL_API_KEY,
    tls: useTls
      ? {
          serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
          serverRootCACertificate: readIf(config.TEMPORAL_TLS_CA_PATH),
          clientCertPair:
            config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
              ? { crt: readIf(config.TEMPORAL_TLS_CERT_PATH)!, key: readIf(config.TEMPORAL_TLS_KEY_PATH)! }
              : undefined,
        }
      : undefined,
    connectTimeout: '5s',
  };
}

export function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

export const cachedCliPath = (cacheDir: string) => path.join(cacheDir, 'bin', 'temporal');

/** A `temporal` binary from TEMPORAL_CLI_PATH, PATH, or the cache directory, if one exists. */
export function findTemporalCli(
  config: Pick<Config, 'TEMPORAL_CLI_PATH' | 'QUAYSIDE_CACHE_DIR'>,
): string | undefined {
  if (config.TEMPORAL_CLI_PATH) {
    if (!executable(config.TEMPORAL_CLI_PATH)) {
      throw new TemporalUnavailableError(
        `TEMPORAL_CLI_PATH=${config.TEMPORAL_CLI_PATH} is not an executable file.`,
      );
    }
    return config.TEMPORAL_CLI_PATH;
  }
  return (
    onPath('temporal') ??
    (executable(cachedCliPath(config.QUAYSIDE_CACHE_DIR))
      ? cachedCliPath(config.QUAYSIDE_CACHE_DIR)
      : undefined)
  );
}

/** Builds the Temporal CLI (which embeds the dev server and Web UI) from Go modules into the cache directory. */
export async function buildTemporalCli(
  cacheDir: string,
  progress: (line: string) => void = () => undefined,
): Promise<string> {
  const go = onPath('go') ?? (executable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go)
    throw new TemporalUnavailableError(
      'Go is not installed, so the Temporal CLI cannot be built from source.',
    );
  const binDir = path.join(cacheDir, 'bin');
  fs.mkdirSync(binDir, { recursive: true });
  const release = await buildLock(binDir, cachedCliPath(cacheDir), progress);
  if (!release) return cachedCliPath(cacheDir);
  try {
    await goInstallCli(go, binDir, progress);
  } finally {
    release();
  }
  return cachedCliPath(cacheDir);
}

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * One build at a time per cache directory: test runs and `npm start` started side by side wait for
 * the first one's build instead of each compiling the CLI again. Resolves to a release function,
 * or to undefined when another process built the binary while this one waited.
 */
async function buildLock(
  binDir: string,
  binary: string,
  progress: (line: string) => void,
): Promise<(() => void) | undefined> {
  const lock = path.join(binDir, '.temporal-build.lock');
  for (let waited = 0; ; waited += 1) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      const release = () => fs.rmSync(lock, { force: true });
      if (!executable(binary)) return release;
      release();
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(fs.readFileSync(lock, 'utf8'));
    if (!Number.isInteger(holder) || !processAlive(holder)) {
      fs.rmSync(lock, { force: true });
      continue;
    }
    if (waited % 10 === 0) progress(`waiting for the Temporal CLI build of process ${holder}`);
    await new Promise((r) => setTimeout(r, 2_000));
    if (!fs.existsSync(lock) && executable(binary)) return undefined;
  }
}

async function goInstallCli(go: string, binDir: string, progress: (line: string) => void): Promise<void> {
  const started = Date.now();
  let modules = 0;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['install', TEMPORAL_CLI_MODULE], {
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: binDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        if (line.startsWith('go: downloading')) modules += 1;
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => {
      const secs = Math.round((Date.now() - started) / 1000);
      progress(
        `building Temporal CLI: ${secs}s elapsed, ${modules} modules fetched (a cold build takes 10–20 minutes)`,
      );
    }, 10_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code === 0) resolve();
      else
        reject(
          new TemporalUnavailableError(
            `go install ${TEMPORAL_CLI_MODULE} failed (exit ${code}):\n${tail.join('\n')}`,
          ),
        );
    });
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until a Temporal frontend answers GetSystemInfo. */
export async function waitForTemporal(opts: ConnectionOptions, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const conn = await Connection.connect({ ...opts, connectTimeout: '2s' });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new TemporalUnavailableError(
    `Temporal at ${opts.address} did not answer within ${Math.round(timeoutMs / 1000)}s (${(lastError as Error)?.message ?? 'no answer'}).`,
  );
}

/** Registers Quayside's search attributes on a namespace, leaving existing ones alone. */
export async function registerSearchAttributes(opts: ConnectionOptions, namespace: string): Promise<void> {
  const conn = await Connection.connect(opts);
  try {
    const existing = await conn.operatorService.listSearchAttributes({ namespace });
    const known = new Set([
      ...Object.keys(existing.customAttributes ?? {}),
      ...Object.keys(existing.systemAttributes ?? {}),
    ]);
    const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
    if (missing.length === 0) return;
    const typeEnum: Record<string, number> = {
      KEYWORD: 2,
      TEXT: 1,
      INT: 3,
      DOUBLE: 4,
      BOOL: 5,
      DATETIME: 6,
      KEYWORD_LIST: 7,
    };
    await conn.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, typeEnum[k.type]!])),
    });
  } finally {
    await conn.close();
  }
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  binary: string;
  port: number;
  uiPort?: number;
  /** SQLite file for persistent state; in-memory when omitted. */
  dbFile?: string;
  namespace: string;
  headless?: boolean;
  logFile?: string;
  uiCodecEndpoint?: string;
}

/** Starts `temporal server start-dev` and resolves once its frontend answers. */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
  ];
  args.push('--log-level', 'warn', '--log-format', 'json');
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    // Write-ahead logging with normal sync: far more writes per second than the rollback journal,
    // and the file stays consistent after a crash of the process.
    args.push(
      '--db-filename',
      opts.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    );
  }
  if (opts.headless || opts.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort), '--ui-ip', '127.0.0.1');
  if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  for (const key of ALL_SEARCH_ATTRIBUTES)
    args.push('--search-attribute', `${key.name}=${searchAttributeTypeName[key.type]}`);

  const logFd = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  // Its own process group: a Ctrl-C in the terminal reaches Quayside's processes, which drain their
  // work against a server that is still up, and the server is stopped last.
  const child = spawn(opts.binary, args, { stdio: ['ignore', logFd, logFd], detached: true });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const address = `127.0.0.1:${opts.port}`;
  try {
    await Promise.race([
      waitForTemporal({ address }, 60_000),
      exitPromise.then(() => {
        throw new TemporalUnavailableError(
          `the Temporal dev server exited at start-up${opts.logFile ? ` (see ${opts.logFile})` : ''}; is port ${opts.port} or ${opts.uiPort} already taken?`,
        );
      }),
    ]);
  } catch (err) {
    if (!exited) child.kill('SIGKILL');
    throw err;
  } finally {
    if (typeof logFd === 'number') fs.closeSync(logFd);
  }
  return {
    address,
    uiUrl: opts.headless || opts.uiPort === undefined ? undefined : `http://127.0.0.1:${opts.uiPort}`,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(killer);
    },
  };
}

export interface ProvisionedTemporal {
  address: string;
  namespace: string;
  uiUrl?: string;
  source: 'TEMPORAL_ADDRESS' | 'already running' | 'dev server' | 'SDK download';
  connection: ConnectionOptions;
  stop(): Promise<void>;
}

const howToFix = (cacheDir: string) =>
  [
    'Temporal is not available. Fix it one of four ways:',
    '  1. set TEMPORAL_ADDRESS to an existing cluster or Temporal Cloud (with TEMPORAL_API_KEY or TEMPORAL_TLS_* options);',
    '  2. put a `temporal` CLI binary on PATH or name it in TEMPORAL_CLI_PATH;',
    '  3. allow the Temporal SDK to download the CLI (needs internet access to temporal.download);',
    `  4. install Go and run \`npm run temporal:install\` (CGO_ENABLED=0 go install ${TEMPORAL_CLI_MODULE} into ${path.join(cacheDir, 'bin')}).`,
  ].join('\n');

/** Finds a binary (TEMPORAL_CLI_PATH, PATH, cache), else builds it with Go; throws the four ways to fix it otherwise. */
export async function ensureTemporalCli(
  config: Config,
  log?: Logger,
  opts: { allowBuild?: boolean } = {},
): Promise<string> {
  const found = findTemporalCli(config);
  if (found) return found;
  if (opts.allowBuild === false) throw new TemporalUnavailableError(howToFix(config.QUAYSIDE_CACHE_DIR));
  try {
    log?.info(
      `no temporal binary found; building ${TEMPORAL_CLI_MODULE} into ${config.QUAYSIDE_CACHE_DIR} (one time)`,
    );
    return await buildTemporalCli(config.QUAYSIDE_CACHE_DIR, (line) => log?.info(line));
  } catch (err) {
    throw new TemporalUnavailableError(
      `${howToFix(config.QUAYSIDE_CACHE_DIR)}\n(last attempt: ${(err as Error).message})`,
    );
  }
}

/**
 * One place decides where Temporal comes from, for `npm start`, the tests and the benchmarks:
 * TEMPORAL_ADDRESS → a dev server already listening on TEMPORAL_PORT → a local `temporal` binary →
 * the SDK's download → a Go build into the cache → a message naming all four ways.
 */
export async function provisionTemporal(
  config: Config,
  log: Logger,
  opts: {
    dbFile?: string;
    port?: number;
    uiPort?: number;
    headless?: boolean;
    logFile?: string;
    reuseRunning?: boolean;
    uiCodecEndpoint?: string;
  } = {},
): Promise<ProvisionedTemporal> {
  const namespace = config.TEMPORAL_NAMESPACE;
  if (config.TEMPORAL_ADDRESS) {
    const connection = connectionOptions(config, config.TEMPORAL_ADDRESS);
    try {
      await waitForTemporal(connection, 10_000);
    } catch {
      throw new TemporalUnavailableError(
        `Cannot reach Temporal at TEMPORAL_ADDRESS=${config.TEMPORAL_ADDRESS}; start that server or unset TEMPORAL_ADDRESS to let Quayside run its own.`,
      );
    }
    await registerSearchAttributes(connection, namespace).catch((err) =>
      log.warn(
        { err },
        'could not register search attributes (the namespace may need an operator to add them)',
      ),
    );
    return {
      address: config.TEMPORAL_ADDRESS,
      namespace,
      uiUrl: config.TEMPORAL_UI_URL,
      source: 'TEMPORAL_ADDRESS',
      connection,
      stop: async () => undefined,
    };
  }

  const port = opts.port ?? config.TEMPORAL_PORT;
  const uiPort = opts.uiPort ?? config.TEMPORAL_UI_PORT;
  if (opts.reuseRunning !== false && (await portInUse(port))) {
    const connection = { address: `127.0.0.1:${port}` };
    await waitForTemporal(connection, 5_000).catch(() => {
      throw new TemporalUnavailableError(
        `Port ${port} is taken by something that is not Temporal; free it or set TEMPORAL_PORT.`,
      );
    });
    await registerSearchAttributes(connection, namespace);
    log.info({ address: connection.address }, 'reusing the Temporal server already running');
    return {
      address: connection.address,
      namespace,
      uiUrl: `http://127.0.0.1:${uiPort}`,
      source: 'already running',
      connection,
      stop: async () => undefined,
    };
  }

  let binary = findTemporalCli(config);
  if (!binary) {
    try {
      return await sdkDownloadedServer(config, log, { ...opts, port, uiPort });
    } catch (err) {
      log.info(
        { reason: (err as Error).message },
        'the SDK could not download the Temporal CLI; building it with Go',
      );
    }
    binary = await ensureTemporalCli(config, log);
  }
  const server = await startDevServer({
    binary,
    port,
    uiPort,
    namespace,
    dbFile: opts.dbFile,
    headless: opts.headless,
    logFile: opts.logFile,
    uiCodecEndpoint: opts.uiCodecEndpoint,
  });
  return {
    address: server.address,
    namespace,
    uiUrl: server.uiUrl,
    source: 'dev server',
    connection: { address: server.address },
    stop: () => server.stop(),
  };
}

async function sdkDownloadedServer(
  config: Config,
  log: Logger,
  opts: { dbFile?: string; port: number; uiPort: number; headless?: boolean },
): Promise<ProvisionedTemporal> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  log.info('no temporal binary found; trying the Temporal SDK download');
  const env = await Promise.race([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: '127.0.0.1',
        port: opts.port,
        ui: !opts.headless,
        uiPort: opts.uiPort,
        dbFilename: opts.dbFile,
        namespace: config.TEMPORAL_NAMESPACE,
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
      },
    }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('download timed out after 60s')), 60_000).unref(),
    ),
  ]);
  const address = `127.0.0.1:${opts.port}`;
  return {
    address,
    namespace: config.TEMPORAL_NAMESPACE,
    uiUrl: opts.headless ? undefined : `http://127.0.0.1:${opts.uiPort}`,
    source: 'SDK download',
    connection: { address },
    stop: () => env.teardown(),
  };
}
