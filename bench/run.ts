import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadResults, writeReport } from './_report';

/**
 * `npm run bench -- <name> [args]` runs bench/<name>.ts. With no name, runs every benchmark with
 * short settings (about 15 minutes in all on 2 cores), one after the other, and writes
 * bench/results/latest.md, latest.json and charts/<name>.png; the report also includes any
 * `orders-cluster-<n>` results from runs against a PostgreSQL-backed server (with their own dates).
 * A benchmark that fails, times out or writes no results is named in the report with the reason,
 * its older results are left out, and the run exits with 1.
 * `npm run bench -- report` only rewrites the report from the results already on disk.
 */
const [name, ...rest] = process.argv.slice(2);
const resultsDir = path.join(__dirname, 'results');
const available = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !['run.ts'].includes(f) && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''));

/** Short settings for the full report, and how long each may take. */
const reportRuns: Record<string, { args: string[]; timeoutSeconds: number }> = {
  erp: { args: [], timeoutSeconds: 240 },
  quote: { args: ['--rate', '500', '--duration', '10'], timeoutSeconds: 300 },
  // 1,500 acknowledgements per side: at 500 the p99 is the 5th slowest and moved ×1.47–1.57 run to run.
  webhooks: { args: ['--duration', '30'], timeoutSeconds: 300 },
  // Three full resyncs (from 0, 1 % and 100 % drift) at a Standard plan's rate, so the rate limit's
  // floor is long enough to compare with: about 5 minutes on a loaded 2-core machine.
  inventory: {
    args: [
      '--skus',
      '10000',
      '--restore-rate',
      '100',
      '--bucket',
      '1000',
      '--changes',
      '20',
      '--window',
      '15',
    ],
    timeoutSeconds: 540,
  },
  pricing: { args: ['--skus', '20000', '--changes', '10'], timeoutSeconds: 300 },
  orders: { args: ['--rate', '20', '--duration', '10', '--latency-duration', '10'], timeoutSeconds: 600 },
};

const clusterResults = () =>
  fs
    .readdirSync(resultsDir)
    .filter((f) => /^orders-cluster-\d+\.json$/.test(f))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();

/** Runs one benchmark as a child process, its output passed through; null when it succeeded, else why not. */
function runOne(bench: string, args: string[], timeoutSeconds: number): Promise<string | null> {
  const resultsFile = path.join(resultsDir, `${bench}.json`);
  const before = fs.existsSync(resultsFile) ? fs.statSync(resultsFile).mtimeMs : 0;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, `${bench}.ts`), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let tail = '';
    const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
      to.write(chunk);
      tail = (tail + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', (c: Buffer) => keep(c, process.stdout));
    child.stderr.on('data', (c: Buffer) => keep(c, process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: a benchmark's servers and workers go with it.
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {
        // already gone
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 20_000).unref();
    }, timeoutSeconds * 1000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = Math.round((Date.now() - started) / 1000);
      const lastLine =
        tail
          .trim()
          .split('\n')
          .filter((l) => /error|fail|not met|exited/i.test(l))
          .at(-1) ?? tail.trim().split('\n').at(-1);
      if (timedOut) resolve(`timed out after ${timeoutSeconds} s (last output: ${lastLine ?? 'none'})`);
      else if (code !== 0)
        resolve(`exited with ${code ?? signal} after ${seconds} s: ${lastLine ?? 'no output'}`);
      else if (!fs.existsSync(resultsFile) || fs.statSync(resultsFile).mtimeMs <= before)
        resolve(`finished after ${seconds} s but wrote no bench/results/${bench}.json`);
      else resolve(null);
    });
  });
}

async function main() {
  if (name === 'report') {
    const names = [...Object.keys(reportRuns), ...clusterResults()];
    const now = new Date().toISOString();
    process.stdout.write(
      writeReport(loadResults(names), {
        startedAt: now,
        finishedAt: now,
        loadAverage: { start: os.loadavg(), end: os.loadavg() },
      }),
    );
    return;
  }
  if (name) {
    if (!available.includes(name)) {
      process.stdout.write(`usage: npm run bench [-- <${available.join('|')}|report> [options]]\n`);
      process.exit(1);
    }
    process.argv = [process.argv[0]!, path.join(__dirname, `${name}.ts`), ...rest];
    await import(path.join(__dirname, `${name}.ts`));
    return;
  }
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg();
  const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
  const failures: { bench: string; reason: string }[] = [];
  const settings: Record<string, string[]> = {};
  for (const [bench, { args, timeoutSeconds }] of Object.entries(reportRuns)) {
    if (only && !only.includes(bench)) continue;
    settings[bench] = args;
    process.stdout.write(`\n=== ${bench} ${args.join(' ')} (load average ${os.loadavg()[0]!.toFixed(1)})\n`);
    const failed = await runOne(bench, args, timeoutSeconds);
    if (failed) {
      failures.push({ bench, reason: failed });
      process.stderr.write(`\n*** ${bench} FAILED: ${failed}\n`);
    }
  }
  const ran = Object.keys(settings).filter((b) => !failures.some((f) => f.bench === b));
  const md = writeReport(loadResults([...ran, ...clusterResults()]), {
    startedAt,
    finishedAt: new Date().toISOString(),
    loadAverage: { start: loadStart, end: os.loadavg() },
    settings,
    failures,
  });
  process.stdout.write(`\n${md}`);
  if (failures.length) {
    process.stderr.write(
      `\n${failures.length} benchmark(s) failed: ${failures.map((f) => f.bench).join(', ')}\n`,
    );
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
