import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { dataConverterFor } from './codec';
import type { Config } from './config';
import { connectionOptions } from './temporal-server';

export function temporalAddress(config: Config): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
}

/** One client connection per process, closed on shutdown. */
export async function createTemporalClient(config: Config): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config, temporalAddress(config)));
  return new Client({
    connection,
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
