import fs from 'node:fs';
import path from 'node:path';

/**
 * Splits the worker's V8 CPU profiles (one per thread, written by `npm run bench -- orders
 * --cpu-prof`) into where its CPU went during the saturation phase, in CPU-ms per order.
 *
 * Each sample's time goes to the first category found walking its stack from the running
 * function outward, so time in JSON.stringify called by the payload converter counts as payload
 * conversion and time in pg called from an activity counts as Postgres. Every sample on the
 * workflow thread that is in no other category counts as workflow activations. What the
 * process's /proc CPU counts beyond the sampled JavaScript time (the SDK's Rust core threads,
 * libuv's thread pool, the profiler itself) is reported as "native threads, not sampled".
 *
 * `npx tsx bench/_cpu-split.ts <profile dir>` prints it again from a finished run's directory.
 */

export const CATEGORIES = [
  'workflow activations',
  'payload conversion and codec',
  'local activities',
  'Postgres',
  'connector (HTTP)',
  'logging',
  'Temporal SDK plumbing (protobuf, task loops)',
  'garbage collection',
  'other JavaScript',
] as const;
export type Category = (typeof CATEGORIES)[number];

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The phase the split covers, as the bench recorded it (microseconds of the monotonic clock V8 stamps profiles with). */
export interface ProfileWindow {
  startUs: number;
  endUs: number;
  orders: number;
  /** The worker's CPU in the window from /proc (all threads), ms. */
  procCpuMs: number;
}

const RULES: [Category, RegExp][] = [
  [
    'logging',
    /node_modules\/(pino|pino-[\w-]+|sonic-boom|thread-stream|on-exit-leak-free)\/|\/platform\/logger\.ts/,
  ],
  [
    'payload conversion and codec',
    /@temporalio\/common\/lib\/converter\/|\/platform\/codec\.ts|node:crypto|lossless-json/,
  ],
  [
    'Postgres',
    /node_modules\/(pg|pg-protocol|pg-pool|pg-types|pg-copy-streams|postgres-[\w-]+)\/|\/db\/[\w/-]+\.ts/,
  ],
  ['connector (HTTP)', /\/connectors\/|undici|node:_http|node:http|@shopify\//],
  [
    'local activities',
    /\/activities\/[\w/-]+\.ts|@temporalio\/worker\/lib\/activity|@temporalio\/activity\//,
  ],
  [
    'workflow activations',
    /@temporalio\/worker\/lib\/workflow|@temporalio\/workflow\/|\/workflows\/[\w/-]+\.ts/,
  ],
  ['Temporal SDK plumbing (protobuf, task loops)', /@temporalio\/|protobufjs|node_modules\/(long|rxjs)\//],
];

function categoryOf(stack: CallFrame[], onWorkflowThread: boolean): Category {
  const leaf = stack[0];
  if (leaf?.functionName === '(garbage collector)') return 'garbage collection';
  for (const frame of stack) {
    for (const [category, re] of RULES) {
      if (!re.test(frame.url)) continue;
      // Inside the workflow sandbox every frame is the bundle's; only the converter is told apart.
      if (onWorkflowThread && category !== 'payload conversion and codec') return 'workflow activations';
      return category;
    }
  }
  return onWorkflowThread ? 'workflow activations' : 'other JavaScript';
}

/**
 * Whether a profile is one of the SDK's workflow threads: not the main thread (node names the
 * files CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, the main thread's id is 0) and
 * running the SDK's workflow thread entry.
 */
function isWorkflowThread(file: string, p: CpuProfile): boolean {
  const threadId = /\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1];
  return threadId !== '0' && p.nodes.some((n) => n.callFrame.url.includes('workflow-worker-thread'));
}

export interface CpuSplit {
  orders: number;
  windowSeconds: number;
  procCpuMsPerOrder: number;
  sampledCpuMsPerOrder: number;
  perOrderMs: Record<string, number>;
  threads: number;
}

/** node's --cpu-prof default sampling interval. */
const SAMPLE_US = 1000;
const debug = Boolean(process.env.CPU_SPLIT_DEBUG);

export function splitProfiles(dir: string, window: ProfileWindow): CpuSplit {
  const totals = new Map<string, number>(CATEGORIES.map((c) => [c, 0]));
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  let sampledUs = 0;
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const workflowThread = isWorkflowThread(file, profile);
    const parent = new Map<number, number>();
    const byId = new Map<number, ProfileNode>();
    for (const n of profile.nodes) {
      byId.set(n.id, n);
      for (const c of n.children ?? []) parent.set(c, n.id);
    }
    const memo = new Map<number, Category | null>();
    const category = (id: number): Category | null => {
      const known = memo.get(id);
      if (known !== undefined) return known;
      const leaf = byId.get(id)!.callFrame.functionName;
      let result: Category | null;
      if (leaf === '(idle)' || leaf === '(root)') result = null;
      else {
        const stack: CallFrame[] = [];
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
          stack.push(byId.get(at)!.callFrame);
        result = categoryOf(stack, workflowThread);
      }
      memo.set(id, result);
      return result;
    };
    // Each sample counts one sampling interval. (The gaps between samples are wall time: on a
    // loaded machine a thread waiting for a core would be charged for the wait.)
    let t = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      t += profile.timeDeltas[i] ?? 0;
      if (t < window.startUs || t > window.endUs) continue;
      const c = category(profile.samples[i]!);
      if (c === null) continue;
      totals.set(c, (totals.get(c) ?? 0) + SAMPLE_US);
      sampledUs += SAMPLE_US;
    }
    if (debug) process.stderr.write(`${file}: workflow thread ${workflowThread}\n`);
  }
  const orders = Math.max(1, window.orders);
  const perOrderMs: Record<string, number> = {};
  for (const [c, us] of totals) perOrderMs[c] = us / 1000 / orders;
  perOrderMs['native threads, not sampled'] = Math.max(0, window.procCpuMs - sampledUs / 1000) / orders;
  return {
    orders: window.orders,
    windowSeconds: (window.endUs - window.startUs) / 1e6,
    procCpuMsPerOrder: window.procCpuMs / orders,
    sampledCpuMsPerOrder: sampledUs / 1000 / orders,
    perOrderMs,
    threads: files.length,
  };
}

export function describeSplit(split: CpuSplit): string {
  const rows = Object.entries(split.perOrderMs).sort((a, b) => b[1] - a[1]);
  const width = Math.max(...rows.map(([c]) => c.length));
  return [
    `worker CPU per order over ${split.windowSeconds.toFixed(1)} s (${split.orders} orders, ${split.threads} profiled threads): ` +
      `${split.procCpuMsPerOrder.toFixed(1)} ms by /proc, ${split.sampledCpuMsPerOrder.toFixed(1)} ms sampled JavaScript`,
    ...rows.map(
      ([c, ms]) =>
        `  ${c.padEnd(width)}  ${ms.toFixed(1).padStart(7)} ms  ${((100 * ms) / Math.max(1e-9, split.procCpuMsPerOrder)).toFixed(0).padStart(3)} %`,
    ),
  ].join('\n');
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: npx tsx bench/_cpu-split.ts <profile dir>\n');
    process.exit(1);
  }
  const window = JSON.parse(fs.readFileSync(path.join(dir, 'window.json'), 'utf8')) as ProfileWindow;
  process.stdout.write(describeSplit(splitProfiles(dir, window)) + '\n');
}
