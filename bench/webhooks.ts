import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { Client } from '@temporalio/client';
import { createApp } from '../api/app';
import { shopifyHmac } from '../connectors/shopify/webhooks/verify';
import { createPool } from '../db/pool';
import { installTemporalRuntime } from '../platform/temporal-client';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { benchDatabase, benchTemporal, listen } from './_sandboxes';
import { distribution, type Distribution } from './_stats';

/**
 * Webhook acknowledgement latency at a sustained delivery rate: the full ingress path (HMAC, dedupe in
 * Postgres, signal-with-start on a Temporal dev server of its own) next to the same Express app whose
 * Temporal hand-off answers at once, reported as a ratio. The two are measured alternately (A B A B).
 */
const opts = new Command()
  .name('bench webhooks')
  .option('--rate <n>', 'deliveries per second', '50')
  .option('--duration <s>', 'measured seconds per scenario', '20')
  .option('--warmup <s>', 'unmeasured seconds of load on each app before measuring', '2')
  .parse()
  .opts<{ rate: string; duration: string; warmup: string }>();

const rate = Number(opts.rate);
const duration = Number(opts.duration);
const warmup = Number(opts.warmup);
const SECRET = 'bench-webhook-secret';
const body = fs.readFileSync(
  path.join(__dirname, '..', 'test', 'fixtures', 'shopify', 'orders_create.json'),
  'utf8',
);

