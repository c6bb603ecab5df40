import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { dropDatabase } from '../db/migrate';
import { orderWorkflowId } from '../domain/contracts';
import { loadConfig } from '../platform/config';
import { freePort } from '../platform/temporal-server';
import { prepareNamespace } from '../platform/temporal-cluster';
import { taskQueue } from '../domain/ids';
import { describeMachine } from './_report';
import { distribution } from './_stats';
import { describeSplit, splitProfiles, type ProfileWindow } from './_cpu-split';
import { contractItems, seedCustomer, seedItem, stockedType } from '../sandbox/erp/scenario';

/**
 * Webhook → ERP sales order at a sustained rate, on the system exactly as `npm start` runs it (its
 * own Temporal dev server, database and ports, or the Temporal server at --temporal-address): the
 * sandbox store emits signed orders/create webhooks (some delivered twice), the API signals order
 * workflows, the worker(s) create the sales orders in the sandbox ERP at the configured latency.
 *
 * Then, on the same Temporal server with the same number of worker processes and at the same
 * rates, a minimal workflow with the same sequence of local and remote activity calls as a real
 * order's history (read from this run) and no Quayside logic: the baseline every figure is divided by.
 * Phase 1 sends at --rate (meant to be above saturation) for throughput and worker CPU per order;
 * phase 2 sends at half of Quayside's measured throughput for latency.
 */
const o = new Command()
  .name('bench orders')
  .option('--rate <n>', 'orders per second', '20')
  .option('--duration <s>', 'seconds of load at --rate', '10')
  .option('--erp-latency-min <ms>', 'sandbox ERP latency, lower bound', '20')
  .option('--erp-latency-max <ms>', 'sandbox ERP latency, upper bound', '80')
  .option('--erp-limit <n>', 'sandbox ERP account concurrency limit (429 above)', '15')
  .option('--erp-concurrency <n>', "connector's concurrency budget", '10')
  .option('--duplicates <rate>', 'share of webhooks the store delivers twice', '0.1')
  .option('--latency-duration <s>', 'seconds of load at half the saturation throughput (0: skip)', '10')
  .option('--workers <n>', 'worker processes (extras run with STANDING_PROCESSES=false)', '1')
  .option(
    '--temporal-address <host:port>',
    'an existing Temporal server (each run gets its own namespace); default: its own dev server',
    process.env.TEMPORAL_ADDRESS,
  )
  .option('--server-label <text>', 'how the report names the Temporal server at --temporal-address')
  .option('--no-baseline', 'skip the minimal-workflow baseline')
  .option(
    '--order-timeout <s>',
    'how long a phase waits after its last send; an order then neither in the ERP nor parked is counted as unfinished',
    '180',
  )
  .option(
    '--time-limit <s>',
    'the whole run stops (and fails, with what it has reached) after this long',
    '1200',
  )
  .option('--out <name>', 'results file bench/results/<name>.json', 'orders')
  .option(
    '--cpu-prof [dir]',
    'write V8 CPU profiles of the worker process and split its CPU during phase 1 (bench/_cpu-split.ts)',
  )
  .parse()
  .opts<Record<string, string>>();

const rate = Number(o.rate);
const duration = Number(o.duration);
const latencyDuration = Number(o.latencyDuration);
const workerCount = Math.max(1, Number(o.workers));
const externalAddress = o.temporalAddress as string | undefined;
const runBaseline = (o.baseline as unknown) !== false;
const cpuProf = o.cpuProf as unknown as string | boolean | undefined;
const profileDir = cpuProf
  ? path.resolve(
      typeof cpuProf === 'string' ? cpuProf : path.join(os.tmpdir(), `quayside-cpu-prof-${Date.now()}`),
    )
  : undefined;
let profileWindow: ProfileWindow | undefined;
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const SKUS = 400;
const CUSTOMERS = 120;
/** Items dearer than this are left out of the orders; an order is at most two lines of one each. */
const MAX_LINE_CENTS = 20_000;
/** An order's total at most, with a margin for what the store adds (shipping, tax). */
const MAX_ORDER_CENTS = 2 * MAX_LINE_CENTS * 1.25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

const CLK_TCK = 100;
/** CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}
const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
/** CPU seconds every core of the machine has been busy so far (all processes), from /proc/stat. */
function machineBusySeconds(): number {
  const [, ...f] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = f.map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLK_TCK;
}
/** CPU seconds so far of each process of each part of the stack, by pid. */
type CpuSnapshot = Map<number, { part: string; cpu: number }>;
function snapshotParts(parts: Record<string, () => number[]>): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const [part, pids] of Object.entries(parts))
    for (const pid of pids()) {
      const cpu = cpuSeconds(pid);
      if (!out.has(pid) && Number.isFinite(cpu)) out.set(pid, { part, cpu });
    }
  return out;
}
/** Cores each part used between two snapshots (a process started since counts from 0). */
function coresByPart(a: CpuSnapshot, b: CpuSnapshot, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, { part, cpu }] of b)
    out[part] = (out[part] ?? 0) + (cpu - (a.get(pid)?.cpu ?? 0)) / seconds;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 100) / 100]));
}
/**
 * Statements run in the benchmark's database so far, by statement (pg_stat_statements), or null
 * where the server does not load that extension (it is not needed for any other figure).
 */
