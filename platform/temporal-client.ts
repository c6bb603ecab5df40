import { Client, Connection } from '@temporalio/client';
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
