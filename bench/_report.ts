import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latencySvg, toPng } from './_charts';
import type { Distribution } from './_stats';

const ROOT = path.join(__dirname, '..');

function packageVersion(name: string): string {
  try {
    const file = path.join(ROOT, 'node_modules', ...name.split('/'), 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** `temporal --version` of the CLI the benchmarks run (the dev server), or null when none is found. */
function temporalCliVersion(): string | null {
  const cache = process.env.QUAYSIDE_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'quayside');
  for (const bin of [path.join(cache, 'bin', 'temporal'), 'temporal']) {
    try {
      return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    } catch {
      // try the next
    }
  }
  return null;
}

/** The machine a benchmark ran on, as the report names it. */
export function describeMachine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpuModel: model,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    temporalSdk: packageVersion('@temporalio/worker'),
  };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ReportMeta {
  startedAt: string;
  finishedAt: string;
  /** 1, 5 and 15-minute load averages when the run started and when it ended */
  loadAverage: { start: number[]; end: number[] };
  /** The short settings each benchmark ran with */
  settings?: Record<string, string[]>;
  /** Benchmarks that failed in this run, with the reason; their old results are not reported. */
  failures?: { bench: string; reason: string }[];
  versions?: { temporalCli?: string | null };
}

interface Row {
  bench: string;
  what: string;
  server: string;
  figure: string;
  baseline: string;
  ratio: string;
  target: string;
  met: boolean | null;
}

const f = (n: unknown, d = 1) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(d) : '—');
const x = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? `×${n.toFixed(2)}` : '—');
const ms = (n: unknown) =>
  typeof n === 'number' && Number.isFinite(n) ? `${f(n, n < 100 ? 1 : 0)} ms` : '—';

