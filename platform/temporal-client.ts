import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { SignalDefinition, Workflow } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { dataConverterFor } from './codec';
import type { Config } from './config';
import { connectionOptions } from './temporal-server';

export function temporalAddress(config: Config): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
}

/**
 * The SDK's native runtime (the Rust core behind every NativeConnection), with its log level from
 * LOG_LEVEL; installed once per process, before its first connection.
 */
export function installTemporalRuntime(
  config: Config,
  telemetryOptions?: Parameters<typeof Runtime.install>[0]['telemetryOptions'],
): void {
  Runtime.install({
    logger: new DefaultLogger(
      config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN',
    ),
    ...(telemetryOptions ? { telemetryOptions } : {}),
  });
}

/**
 * One client connection per process, closed on shutdown. It is the SDK's native connection (gRPC
 * in the Rust core, on its own threads), as a worker's is: a call costs the process's JavaScript
 * thread about a third of what the pure-JavaScript connection (grpc-js) costs, and on the API
 * that thread also answers webhooks and quotes (docs/performance.md).
 */
export async function createTemporalClient(config: Config): Promise<Client> {
  return new Client({
    connection: await createWorkerConnection(config),
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(config.QUAYSIDE_PAYLOAD_KEYS),
  });
}

export async function createWorkerConnection(config: Config): Promise<NativeConnection> {
  const opts = connectionOptions(config, temporalAddress(config));
  return NativeConnection.connect({ address: opts.address, tls: opts.tls, apiKey: config.TEMPORAL_API_KEY });
}

/**
 * Starts a process unless one with its id is already there (running, or — under a
 * REJECT_DUPLICATE policy — closed): true when this call started it, false when Temporal answered
 * "already started". Every other failure is thrown.
 */
export async function startOnce(start: () => Promise<unknown>): Promise<boolean> {
  try {
    await start();
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** The memo field naming the event a process was started for, so a repeat of that start is told from another's. */
export const STARTED_FOR_EVENT = 'quaysideStartedForEvent';

/**
 * How a start for one event went: `started` now; `repeat`, the process is already there for this
 * same event (started by an earlier try of this request); `taken`, a process with this id is there
 * for another event (the storefront's, or a request with other contents).
 */
export type StartOutcome = 'started' | 'repeat' | 'taken';

export interface StartForEvent<E extends { eventId: string }> {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  signal: SignalDefinition<[E]> | string;
  event: E;
}

/**
 * Starts a process for one event and hands it the event: the id is never reused (a closed process
 * is not started again), the start names its event in the memo, and "already started" is read
 * from that memo as a repeat of this event or another's process. A repeat is signalled again (the
 * process deduplicates by event id), so a try that started the process but failed before the
 * signal is completed by the next; a finished process that already had the event takes no more.
 */
export async function startForEvent<E extends { eventId: string }>(
  client: Client,
  s: StartForEvent<E>,
): Promise<StartOutcome> {
  const started = await startOnce(() =>
    client.workflow.start<Workflow>(s.workflowType, {
      workflowId: s.workflowId,
      taskQueue: s.taskQueue,
      args: s.args,
      memo: { [STARTED_FOR_EVENT]: s.event.eventId },
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }),
  );
  const handle = client.workflow.getHandle(s.workflowId);
  if (!started) {
    const { memo } = await handle.describe();
    if (memo?.[STARTED_FOR_EVENT] !== s.event.eventId) return 'taken';
  }
  try {
    await handle.signal<[E]>(s.signal, s.event);
  } catch (err) {
    if (started || !(err instanceof WorkflowNotFoundError)) throw err;
  }
  return started ? 'started' : 'repeat';
}
