import { ConfigError } from './config';

/**
 * Entry-point wrapper: a known start-up problem (bad configuration, a service that is not reachable)
 * ends the process with one clear sentence instead of a stack trace.
 */
/** A start-up problem whose message already says what is missing and how to fix it. */
export class StartupError extends Error {
  override name = 'StartupError';
}

export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${name}: ${describeStartupError(err)}\n`);
    process.exit(1);
  });
}

export function describeStartupError(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  const e = err as { code?: string; message?: string; name?: string; address?: string; port?: number };
  if (e?.name === 'StartupError') return e.message ?? 'Start-up failed.';
  if (e?.name === 'TemporalUnavailableError') return e.message ?? 'Temporal is not available.';
  if (e?.code === 'ECONNREFUSED' && e.port === 5432) {
    return `PostgreSQL is not reachable at ${e.address ?? '127.0.0.1'}:${e.port}; start it or set DATABASE_URL.`;
  }
  if (e?.code === 'ECONNREFUSED')
    return `Connection refused at ${e.address}:${e.port}; is that service running?`;
  if (e?.code === '28P01' || e?.code === '28000')
    return `PostgreSQL rejected the credentials in DATABASE_URL (${e.message}).`;
  if (e?.code === 'EADDRINUSE')
    return `Port ${e.port} is already in use; stop whatever holds it or choose another port.`;
  return (err as Error)?.stack ?? String(err);
}