interface Scenario {
  scenario: string;
  sent: number;
  acknowledged: number;
  failed: number;
  achievedRate: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  distribution: Distribution;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function deliver(base: string, n: number, tag: string): Promise<{ ms: number; ok: boolean }> {
  const payload = body.replace(
    '"id": 820982911946154500,',
    `"id": ${9_100_000_000_000_000_000n + BigInt(n)},`,
  );
  const started = performance.now();
  try {
    const res = await fetch(`${base}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-hmac-sha256': shopifyHmac(payload, SECRET),
        'x-shopify-shop-domain': 'bench.myshopify.com',
        'x-shopify-api-version': '2026-04',
        'x-shopify-webhook-id': `${tag}-${n}`,
        'x-shopify-event-id': `${tag}-ev-${n}`,
        'x-shopify-triggered-at': new Date().toISOString(),
      },
      body: payload,
    });
    const json = (await res.json()) as { status?: string };
    return { ms: performance.now() - started, ok: res.status === 200 && json.status === 'accepted' };
  } catch {
    return { ms: performance.now() - started, ok: false };
  }
}

/** Open-loop load: delivery i leaves at t0 + i/rate whether or not earlier ones were answered. */
async function load(
  base: string,
  tag: string,
  seconds: number,
  /** Where this load's order ids start: each measured delivery is an order no earlier load sent. */
  firstOrder = 0,
): Promise<{ latencies: number[]; failed: number; elapsed: number }> {
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  const pending: Promise<{ ms: number; ok: boolean }>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(deliver(base, firstOrder + i, tag));
  }
  const results = await Promise.all(pending);
  return {
    latencies: results.filter((r) => r.ok).map((r) => r.ms),
    failed: results.filter((r) => !r.ok).length,
    elapsed: (performance.now() - t0) / 1000,
  };
}

/** The scenario's figures over the deliveries of all its halves. */
function summarize(name: string, runs: { latencies: number[]; failed: number; elapsed: number }[]): Scenario {
  const latencies = runs.flatMap((r) => r.latencies);
  const failed = runs.reduce((n, r) => n + r.failed, 0);
  const elapsed = runs.reduce((t, r) => t + r.elapsed, 0);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    scenario: name,
    sent: latencies.length + failed,
    acknowledged: latencies.length,
    failed,
    achievedRate: (latencies.length + failed) / elapsed,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    distribution: distribution(name, latencies),
  };
}

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const log = createLogger('bench', { ...config, LOG_LEVEL: 'silent' });
  // The Temporal client is the API's own (createTemporalClient), on a runtime installed as the API installs it.
  installTemporalRuntime(config);
  const db = createPool(await benchDatabase(config, 'quayside_bench_webhooks', { fresh: false }), {
    max: 10,
  });
  const run = Date.now().toString(36);
  // Earlier runs' dedupe rows would only slow nothing down, but keep the table to this run's size.
  await db.query('TRUNCATE webhook_deliveries');

  const { temporalServer, connection, temporal } = await benchTemporal(config, log);

  const withoutTemporal = {
    workflow: { signalWithStart: async () => ({ workflowId: 'baseline' }) },
  } as unknown as Client;
  const common = { db, log, store: 'bench', taskQueuePrefix: `bench${run}`, shopifySecret: SECRET };
  const fullServer = createApp({ ...common, temporal }).listen(0, '127.0.0.1');
  const baselineServer = createApp({ ...common, temporal: withoutTemporal }).listen(0, '127.0.0.1');
  const [fullBase, baselineBase] = await Promise.all([listen(fullServer), listen(baselineServer)]);

  try {
    process.stdout.write(
      `webhook ingress at ${rate}/s for ${duration}s per scenario, after ${warmup}s of warm-up on each …\n`,
    );
    // Both apps warm up (JIT, connection pools, the Temporal connection) before either is measured.
    await load(baselineBase, `${run}-warm-base`, warmup);
    await load(fullBase, `${run}-warm-full`, warmup);
    // Measured alternately (A B A B, half the duration each) so load on the machine falls on both alike.
    const baseRuns = [];
    const fullRuns = [];
    for (let half = 0; half < 2; half++) {
      baseRuns.push(await load(baselineBase, `${run}-base${half}`, duration / 2, (half + 1) * 100_000));
      fullRuns.push(await load(fullBase, `${run}-full${half}`, duration / 2, (half + 1) * 100_000));
    }
    const baseline = summarize('Express + HMAC + Postgres dedupe, no Temporal', baseRuns);
    const full = summarize('full ingress: + signal-with-start on Temporal', fullRuns);
    const ratio = { p50: full.p50Ms / baseline.p50Ms, p99: full.p99Ms / baseline.p99Ms };
    const fmt = (n: number) => n.toFixed(1).padStart(8);
    const lines = [
      `${'scenario'.padEnd(48)} ${'sent'.padStart(6)} ${'ok'.padStart(6)} ${'rate/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
      ...[baseline, full].map(
        (s) =>
          `${s.scenario.padEnd(48)} ${String(s.sent).padStart(6)} ${String(s.acknowledged).padStart(6)} ${fmt(s.achievedRate)} ${fmt(s.p50Ms)} ${fmt(s.p90Ms)} ${fmt(s.p99Ms)} ${fmt(s.maxMs)}`,
      ),
      `ratio full / baseline: p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)}; target p99 ≤ ×1.5 the baseline: ${ratio.p99 <= 1.5 && full.failed === 0 ? 'met' : 'NOT met'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const out = path.join(__dirname, 'results', 'webhooks.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      `${JSON.stringify(
        {
          benchmark: 'webhooks',
          measuredAt: new Date().toISOString(),
          temporalServer: 'Temporal dev server, in memory',
          temporalServerVersion: (await connection.workflowService.getSystemInfo({})).serverVersion,
          rate,
          durationSeconds: duration,
          warmupSeconds: warmup,
          scenarios: [baseline, full].map(({ distribution: _d, ...s }) => s),
          ratio,
          target: { p99Ratio: 1.5 },
          targetMet: ratio.p99 <= 1.5 && full.failed === 0,
          distributions: [baseline.distribution, full.distribution],
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`results written to ${path.relative(process.cwd(), out)}\n`);
    if (baseline.failed || full.failed)
      throw new Error(
        `${full.failed} deliveries to the full ingress and ${baseline.failed} to the baseline were not accepted`,
      );
  } finally {
    fullServer.close();
    baselineServer.close();
    await connection.close();
    await temporalServer.stop();
    await db.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench webhooks: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
