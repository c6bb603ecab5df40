/**
 * A stand-in for a connector the worker was started without: every call fails with a retryable
 * error naming what is missing, so processes wait (and retry) instead of doing the wrong thing.
 */
export function missingPort<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, prop) =>
      typeof prop === 'string' && prop !== 'then'
        ? () =>
            Promise.reject(
              new Error(`No ${name} connector is configured for this worker (called ${name}.${prop}).`),
            )
        : undefined,
  });
}
