import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeReport } from './_report';

/**
 * `npm run bench -- <name> [args]` runs bench/<name>.ts. With no name, runs every benchmark with
 * short settings (about 10 minutes in all) and writes bench/results/latest.md and latest.json; the
 * report also includes any `orders-cluster-<n>` results from runs against a PostgreSQL-backed server.
 * `npm run bench -- report` only rewrites the report from the results already on disk.
 */
const [name, ...rest] = process.argv.slice(2);
const available = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !['run.ts'].includes(f) && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''));

/** Short settings for the full report. */
const reportRuns: Record<string, string[]> = {
  orders: ['--rate', '20', '--duration', '10', '--latency-duration', '10'],
  webhooks: ['--duration', '10'],
  quote: [],
  erp: [],
  inventory: ['--skus', '20000', '--changes', '20', '--window', '15'],
};

const clusterResults = () =>
  fs
    .readdirSync(path.join(__dirname, 'results'))
    .filter((f) => /^orders-cluster-\d+\.json$/.test(f))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();

if (name === 'report') {
  process.stdout.write(writeReport([...Object.keys(reportRuns), ...clusterResults()], []));
} else if (!name) {
  const failed: string[] = [];
  for (const [bench, args] of Object.entries(reportRuns)) {
    process.stdout.write(`\n=== ${bench} ${args.join(' ')}\n`);
    const res = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, `${bench}.ts`), ...args],
      {
        stdio: 'inherit',
        timeout: 240_000,
      },
    );
    if (res.status !== 0) failed.push(bench);
  }
  const ran = Object.keys(reportRuns).filter((b) => !failed.includes(b));
  process.stdout.write('\n' + writeReport([...ran, ...clusterResults()], failed));
} else if (!available.includes(name)) {
  process.stdout.write(`usage: npm run bench [-- <${available.join('|')}|report> [options]]\n`);
  process.exit(1);
} else {
  process.argv = [process.argv[0]!, path.join(__dirname, `${name}.ts`), ...rest];
  void import(path.join(__dirname, `${name}.ts`));
}
