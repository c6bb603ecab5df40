import fs from 'node:fs';
import path from 'node:path';
import {
  DefaultLogger,
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { taskQueue, type TaskQueueName } from '../domain/contracts';
import { dataConverterFor } from '../platform/codec';
import type { Logger } from '../platform/logger';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');
export const PREBUILT_BUNDLE = path.join(__dirname, '..', 'dist', 'workflow-bundle.js');

const quietBundlerLogger = new DefaultLogger('WARN');

let cachedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle: prebuilt by `npm run build:workflows` in production, else built once per process. */
export function workflowBundle(
  usePrebuilt = false,
): Promise<WorkflowBundleWithSourceMap> | { codePath: string } {
  if (usePrebuilt && fs.existsSync(PREBUILT_BUNDLE)) return { codePath: PREBUILT_BUNDLE };
  cachedBundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  return cachedBundle;
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueuePrefix: string;
  deps: ActivityDeps;
  log: Logger;
  queues?: TaskQueueName[];
  usePrebuiltBundle?: boolean;
  /** Comma-separated payload keys (QUAYSIDE_PAYLOAD_KEYS); payloads are encrypted when set. */
  payloadKeys?: string;
  /** Worker tuning (WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, …); the SDK's defaults where absent. */
  tuning?: WorkerTuning;
}

export interface WorkerTuning {
  maxConcurrentWorkflowTaskExecutions?: number;
  maxCachedWorkflows?: number;
  reuseV8Context?: boolean;
}

/**
 * Builds one worker per task queue, all sharing the same activities and bundle. Every worker registers
 * every workflow type, so returns and customer approvals started on `orders` before they had their own
 * queues still complete there.
 */
export async function createWorkers(opts: WorkerOptions): Promise<Worker[]> {
  const activities = createActivities(opts.deps);
  const bundle = await workflowBundle(opts.usePrebuiltBundle);
  const queues = opts.queues ?? (['orders', 'returns', 'customers', 'sync'] as TaskQueueName[]);
  return Promise.all(
    queues.map((q) =>
      Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue: taskQueue(q, opts.taskQueuePrefix),
        workflowBundle: bundle,
        activities,
        dataConverter: dataConverterFor(opts.payloadKeys),
        ...opts.tuning,
      }),
    ),
  );
}
