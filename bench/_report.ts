import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The machine a benchmark ran on, as the report names it. */
export function describeMachine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const sdk = JSON.parse(
    fs.readFileSync(
      path.join(__dirname, '..', 'node_modules', '@temporalio', 'worker', 'package.json'),
      'utf8',
    ),
  ) as { version: string };
  return {
    cpuModel: model,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    temporalSdk: sdk.version,
  };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const f = (n: unknown, d = 1) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(d) : '—');
const x = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? `×${n.toFixed(2)}` : '—');

function ordersRows(name: string, r: Json): string[] {
  if (!r.saturation)
    return [`| \`${name}\` | results from before the baseline harness; not re-run | — | — | — |`];
  const b = r.baseline as Json | null;
  const where = `${r.temporalServer} (${r.temporalServerVersion ?? '?'}), ${r.workers} worker process(es)`;
  return [
    `| \`${name}\` throughput, ${r.settings.rate}/s offered | ${where} | ${f(r.saturation.throughput)} orders/s | ${f(b?.saturation.throughput)} /s | ${x(r.ratios?.throughput)} |`,
    `| \`${name}\` worker CPU per order | ${where} | ${f(r.saturation.workerCpuMsPerOrder)} ms | ${f(b?.saturation.workerCpuMsPerOrder)} ms | ${x(r.ratios?.workerCpuPerOrder)} |`,
    `| \`${name}\` Temporal server CPU per order | ${where} | ${f(r.saturation.serverCpuMsPerOrder)} ms | ${f(b?.saturation.serverCpuMsPerOrder)} ms | ${x(r.ratios?.serverCpuPerOrder)} |`,
    ...(r.latency
      ? [
          `| \`${name}\` webhook → ERP sales order at ${r.settings.latencyRate}/s, p50 / p99 | ${where} | ${r.latency.latencyMs.p50} / ${r.latency.latencyMs.p99} ms | ${b?.latency?.latencyMs.p50 ?? '—'} / ${b?.latency?.latencyMs.p99 ?? '—'} ms (start → done) | ${x(r.ratios?.latencyP50)} / ${x(r.ratios?.latencyP99)} |`,
        ]
      : []),
    `| \`${name}\` ERP 429s (account limit ${r.settings.erpAccountLimit}, budget ${r.settings.connectorConcurrency} ${r.settings.erpBudgetScope}) | ${where} | ${r.erp429s} | — | — |`,
  ];
}

function otherRows(r: Json): string[] {
  switch (r.benchmark) {
    case 'webhooks':
      return [
        `| \`webhooks\` ack p99 at ${r.rate}/s | ${(r.scenarios as Json[]).map((s) => `${s.scenario}: p99 ${f(s.latencyMs?.p99 ?? s.p99)} ms`).join('; ')} | | | ${x(r.ratio?.p99)} |`,
      ];
    case 'quote':
      return [
        `| \`quote\` p50 / p99 | ${r.catalog.skus} SKUs, concurrency ${r.concurrency} | ${f(r.latencyMs.p50)} / ${f(r.latencyMs.p99)} ms at ${f(r.quotesPerSecond, 0)}/s | no baseline in this benchmark | — |`,
      ];
    case 'inventory':
      return [
        `| \`inventory\` full resync | ${r.settings.skus} SKUs | ${r.fullResync.quantities} quantities in ${f(r.fullResync.seconds)} s | store rate-limit floor ${f(r.fullResync.floorSeconds)} s | ${x(r.fullResync.seconds / r.fullResync.floorSeconds)} |`,
      ];
    default:
      return [`| \`${r.benchmark ?? 'erp'}\` | see ${r.benchmark ?? 'erp'}.json | | | |`];
  }
}

/** bench/results/latest.md and latest.json from the named results files (bench/results/<name>.json). */
export function writeReport(names: string[], notRun: string[]): string {
  const dir = path.join(__dirname, 'results');
  const results: Record<string, Json> = {};
  for (const n of names) {
    const file = path.join(dir, `${n}.json`);
    if (fs.existsSync(file)) results[n] = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  }
  const machine = describeMachine();
  const lines = [
    '# Benchmark report',
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; Temporal TypeScript SDK ${machine.temporalSdk}; load average at report time ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}.`,
    '',
    'Each figure stands beside a baseline measured in the same run on the same Temporal server; the ratio is figure ÷ baseline.',
    '',
    '| benchmark | server, workers | figure | baseline | ratio |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [n, r] of Object.entries(results))
    lines.push(...(r.benchmark === 'orders' ? ordersRows(n, r) : otherRows(r)));
  lines.push('');
  for (const [n, r] of Object.entries(results))
    lines.push(`- \`${n}\`: measured ${r.when ?? r.measuredAt ?? r.at ?? '?'}`);
  if (notRun.length) lines.push('', `Not run in this report: ${notRun.map((n) => `\`${n}\``).join(', ')}.`);
  const md = lines.join('\n') + '\n';
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.md'), md);
  fs.writeFileSync(
    path.join(dir, 'latest.json'),
    JSON.stringify({ machine, loadAverage: os.loadavg(), results, notRun }, null, 2) + '\n',
  );
  return md;
}