async function statementCounts(db: pg.Pool): Promise<Map<string, { calls: number; query: string }> | null> {
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { rows } = await db.query<{ id: string; calls: string; query: string }>(
      `SELECT queryid::text AS id, calls::text AS calls, query FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return new Map(rows.map((r) => [r.id, { calls: Number(r.calls), query: r.query }]));
  } catch {
    return null;
  }
}
/** Statements per completed order between two counts: the total and the most frequent. */
function statementsPerOrder(
  a: Map<string, { calls: number; query: string }> | null,
  b: Map<string, { calls: number; query: string }> | null,
  orders: number,
) {
  if (!a || !b) return null;
  const per = [...b]
    .map(([id, s]) => ({
      query: s.query.replace(/\s+/g, ' ').slice(0, 160),
      n: s.calls - (a.get(id)?.calls ?? 0),
    }))
    .filter((s) => s.n > 0)
    .sort((x, y) => y.n - x.n);
  const round = (n: number) => Math.round((n / Math.max(1, orders)) * 100) / 100;
  return {
    total: round(per.reduce((sum, s) => sum + s.n, 0)),
    top: per.slice(0, 25).map((s) => ({ perOrder: round(s.n), query: s.query })),
  };
}
function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
/** Processes whose command line contains every one of `parts`. */
function processesMatching(...parts: string[]): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => pid !== process.pid && parts.every((p) => cmdline(pid).includes(p)));
}

async function waitForLine(child: ChildProcess, line: string, what: string, timeoutS = 600): Promise<void> {
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(line)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${output.slice(-3000)}`)));
    timer = setTimeout(
      () => reject(new Error(`${what} did not say "${line}" within ${timeoutS} s:\n${output.slice(-3000)}`)),
      timeoutS * 1000,
    );
  }).finally(() => clearTimeout(timer));
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  child.stderr!.resume();
}

/** Distinct worker identities polling a workflow task queue, polled until at least `n` or the deadline. */
async function waitForPollers(client: Client, namespace: string, queue: string, n: number): Promise<void> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: queue },
      taskQueueType: 1,
    });
    if (new Set((res.pollers ?? []).map((p) => p.identity)).size >= n) return;
    await sleep(300);
  }
  throw new Error(`fewer than ${n} workers polled ${queue} within 600 s`);
}

/** Every process the run started, so the time limit can stop them. */
const children: ChildProcess[] = [];

function spawnTs(entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', entry)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: path.join(__dirname, '..'),
  });
  children.push(child);
  return child;
}

