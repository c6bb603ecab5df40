import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { baselineActivities } from './activities';

/**
 * One worker process of the minimal order-shaped workflow, with the SDK's default options (as the
 * Quayside worker uses them). Env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, BASELINE_TASK_QUEUE,
 * BASELINE_LATENCY_MIN_MS, BASELINE_LATENCY_MAX_MS. Prints "baseline worker ready" once polling.
 */
async function main() {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.BASELINE_TASK_QUEUE!,
    workflowsPath: path.join(__dirname, 'workflow.ts'),
    activities: baselineActivities({
      min: Number(process.env.BASELINE_LATENCY_MIN_MS ?? 20),
      max: Number(process.env.BASELINE_LATENCY_MAX_MS ?? 80),
    }),
  });
  const stop = () => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const running = worker.run();
  process.stdout.write('baseline worker ready\n');
  await running;
  await connection.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`baseline worker failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