/** "189 ms (1.92 cores busy): workers 66, Temporal server 51, …" */
function byPart(p: Json): string {
  const parts = Object.entries((p.cpuMsPerOrderByPart ?? {}) as Record<string, number>)
    .filter(([, v]) => v >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${f(v, 0)}`)
    .join(', ');
  return `${ms(p.machineCpuMsPerOrder)} (${f(p.machineBusyCores, 2)} cores busy): ${parts}`;
}

function ordersRows(name: string, r: Json): Row[] {
  const b = r.baseline as Json | null;
  const server = `${r.temporalServer} (server ${r.temporalServerVersion ?? '?'}), ${r.workers} worker process(es)`;
  const rows: Row[] = [
    {
      bench: name,
      what: `throughput, ${r.settings.rate}/s offered for ${r.settings.duration} s`,
      server,
      figure: `${f(r.saturation.throughput)} orders/s`,
      baseline: `${f(b?.saturation.throughput)} workflows/s`,
      ratio: x(r.ratios?.throughput),
      target: '≥ ×0.8',
      met: typeof r.ratios?.throughput === 'number' ? r.ratios.throughput >= 0.8 : null,
    },
    {
      bench: name,
      what: 'worker CPU per order',
      server,
      figure: ms(r.saturation.workerCpuMsPerOrder),
      baseline: ms(b?.saturation.workerCpuMsPerOrder),
      ratio: x(r.ratios?.workerCpuPerOrder),
      target: '≤ ×1.5',
      met: typeof r.ratios?.workerCpuPerOrder === 'number' ? r.ratios.workerCpuPerOrder <= 1.5 : null,
    },
    {
      bench: name,
      what: 'Temporal server CPU per order',
      server,
      figure: ms(r.saturation.serverCpuMsPerOrder),
      baseline: ms(b?.saturation.serverCpuMsPerOrder),
      ratio: x(r.ratios?.serverCpuPerOrder),
      target: '—',
      met: null,
    },
  ];
  // Every process on the machine shares its cores, the sandboxes (standing in for NetSuite and
  // Shopify) and Postgres too: what each part spent per order says what bounds the throughput.
  if (typeof r.saturation.machineCpuMsPerOrder === 'number')
    rows.push({
      bench: name,
      what: 'whole machine CPU per order at saturation, by part',
      server,
      figure: byPart(r.saturation),
      baseline: b?.saturation ? byPart(b.saturation) : '—',
      ratio: x(
        b?.saturation?.machineCpuMsPerOrder
          ? r.saturation.machineCpuMsPerOrder / b.saturation.machineCpuMsPerOrder
          : null,
      ),
      target: '—',
      met: null,
    });
  if (r.latency)
    rows.push({
      bench: name,
      what: `webhook → ERP sales order at ${r.settings.latencyRate}/s (half of saturation), p50 / p99`,
      server,
      figure: `${ms(r.latency.latencyMs.p50)} / ${ms(r.latency.latencyMs.p99)}`,
      baseline: `${ms(b?.latency?.latencyMs.p50)} / ${ms(b?.latency?.latencyMs.p99)} (start → done)`,
      ratio: `${x(r.ratios?.latencyP50)} / ${x(r.ratios?.latencyP99)}`,
      target: 'p99 < 1 s',
      met: r.latency.latencyMs.p99 < 1000,
    });
  rows.push(
    {
      bench: name,
      what: `ERP 429s (account limit ${r.settings.erpAccountLimit}, budget ${r.settings.connectorConcurrency} per ${r.settings.erpBudgetScope})`,
      server,
      figure: String(r.erp429s),
      baseline: '—',
      ratio: '—',
      target: '0',
      met: r.erp429s === 0,
    },
    {
      bench: name,
      what: 'orders lost or duplicated in the ERP',
      server,
      figure: `${r.missingOrders} missing, ${r.duplicateSalesOrders} duplicate, ${r.failedSends} failed sends of ${r.ordersSent}; ${((r.parkedOrders ?? []) as { n: number }[]).reduce((sum, p) => sum + p.n, 0)} parked`,
      baseline: '—',
      ratio: '—',
      target: '0',
      met: r.missingOrders === 0 && r.duplicateSalesOrders === 0 && r.failedSends === 0,
    },
  );
  return rows;
}

function otherRows(name: string, r: Json): Row[] {
  switch (r.benchmark) {
    case 'webhooks': {
      const [b, q] = r.scenarios as Json[];
      return [
        {
          bench: name,
          what: `acknowledgement at ${r.rate}/s, p50 / p99`,
          server: r.temporalServer ?? 'Temporal dev server, in memory',
          figure: `${ms(q?.p50Ms)} / ${ms(q?.p99Ms)}`,
          baseline: `${ms(b?.p50Ms)} / ${ms(b?.p99Ms)} (${b?.scenario})`,
          ratio: `${x(r.ratio?.p50)} / ${x(r.ratio?.p99)}`,
          target: 'p99 ≤ ×1.5',
          met: typeof r.ratio?.p99 === 'number' ? r.ratio.p99 <= 1.5 : null,
        },
      ];
    }
    case 'quote':
      if (!r.baseline)
        return [
          {
            bench: name,
            what: 'checkout quote',
            server: 'no Temporal',
            figure: `p99 ${ms(r.latencyMs?.p99)}`,
            baseline: 'none (results from before the baseline)',
            ratio: '—',
            target: 'p99 ≤ ×2',
            met: null,
          },
        ];
      return [
        {
          bench: name,
          what: `checkout quote at ${r.rate}/s, ${r.catalog.skus} SKUs, p50 / p99`,
          server: 'no Temporal',
          figure: `${ms(r.quayside.p50)} / ${ms(r.quayside.p99)}`,
          baseline: `${ms(r.baseline.p50)} / ${ms(r.baseline.p99)} (${r.baseline.what})`,
          ratio: `${x(r.ratio.p50)} / ${x(r.ratio.p99)}`,
          target: 'p99 ≤ ×2',
          met: r.ratio.p99 <= 2 && r.quayside.failed === 0 && !r.quayside.timedOut,
        },
      ];
    case 'inventory':
      return [
        ...(
          (r.fullResyncs as Json[] | undefined) ?? [{ ...r.fullResync, written: r.fullResync.quantities }]
        ).map((s: Json): Row => ({
          bench: name,
          what: `full resync, ${r.settings.skus} SKUs${s.driftPercent == null ? '' : `, ${s.driftPercent} % drift`}`,
          server: r.temporalServer ?? 'Temporal dev server, in memory',
          figure: `${s.written} quantities written in ${f(s.seconds)} s`,
          baseline: `${f(s.floorSeconds)} s (rate-limit floor of writing every quantity)`,
          ratio: x(s.seconds / s.floorSeconds),
          target: '—',
          met: null,
        })),
        {
          bench: name,
          what: `ERP stock change → store, ${r.incremental.changes} changes, p50 / p99`,
          server: r.temporalServer ?? 'Temporal dev server, in memory',
          figure: `${f(r.incremental.p50Ms / 1000, 2)} / ${f(r.incremental.p99Ms / 1000, 2)} s (${r.incremental.seen} seen)`,
          baseline: `poll interval ${r.settings.pollSeconds} s`,
          ratio: '—',
          target: 'p99 < 30 s',
          met: r.incremental.targetMet ?? null,
        },
      ];
    case 'pricing':
      return [
        {
          bench: name,
          what: `full price resync, ${r.settings.skus} SKUs: ${r.fullResync.catalogs} catalogs, ${r.fullResync.fixedPrices} fixed prices`,
          server: "no Temporal (the sync's activities)",
          figure: `${f(r.fullResync.seconds)} s`,
          baseline:
            r.fullResync.floorSeconds > 0
              ? `${f(r.fullResync.floorSeconds)} s (store rate-limit floor)`
              : 'no floor: the points fit in the bucket',
          ratio: r.fullResync.floorSeconds > 0 ? x(r.fullResync.seconds / r.fullResync.floorSeconds) : '—',
          target: '—',
          met: null,
        },
        {
          bench: name,
          what: `ERP price change → price a buyer is shown, ${r.incremental.changes} changes, p50 / p99`,
          server: "no Temporal (the sync's activities)",
          figure: `${ms(r.incremental.p50Ms)} / ${ms(r.incremental.p99Ms)}`,
          baseline: `poll interval ${r.settings.pollMs} ms`,
          ratio: '—',
          target: '—',
          met: null,
        },
      ];
    case 'erp':
      return (r.rows as Json[]).map((row) => ({
        bench: name,
        what: `${row.scenario} (${r.latencyMs} ms per call, concurrency ${r.concurrency})`,
        server: 'no Temporal',
        figure: `${f(row.perSecond)} ${row.unit}`,
        baseline: `${f(row.floorSeconds, 2)} s floor (calls × latency ÷ concurrency)`,
        ratio: x(row.ratioToFloor),
        target: '—',
        met: null,
      }));
    default:
      return [
        {
          bench: name,
          what: 'unknown result format',
          server: '—',
          figure: '—',
          baseline: '—',
          ratio: '—',
          target: '—',
          met: null,
        },
      ];
  }
}

/** The latency distributions a result carries, for its chart. */
function distributionsOf(r: Json): Distribution[] {
  return Array.isArray(r.distributions) ? (r.distributions as Distribution[]) : [];
}

export interface Report {
  md: string;
  json: Json;
  charts: { name: string; title: string; svg: string }[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report of `results` (bench name → its results file's content): markdown, JSON and chart SVGs. */
export function buildReport(results: Record<string, Json>, meta: ReportMeta): Report {
  const machine = describeMachine();
  const versions = {
    node: machine.node,
    temporalSdk: machine.temporalSdk,
    temporalCli: meta.versions?.temporalCli ?? null,
    temporalServers: [
      ...new Set(
        Object.values(results)
          .map((r) => r.temporalServerVersion as string | undefined)
          .filter(Boolean),
      ),
    ],
  };
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(' / ');
  const rows = Object.entries(results).flatMap(([n, r]) =>
    r.benchmark === 'orders' ? ordersRows(n, r) : otherRows(n, r),
  );
  const charts = Object.entries(results)
    .filter(([, r]) => distributionsOf(r).length)
    .map(([n, r]) => {
      const title = `${n}: latency distribution`;
      const sub = `${machine.cpuModel}, ${machine.cores} cores; measured ${r.when ?? r.measuredAt ?? r.at ?? '?'}`;
      return { name: n, title, svg: latencySvg(title, sub, distributionsOf(r)) };
    });
  const lines = [
    '# Benchmark report',
    '',
    `Written by \`npm run bench\` (${meta.startedAt} → ${meta.finishedAt}). Each figure stands beside a baseline measured in the same run on the same machine (and, for Temporal, on the same server); the ratio is figure ÷ baseline. Absolute figures move with the machine and its load; compare ratios.`,
    '',
    '## Machine and versions',
    '',
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}`,
    `- Load average (1 / 5 / 15 min): ${load(meta.loadAverage.start)} at the start, ${load(meta.loadAverage.end)} at the end${machine.cores ? ` (${machine.cores} cores: above ${machine.cores} means other work was queued for the CPU)` : ''}`,
    `- Node ${versions.node}; Temporal TypeScript SDK ${versions.temporalSdk}; Temporal CLI ${versions.temporalCli ?? 'not found'}; Temporal server ${versions.temporalServers.join(', ') || '—'}`,
    '',
    '## Figures',
    '',
    '| benchmark | figure | Temporal server, workers | result | baseline in the same run | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| \`${r.bench}\` | ${cell(r.what)} | ${cell(r.server)} | ${cell(r.figure)} | ${cell(r.baseline)} | ${r.ratio} | ${cell(r.target)} | ${r.met === null ? '—' : r.met ? 'yes' : '**no**'} |`,
    ),
    '',
  ];
  if (meta.failures?.length) {
    lines.push('## Failed in this run', '');
    for (const fl of meta.failures) lines.push(`- \`${fl.bench}\`: ${cell(fl.reason)}`);
    lines.push('');
  }
  if (charts.length) {
    lines.push('## Latency distributions', '');
    for (const c of charts) lines.push(`![${c.title}](charts/${c.name}.png)`, '');
  }
  lines.push('## Runs', '');
  for (const [n, r] of Object.entries(results))
    lines.push(
      `- \`${n}\`: measured ${r.when ?? r.measuredAt ?? r.at ?? '?'}${meta.settings?.[n] ? `, \`npm run bench -- ${n} ${meta.settings[n].join(' ')}\`` : ''}`,
    );
  lines.push('');
  return {
    md: lines.join('\n'),
    json: { ...meta, machine, versions, rows, results },
    charts,
  };
}

/** Reads bench/results/<name>.json for each name that has one. */
export function loadResults(names: string[], dir = path.join(__dirname, 'results')): Record<string, Json> {
  const results: Record<string, Json> = {};
  for (const n of names) {
    const file = path.join(dir, `${n}.json`);
    if (fs.existsSync(file)) results[n] = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  }
  return results;
}

/** Writes `<dir>/latest.md`, `<dir>/latest.json` and `<dir>/charts/<bench>.png`; returns the markdown. */
export function writeReport(
  results: Record<string, Json>,
  meta: ReportMeta,
  dir = path.join(__dirname, 'results'),
): string {
  const report = buildReport(results, {
    ...meta,
    versions: { temporalCli: meta.versions?.temporalCli ?? temporalCliVersion() },
  });
  fs.mkdirSync(path.join(dir, 'charts'), { recursive: true });
  for (const c of report.charts) fs.writeFileSync(path.join(dir, 'charts', `${c.name}.png`), toPng(c.svg));
  fs.writeFileSync(path.join(dir, 'latest.md'), report.md);
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(report.json, null, 2) + '\n');
  return report.md;
}