/** `p`, or an error naming `what` after `seconds`. */
function withTimeout<T>(p: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${seconds} s`)), seconds * 1000);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await gone;
  clearTimeout(timer);
}

const summary = (sorted: number[]) => ({
  p50: percentile(sorted, 50),
  p90: percentile(sorted, 90),
  p99: percentile(sorted, 99),
  max: sorted.at(-1) ?? NaN,
});

/** The local ('L') and remote ('R') activity calls of a workflow's history, in order. */
function activitySteps(events: proto.api.history.v1.IHistoryEvent[]): string {
  const T = proto.api.enums.v1.EventType;
  return events
    .map((e) =>
      e.eventType === T.EVENT_TYPE_MARKER_RECORDED
        ? 'L'
        : e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
          ? 'R'
          : '',
    )
    .join('');
}

async function startQuayside(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawnTs('scripts/start.ts', env);
  await waitForLine(child, 'Quayside is running.', 'npm start');
  return child;
}

interface PhaseResult {
  rate: number;
  sent: number;
  completed: number;
  /** held by the process (credit, price, mapping, ERP refusal …): never waited on, not in the throughput */
  parked: number;
  /** neither completed nor parked when the phase's wait ran out */
  unfinished: number;
  sendSeconds: number;
  /** completions ÷ seconds from the first send to the last completion */
  throughput: number;
  latencyMs: ReturnType<typeof summary>;
  /** worker CPU seconds over the phase, idle use subtracted, ÷ completions */
  workerCpuMsPerOrder: number;
  serverCpuMsPerOrder: number;
  /** seconds from the first send to the last completion */
  windowSeconds: number;
  /** cores the whole machine was busy over the window (every process, this benchmark's own too) */
  machineBusyCores: number;
  /** cores each part of the stack used over the window */
  coresByPart: Record<string, number>;
  /** the whole machine's CPU (every process) over the phase ÷ completions, ms, and each part's */
  machineCpuMsPerOrder: number;
  cpuMsPerOrderByPart: Record<string, number>;
  /** send → completion of each completed item, ms (kept for the report's chart, not written raw) */
  samples: number[];
}

/** What became of one item: completed at `at` (ms), parked, or nothing within the phase's wait. */
type Outcome = { at: number } | 'parked' | null;

/**
 * Sends `total` items at `perSecond`, each through `send`, which resolves with the item's outcome.
 * After the last send the phase waits at most `waitSeconds`; then `giveUp` resolves, and every item
 * still open counts as unfinished.
 */
async function drive(
  perSecond: number,
  seconds: number,
  send: (i: number, giveUp: Promise<void>) => Promise<Outcome>,
  cpu: { workers: () => number; server: () => number; idleWorkers: number; idleServer: number },
  waitSeconds: number,
  parts: Record<string, () => number[]>,
): Promise<PhaseResult> {
  const total = Math.max(1, Math.round(perSecond * seconds));
  const cpu0 = { w: cpu.workers(), s: cpu.server() };
  const parts0 = snapshotParts(parts);
  const busy0 = machineBusySeconds();
  const t0 = Date.now();
  let stop!: () => void;
  const giveUp = new Promise<void>((r) => (stop = r));
  const done: Promise<{ sent: number; outcome: Outcome }>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / perSecond - Date.now();
    if (wait > 0) await sleep(wait);
    const sent = Date.now();
    const outcome = Promise.race([send(i, giveUp), giveUp.then((): Outcome => null)]);
    done.push(outcome.then((o) => ({ sent, outcome: o })));
  }
  const sendSeconds = (Date.now() - t0) / 1000;
  const timer = setTimeout(stop, waitSeconds * 1000);
  const results = await Promise.all(done);
  clearTimeout(timer);
  stop();
  const ok = results.flatMap((r) =>
    r.outcome && r.outcome !== 'parked' ? [{ sent: r.sent, at: r.outcome.at }] : [],
  );
  const parked = results.filter((r) => r.outcome === 'parked').length;
  const unfinished = results.filter((r) => r.outcome === null).length;
  if (!ok.length)
    throw new Error(
      `none of the ${total} sent at ${perSecond}/s completed within ${waitSeconds} s of the last send (${parked} parked)`,
    );
  const last = Math.max(...ok.map((r) => r.at));
  const window = (last - t0) / 1000;
  // Up to now, not to the last completion: the phase's wait after it is idle, and counted as such.
  const elapsed = (Date.now() - t0) / 1000;
  const machineBusyCores = Math.round(((machineBusySeconds() - busy0) / elapsed) * 100) / 100;
  const byPart = coresByPart(parts0, snapshotParts(parts), elapsed);
  const workerCpu = cpu.workers() - cpu0.w - cpu.idleWorkers * window;
  const serverCpu = cpu.server() - cpu0.s - cpu.idleServer * window;
  return {
    rate: perSecond,
    sent: total,
    completed: ok.length,
    parked,
    unfinished,
    sendSeconds,
    throughput: ok.length / window,
    windowSeconds: window,
    machineBusyCores,
    coresByPart: byPart,
    machineCpuMsPerOrder:
      Math.round(((machineBusyCores * elapsed * 1000) / Math.max(1, ok.length)) * 10) / 10,
    cpuMsPerOrderByPart: Object.fromEntries(
      Object.entries(byPart).map(([k, c]) => [
        k,
        Math.round(((c * elapsed * 1000) / Math.max(1, ok.length)) * 10) / 10,
      ]),
    ),
    latencyMs: summary(ok.map((r) => r.at - r.sent).sort((x, y) => x - y)),
    samples: ok.map((r) => r.at - r.sent),
    workerCpuMsPerOrder: (workerCpu * 1000) / Math.max(1, ok.length),
    serverCpuMsPerOrder: (serverCpu * 1000) / Math.max(1, ok.length),
  };
}

/** The worker's Prometheus metrics (the SDK's and Quayside's own), by series. */
async function scrapeMetrics(urls: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const url of urls) {
    const text = await fetch(url, { signal: AbortSignal.timeout(10_000) })
      .then((r) => r.text())
      .catch(() => '');
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const key = `${m[1]}${m[2] ?? ''}`;
      out.set(key, (out.get(key) ?? 0) + Number(m[3]));
    }
  }
  return out;
}

/**
 * Counters and histograms between two scrapes: each histogram's count and mean (its unit's, ms for
 * the SDK's latencies), each counter's increase; series summed by name, or by name and `by` label.
 */
function metricDeltas(a: Map<string, number>, b: Map<string, number>, by = ['priority', 'activity_type']) {
  const sums = new Map<string, { count: number; sum: number }>();
  const counters = new Map<string, number>();
  for (const [key, v] of b) {
    const m = /^([^{]+)(\{.*\})?$/.exec(key)!;
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]),
    );
    const tag = by
      .filter((l) => labels[l])
      .map((l) => `${l}=${labels[l]}`)
      .join(',');
    const delta = v - (a.get(key) ?? 0);
    const name = m[1]!;
    if (name.endsWith('_sum') || name.endsWith('_count')) {
      const base = `${name.replace(/_(sum|count)$/, '')}${tag ? `{${tag}}` : ''}`;
      const e = sums.get(base) ?? { count: 0, sum: 0 };
      if (name.endsWith('_sum')) e.sum += delta;
      else e.count += delta;
      sums.set(base, e);
    } else if (!name.endsWith('_bucket') && delta > 0) {
      const k = `${name}${tag ? `{${tag}}` : ''}`;
      counters.set(k, (counters.get(k) ?? 0) + delta);
    }
  }
  const histograms = Object.fromEntries(
    [...sums]
      .filter(([, e]) => e.count > 0)
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([k, e]) => [k, { count: e.count, mean: Math.round((e.sum / e.count) * 10) / 10 }]),
  );
  return {
    histograms,
    counters: Object.fromEntries(
      [...counters].filter(([, v]) => v > 0).sort(([x], [y]) => x.localeCompare(y)),
    ),
  };
}

const resultsFile = path.join(__dirname, 'results', `${o.out}.json`);

/** After the worker has stopped (and written its profiles): the CPU split, printed and added to the results. */
function reportCpuSplit(): void {
  if (!profileDir || !profileWindow) return;
  fs.writeFileSync(path.join(profileDir, 'window.json'), JSON.stringify(profileWindow, null, 2) + '\n');
  const split = splitProfiles(profileDir, profileWindow);
  const result = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
  result.cpuSplit = {
    profileDir,
    note: 'phase 1, profiled run (the profiler adds CPU of its own)',
    ...split,
  };
  fs.writeFileSync(resultsFile, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`${describeSplit(split)}\nprofiles in ${profileDir}\n`);
}

async function main() {
  const loadAtStart = os.loadavg();
  const base = loadConfig({ ...process.env, LOG_PRETTY: 'false' });
  const stamp = Date.now().toString(36);
  const dbUrl = new URL(base.DATABASE_URL);
  dbUrl.pathname = `/quayside_bench_orders_${stamp}`;
  const databaseUrl = dbUrl.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quayside-bench-'));
  const [apiPort, erpPort, storePort, temporalPort, uiPort, ...metricsPorts] = await Promise.all(
    Array.from({ length: 5 + workerCount }, () => freePort()),
  );
  // On a shared server each run gets its own namespace: order workflow ids repeat from run to run.
  const namespace = externalAddress ? `quayside-bench-${stamp}` : base.TEMPORAL_NAMESPACE;
  const address = externalAddress ?? `127.0.0.1:${temporalPort}`;
  const serverMode = externalAddress
    ? ((o.serverLabel as string | undefined) ?? `Temporal server at ${externalAddress}`)
    : 'Temporal dev server, SQLite file in WAL mode (as npm start runs it)';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    DATABASE_URL: databaseUrl,
    QUAYSIDE_DATA_DIR: dataDir,
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    TEMPORAL_NAMESPACE: namespace,
    API_PORT: String(apiPort),
    API_PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
    SANDBOX_ERP_PORT: String(erpPort),
    SANDBOX_STORE_PORT: String(storePort),
    // The measured system is one store's, as its earlier results were: no second sandbox shop.
    SANDBOX_SECOND_STORE: '',
    NETSUITE_BASE_URL: `http://127.0.0.1:${erpPort}`,
    SHOPIFY_ADMIN_URL: `http://127.0.0.1:${storePort}`,
    SANDBOX_ERP_SKUS: String(SKUS),
    SANDBOX_ERP_CUSTOMERS: String(CUSTOMERS),
    SANDBOX_ERP_LATENCY_MIN_MS: o.erpLatencyMin,
    SANDBOX_ERP_LATENCY_MAX_MS: o.erpLatencyMax,
    SANDBOX_ERP_CONCURRENCY_LIMIT: o.erpLimit,
    NETSUITE_CONCURRENCY: o.erpConcurrency,
    SANDBOX_STORE_DUPLICATE_RATE: o.duplicates,
    ERP_EVENTS_POLL_SECONDS: '1',
    WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPorts[0]}`,
  };
  if (profileDir) {
    fs.mkdirSync(profileDir, { recursive: true });
    env.QUAYSIDE_WORKER_CPU_PROF_DIR = profileDir;
  }
  if (externalAddress) {
    env.TEMPORAL_ADDRESS = externalAddress;
    await prepareNamespace(externalAddress, namespace);
  } else delete env.TEMPORAL_ADDRESS;
  process.stdout.write(
    `starting Quayside (npm start) with ${workerCount} worker process(es) on ${serverMode}, namespace ${namespace}…\n`,
  );
  const started = Date.now();
  const quayside = await startQuayside(env);
  const extras: ChildProcess[] = [];
  const baselineWorkers: ChildProcess[] = [];
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  try {
    const workerEnv = { ...env, TEMPORAL_ADDRESS: address, STANDING_PROCESSES: 'false' };
    for (let k = 1; k < workerCount; k++)
      extras.push(
        spawnTs('workers/main.ts', { ...workerEnv, WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPorts[k]}` }),
      );
    const metricsUrls = metricsPorts.map((p) => `http://127.0.0.1:${p}/metrics`);
    const ordersQueue = taskQueue('orders', base.TEMPORAL_TASK_QUEUE_PREFIX);
    await waitForPollers(client, namespace, ordersQueue, workerCount);
    process.stdout.write(`up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const workerPids = [
      ...childrenOf(quayside.pid!).filter((pid) => cmdline(pid).includes('workers/main.ts')),
      ...extras.map((c) => c.pid!),
    ];
    const serverPids = externalAddress
      ? processesMatching('server-bin/server')
      : processesMatching('start-dev', '--port', String(temporalPort));
    const cpu = { workers: () => cpuOf(workerPids), server: () => cpuOf(serverPids) };
    const serviceOf = (entry: string) => () =>
      childrenOf(quayside.pid!).filter((pid) => cmdline(pid).includes(entry));
    /** Every part of the stack whose CPU each phase reports (the baseline's workers replace Quayside's). */
    const stackParts = (workers: () => number[]) => ({
      workers,
      'Temporal server': () => serverPids,
      PostgreSQL: () => processesMatching('postgres'),
      API: serviceOf('api/main.ts'),
      'sandbox ERP': serviceOf('sandbox/erp/main.ts'),
      'sandbox store': serviceOf('sandbox/storefront/main.ts'),
      benchmark: () => [process.pid],
    });

    const store = base.QUAYSIDE_STORE;
    const erpAdmin = async <T>(method: string, p: string): Promise<T> =>
      (await (
        await fetch(`http://127.0.0.1:${erpPort}/admin${p}`, { method, signal: AbortSignal.timeout(30_000) })
      ).json()) as T;
    const sim = async <T>(p: string, body: unknown): Promise<T> => {
      const res = await fetch(`http://127.0.0.1:${storePort}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`${p}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };

    // Buyers on the base price level with a credit limit, ordering stocked items they have no
    // contract price for: only buyers whose credit headroom takes every order the run sends them
    // (their orders stay open, uninvoiced, through the run), so no order is held for credit.
    const items = Array.from({ length: SKUS }, (_, k) => seedItem(k + 1)).filter(
      (i) => stockedType(i.type) && !i.inactive && i.basePriceCents < MAX_LINE_CENTS,
    );
    const planned = Math.round(rate * duration) + Math.ceil(rate * latencyDuration);
    const candidates = Array.from({ length: CUSTOMERS }, (_, k) => seedCustomer(k + 1))
      .filter((c) => c.priceLevel === 'Base Price' && c.creditLimit !== null && c.parentId === null)
      .map((c) => ({ ...c, headroomCents: c.creditLimit! * 100 - c.balanceCents }))
      .sort((x, y) => y.headroomCents - x.headroomCents);
    // The most buyers whose smallest headroom still takes its share of the orders.
    let fit = 0;
    for (let k = 1; k <= candidates.length; k++)
      if (candidates[k - 1]!.headroomCents >= Math.ceil(planned / k) * MAX_ORDER_CENTS) fit = k;
    const buyers = candidates.slice(0, fit);
    if (!buyers.length) throw new Error(`no seeded buyer has the credit headroom for ${planned} orders`);
    process.stdout.write(
      `${buyers.length} buyers with the credit headroom for ${Math.ceil(planned / buyers.length)} orders each\n`,
    );
    const catalogReady = Date.now() + 120_000;
    for (;;) {
      const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM price_cache');
      if (n.rows[0]!.n > 0) break;
      if (Date.now() > catalogReady) throw new Error('the price cache was still empty 120 s after start');
      await sleep(500);
    }

    // Idle use (standing syncs polling the ERP every second), subtracted from each phase: measured
    // once the start-up syncs have settled (the worker under a fifth of a core for a second, or 60 s).
    const settled = Date.now() + 60_000;
    for (let before = cpu.workers(); Date.now() < settled;) {
      await sleep(1000);
      const now = cpu.workers();
      if (now - before < 0.2) break;
      before = now;
    }
    await erpAdmin('POST', '/stats/reset');
    const idle0 = { w: cpu.workers(), s: cpu.server() };
    const idleParts0 = snapshotParts(stackParts(() => workerPids));
    const idleBusy0 = machineBusySeconds();
    await sleep(3000);
    // What the stack uses with no order coming in (the standing syncs polling every second): it
    // runs through both phases, Quayside's and the baseline's, and takes its share of the cores.
    const idleCores = {
      machine: Math.round(((machineBusySeconds() - idleBusy0) / 3) * 100) / 100,
      byPart: coresByPart(idleParts0, snapshotParts(stackParts(() => workerPids)), 3),
    };
    const idle = {
      idleWorkers: (cpu.workers() - idle0.w) / 3,
      idleServer: (cpu.server() - idle0.s) / 3,
    };
    const idleStats = await erpAdmin<{ requests: number; byKind: Record<string, number> }>('GET', '/stats');
    const idleCallsPerSecond = idleStats.requests / 3;
    await erpAdmin('POST', '/stats/reset');

    const storeOrders: string[] = [];
    let failedSends = 0;
    /** The creation time of the sales order for each PO in the sandbox ERP. */
    const created = new Map<string, number>();
    /** The POs whose order process is held for attention (credit, price, mapping, ERP refusal …). */
    const parkedPos = new Set<string>();
    const waiting = new Map<string, (outcome: Outcome) => void>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const [rows, held] = await Promise.all([
          db.query<{ po: string; created: Date }>(
            `SELECT other_ref_num AS po, min(tran_date) AS created FROM sandbox_erp.txn
              WHERE type = 'SalesOrd' AND other_ref_num LIKE 'BENCH-%' GROUP BY other_ref_num`,
          ),
          db.query<{ po: string }>(
            `SELECT po_number AS po FROM orders WHERE po_number LIKE 'BENCH-%' AND attention_reason IS NOT NULL`,
          ),
        ]);
        for (const r of rows.rows) {
          if (created.has(r.po)) continue;
          created.set(r.po, r.created.getTime());
          waiting.get(r.po)?.({ at: r.created.getTime() });
          waiting.delete(r.po);
        }
        for (const r of held.rows) {
          if (created.has(r.po) || parkedPos.has(r.po)) continue;
          parkedPos.add(r.po);
          waiting.get(r.po)?.('parked');
          waiting.delete(r.po);
        }
        await sleep(250);
      }
    })();
    const sendOrder = (po: string, i: number, giveUp: Promise<void>): Promise<Outcome> => {
      const buyer = buyers[i % buyers.length]!;
      const excluded = new Set(contractItems(buyer.id, SKUS));
      const usable = items.filter((it) => !excluded.has(it.id));
      const a = usable[i % usable.length]!;
      const b = usable[(i * 7 + 3) % usable.length]!;
      const done = new Promise<Outcome>((resolve) => {
        waiting.set(po, resolve);
        void giveUp.then(() => {
          if (waiting.delete(po)) resolve(null);
        });
      });
      return sim<{ orderId: string }>('/sandbox/orders', {
        customerEmail: buyer.email,
        poNumber: po,
        lines:
          a.id === b.id
            ? [{ sku: `PROD-${a.id}`, quantity: 1 }]
            : [
                { sku: `PROD-${a.id}`, quantity: 1 },
                { sku: `PROD-${b.id}`, quantity: 1 },
              ],
      }).then(
        (r) => {
          storeOrders.push(r.orderId);
          return done;
        },
        () => {
          failedSends++;
          waiting.delete(po);
          return null;
        },
      );
    };
    const waitSeconds = Number(o.orderTimeout);
    type ErpStats = {
      requests: number;
      throttled: number;
      maxInFlight: number;
      byKind: Record<string, number>;
    };

    process.stdout.write(`phase 1: ${Math.round(rate * duration)} orders at ${rate}/s…\n`);
    const window0 = { us: monotonicUs(), cpu: cpu.workers() };
    const metrics0 = await scrapeMetrics(metricsUrls);
    const statements0 = await statementCounts(db);
    const saturation = await drive(
      rate,
      duration,
      (i, giveUp) => sendOrder(`BENCH-S-${i}`, i, giveUp),
      { ...cpu, ...idle },
      waitSeconds,
      stackParts(() => workerPids),
    );
    const saturationMetrics = metricDeltas(metrics0, await scrapeMetrics(metricsUrls));
    const saturationStatements = statementsPerOrder(
      statements0,
      await statementCounts(db),
      saturation.completed,
    );
    profileWindow = {
      startUs: window0.us,
      endUs: monotonicUs(),
      orders: saturation.completed,
      procCpuMs: (cpu.workers() - window0.cpu) * 1000,
    };
    const statsSaturation = await erpAdmin<ErpStats>('GET', '/stats');
    const halfRate = Math.max(0.1, Math.round(saturation.throughput * 5) / 10);
    let latency: PhaseResult | null = null;
    if (latencyDuration > 0) {
      process.stdout.write(`phase 2: ${Math.round(halfRate * latencyDuration)} orders at ${halfRate}/s…\n`);
      latency = await drive(
        halfRate,
        latencyDuration,
        (i, giveUp) => sendOrder(`BENCH-L-${i}`, i + 100_000, giveUp),
        { ...cpu, ...idle },
        waitSeconds,
        stackParts(() => workerPids),
      );
    }
    watching = false;
    await watcher;
    const stats = await erpAdmin<ErpStats>('GET', '/stats');
    const dup = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT other_ref_num FROM sandbox_erp.txn
        WHERE type = 'SalesOrd' AND other_ref_num LIKE 'BENCH-%' GROUP BY 1 HAVING count(*) > 1) d`,
    );
    // Parked orders by kind of reason ("Credit hold", "SKU … is not mapped" …), without the order's own figures.
    const parked = await db.query<{ reason: string; n: number; example: string }>(
      `SELECT split_part(regexp_replace(attention_reason, '^Order [^:]*: ', ''), ':', 1) AS reason,
              count(*)::int AS n, min(attention_reason) AS example
         FROM orders WHERE attention_reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`,
    );
    // Orders neither in the ERP nor parked when their phase's wait ran out: where each one was.
    const unfinished = await db.query<{ step: string; n: number }>(
      `SELECT coalesce(step, status) AS step, count(*)::int AS n FROM orders
        WHERE po_number LIKE 'BENCH-%' AND attention_reason IS NULL AND NOT (po_number = ANY($1::text[]))
        GROUP BY 1 ORDER BY 2 DESC`,
      [[...created.keys()]],
    );
    const parkedTotal = parked.rows.reduce((sum, r) => sum + r.n, 0);
    const sent = saturation.sent + (latency?.sent ?? 0);

    // The activity calls of a real order until it waits for fulfillment, from this run's histories.
    const shapes = new Map<string, number>();
    let events = 0;
    const eventTypes = new Map<string, number>();
    const sample = storeOrders.slice(0, 20);
    for (const id of sample) {
      const history = await withTimeout(
        client.workflow.getHandle(orderWorkflowId(store, id)).fetchHistory(),
        60,
        `the history of order ${id}`,
      );
      events += history.events?.length ?? 0;
      for (const e of history.events ?? []) {
        const type = proto.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType);
        const name = type.replace(/^EVENT_TYPE_/, '');
        eventTypes.set(name, (eventTypes.get(name) ?? 0) + 1);
      }
      const steps = activitySteps(history.events ?? []);
      shapes.set(steps, (shapes.get(steps) ?? 0) + 1);
    }
    const steps = [...shapes.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? 'LLLLLLLLLR';

    let baseline: {
      steps: string;
      saturation: PhaseResult;
      latency: PhaseResult | null;
      historyEvents: number;
    } | null = null;
    if (runBaseline) {
      const queue = `bench-baseline-${stamp}`;
      const bEnv = {
        ...process.env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: namespace,
        BASELINE_TASK_QUEUE: queue,
        BASELINE_LATENCY_MIN_MS: o.erpLatencyMin,
        BASELINE_LATENCY_MAX_MS: o.erpLatencyMax,
      };
      for (let k = 0; k < workerCount; k++) baselineWorkers.push(spawnTs('bench/_baseline/worker.ts', bEnv));
      await Promise.all(
        baselineWorkers.map((c) => waitForLine(c, 'baseline worker ready', 'baseline worker')),
      );
      await waitForPollers(client, namespace, queue, workerCount);
      const bPids = baselineWorkers.map((c) => c.pid!);
      const bCpu = { workers: () => cpuOf(bPids), server: () => cpuOf(serverPids) };
      const bIdle0 = { w: bCpu.workers(), s: bCpu.server() };
      await sleep(2000);
      const bIdle = {
        idleWorkers: (bCpu.workers() - bIdle0.w) / 2,
        idleServer: (bCpu.server() - bIdle0.s) / 2,
      };
      const startOne = async (id: string): Promise<Outcome> => {
        try {
          const handle = await client.workflow.start('orderShaped', {
            taskQueue: queue,
            workflowId: id,
            args: [steps],
          });
          await handle.result();
          return { at: Date.now() };
        } catch {
          return null;
        }
      };
      process.stdout.write(`baseline (${steps.length} activity calls: ${steps}) phase 1 at ${rate}/s…\n`);
      const bSat = await drive(
        rate,
        duration,
        (i) => startOne(`baseline-${stamp}-S-${i}`),
        { ...bCpu, ...bIdle },
        waitSeconds,
        stackParts(() => bPids),
      );
      let bLat: PhaseResult | null = null;
      if (latencyDuration > 0) {
        process.stdout.write(`baseline phase 2 at ${halfRate}/s…\n`);
        bLat = await drive(
          halfRate,
          latencyDuration,
          (i) => startOne(`baseline-${stamp}-L-${i}`),
          { ...bCpu, ...bIdle },
          waitSeconds,
          stackParts(() => bPids),
        );
      }
      const bHistory = await withTimeout(
        client.workflow.getHandle(`baseline-${stamp}-S-0`).fetchHistory(),
        60,
        'the history of a baseline workflow',
      );
      baseline = { steps, saturation: bSat, latency: bLat, historyEvents: bHistory.events?.length ?? 0 };
    }

    const ratio = (a: number, b: number | undefined) => (b ? a / b : null);
    const withoutSamples = (p: PhaseResult | null | undefined) => {
      if (!p) return p ?? null;
      const { samples: _samples, ...rest } = p;
      return rest;
    };
    const charted = latency ?? saturation;
    const bCharted = baseline ? (baseline.latency ?? baseline.saturation) : null;
    const result = {
      benchmark: 'orders',
      when: new Date().toISOString(),
      machine: describeMachine(),
      // Other work on the machine: the 1, 5 and 15-minute load averages when the run began and ended.
      loadAverage: { start: loadAtStart, end: os.loadavg() },
      temporalServer: serverMode,
      temporalServerVersion: (await client.workflowService.getSystemInfo({})).serverVersion ?? 'unknown',
      workers: workerCount,
      shape: `npm start: separate processes for sandbox ERP, sandbox store, API and ${workerCount} worker(s); ${serverMode}; PostgreSQL`,
      settings: {
        rate,
        duration,
        latencyRate: halfRate,
        latencyDuration,
        erpLatencyMs: [Number(o.erpLatencyMin), Number(o.erpLatencyMax)],
        erpAccountLimit: Number(o.erpLimit),
        connectorConcurrency: Number(o.erpConcurrency),
        erpBudgetScope: process.env.NETSUITE_BUDGET_SCOPE ?? 'cluster',
        duplicateDeliveryRate: Number(o.duplicates),
      },
      ordersSent: sent,
      failedSends,
      salesOrdersCreated: created.size,
      duplicateSalesOrders: dup.rows[0]!.n,
      missingOrders: sent - failedSends - created.size - parkedTotal,
      parkedOrders: parked.rows,
      unfinishedOrders: {
        saturation: saturation.unfinished,
        latency: latency?.unfinished ?? 0,
        byStep: unfinished.rows,
      },
      saturation: withoutSamples(saturation),
      latency: withoutSamples(latency),
      baseline: baseline
        ? {
            ...baseline,
            saturation: withoutSamples(baseline.saturation),
            latency: withoutSamples(baseline.latency),
          }
        : null,
      distributions: [
        distribution(`Quayside: webhook → ERP sales order at ${charted.rate}/s`, charted.samples),
        ...(bCharted
          ? [distribution(`minimal workflow: start → done at ${bCharted.rate}/s`, bCharted.samples)]
          : []),
      ],
      ratios: baseline
        ? {
            throughput: ratio(saturation.throughput, baseline.saturation.throughput),
            workerCpuPerOrder: ratio(saturation.workerCpuMsPerOrder, baseline.saturation.workerCpuMsPerOrder),
            serverCpuPerOrder: ratio(saturation.serverCpuMsPerOrder, baseline.saturation.serverCpuMsPerOrder),
            latencyP50:
              latency && baseline.latency
                ? ratio(latency.latencyMs.p50, baseline.latency.latencyMs.p50)
                : null,
            latencyP99:
              latency && baseline.latency
                ? ratio(latency.latencyMs.p99, baseline.latency.latencyMs.p99)
                : null,
          }
        : null,
      erpCallsPerOrder:
        (stats.requests - idleCallsPerSecond * (saturation.sendSeconds + (latency?.sendSeconds ?? 0))) /
        Math.max(1, created.size),
      erpBackgroundCallsPerSecond: idleCallsPerSecond,
      idleCores,
      // Phase 1's ERP requests by kind per order completed, the standing syncs' calls included: their
      // idle rate by kind is bursty (the customer cache's refresh reads every customer at once), so a
      // few seconds of it subtracted by kind misstated the order's own calls (0.5 GET customer for 2).
      erpCallsPerOrderByKind: Object.fromEntries(
        Object.entries(statsSaturation.byKind ?? {})
          .map(([kind, n]): [string, number] => [
            kind,
            Math.round((n / Math.max(1, saturation.completed)) * 100) / 100,
          ])
          .filter(([, n]) => n > 0.005)
          .sort((x, y) => y[1] - x[1]),
      ),
      erpBackgroundCallsPerSecondByKind: Object.fromEntries(
        Object.entries(idleStats.byKind ?? {}).map(([kind, n]) => [kind, Math.round((n / 3) * 10) / 10]),
      ),
      // The worker's metrics over phase 1: the SDK's task and activity latencies (ms), the ERP budget's waits.
      workerMetricsSaturation: saturationMetrics,
      // Every process's statements in the run's database over phase 1 (Quayside's, the sandboxes', the
      // budget's, this benchmark's own watcher), per completed order; null without pg_stat_statements.
      postgresStatementsPerOrder: saturationStatements,
      erp429s: stats.throttled,
      erp429sSaturationPhase: statsSaturation.throttled,
      erpMaxInFlight: stats.maxInFlight,
      historyEventsPerOrderUntilErp: events / Math.max(1, sample.length),
      historyEventsPerOrderByType: Object.fromEntries(
        [...eventTypes]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => [k, Math.round((n / Math.max(1, sample.length)) * 10) / 10]),
      ),
      activityCallsPerOrder: {
        local: [...steps].filter((c) => c === 'L').length,
        remote: [...steps].filter((c) => c === 'R').length,
        sequence: steps,
      },
      targets: { throughputRatio: 0.8, workerCpuRatio: 1.5, latencyP99Ms: 1000 },
    };
    // A part that failed is an error, not a slow figure: the results are written, and the run fails.
    const problems = [
      failedSends ? `${failedSends} webhooks were not accepted by the sandbox store` : '',
      result.missingOrders
        ? `${result.missingOrders} orders neither reached the ERP nor parked within ${o.orderTimeout} s of their phase's last send (${unfinished.rows.map((u) => `${u.n} at ${u.step}`).join(', ') || 'not in the read model'})`
        : '',
      result.duplicateSalesOrders
        ? `${result.duplicateSalesOrders} orders made duplicate ERP sales orders`
        : '',
      baseline && baseline.saturation.completed < baseline.saturation.sent
        ? `${baseline.saturation.sent - baseline.saturation.completed} baseline workflows failed`
        : '',
    ].filter(Boolean);
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(resultsFile, JSON.stringify(result, null, 2) + '\n');
    const f = (n: number | null | undefined, d = 1) =>
      n === null || n === undefined || Number.isNaN(n) ? '—' : n.toFixed(d);
    const r = result.ratios;
    const parts = (p: PhaseResult) =>
      Object.entries(p.coresByPart)
        .map(([k, v]) => `${k} ${f(v, 2)}`)
        .join(', ');
    process.stdout.write(
      [
        '',
        `orders on ${serverMode}, ${workerCount} worker process(es): ${sent} sent → ${created.size} ERP sales orders; ${result.duplicateSalesOrders} duplicate, ${result.missingOrders} missing, ${parkedTotal} parked`,
        ...parked.rows.map((p) => `  parked ×${p.n}: ${p.reason} (e.g. ${p.example})`),
        `throughput at ${rate}/s offered   Quayside ${f(saturation.throughput)}/s   baseline ${f(baseline?.saturation.throughput)}/s   ×${f(r?.throughput, 2)}`,
        `worker CPU per order          Quayside ${f(saturation.workerCpuMsPerOrder)} ms   baseline ${f(baseline?.saturation.workerCpuMsPerOrder)} ms   ×${f(r?.workerCpuPerOrder, 2)}`,
        `Temporal server CPU per order Quayside ${f(saturation.serverCpuMsPerOrder)} ms   baseline ${f(baseline?.saturation.serverCpuMsPerOrder)} ms   ×${f(r?.serverCpuPerOrder, 2)}`,
        latency
          ? `webhook → ERP sales order at ${halfRate}/s   p50 ${latency.latencyMs.p50} ms   p99 ${latency.latencyMs.p99} ms   (baseline start → done p50 ${baseline?.latency?.latencyMs.p50 ?? '—'} ms, p99 ${baseline?.latency?.latencyMs.p99 ?? '—'} ms)`
          : '',
        `cores busy, phase 1           Quayside ${f(saturation.machineBusyCores, 2)} (${parts(saturation)})`,
        `                              baseline ${f(baseline?.saturation.machineBusyCores, 2)} (${baseline ? parts(baseline.saturation) : '—'})`,
        `                              idle, before phase 1 ${f(idleCores.machine, 2)} (${Object.entries(
          idleCores.byPart,
        )
          .map(([k, v]) => `${k} ${f(v, 2)}`)
          .join(', ')})`,
        `at ${rate}/s offered            p50 ${saturation.latencyMs.p50} ms   p99 ${saturation.latencyMs.p99} ms`,
        `activity calls per order      ${steps} (${result.activityCallsPerOrder.local} local, ${result.activityCallsPerOrder.remote} remote); ${f(result.historyEventsPerOrderUntilErp)} history events`,
        `ERP                           ${f(result.erpCallsPerOrder)} calls per order; ${stats.throttled} answered 429; max ${stats.maxInFlight} in flight (account limit ${o.erpLimit}, connector budget ${o.erpConcurrency})`,
        `ERP calls per order, phase 1  (standing syncs' included) ${Object.entries(
          result.erpCallsPerOrderByKind,
        )
          .map(([k, n]) => `${k} ${n}`)
          .join('; ')}`,
        `Postgres statements, phase 1  ${
          saturationStatements
            ? `${saturationStatements.total} per order; most frequent: ${saturationStatements.top
                .slice(0, 8)
                .map((t) => `${t.perOrder}× ${t.query.slice(0, 60)}`)
                .join('\n                              ')}`
            : '— (pg_stat_statements not loaded)'
        }`,
        `worker metrics, phase 1       ${Object.entries(saturationMetrics.histograms)
          .filter(([k]) => /schedule_to_start|execution_latency|budget_wait|pool_waiting/.test(k))
          .map(([k, h]) => `${k.replace(/^temporal_/, '')} ${h.count}× mean ${h.mean}`)
          .join('\n                              ')}`,
        '',
      ].join('\n'),
    );
    if (problems.length) throw new Error(`bench orders: ${problems.join('; ')}`);
  } finally {
    await Promise.all([...baselineWorkers, ...extras].map(stopChild));
    await connection.close();
    await db.end();
    await stopChild(quayside);
    await dropDatabase(databaseUrl).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// However a part gets stuck, the run ends: past --time-limit it stops what it started and fails.
setTimeout(
  () => {
    process.stderr.write(
      `bench orders failed: still running after the --time-limit of ${o.timeLimit} s; stopping its processes\n`,
    );
    void Promise.all(children.map(stopChild)).finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 30_000).unref();
  },
  Number(o.timeLimit) * 1000,
).unref();

main().then(
  () => {
    reportCpuSplit();
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`bench orders failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
