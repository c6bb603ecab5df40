import type { Logger } from './logger';

type Closer = { name: string; close: () => Promise<unknown> | unknown };

/**
 * Runs registered closers in reverse order on SIGINT/SIGTERM (or when `shutdown()` is called),
 * each at most once, so every process drains HTTP, stops workers and closes pools before exiting.
 */
export function gracefulShutdown(log: Logger, opts: { timeoutMs?: number } = {}) {
  const closers: Closer[] = [];
  let running: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    running ??= (async () => {
      log.info({ reason }, 'shutting down');
      const timer = setTimeout(() => {
        log.error('shutdown timed out; exiting');
        process.exit(1);
      }, opts.timeoutMs ?? 15_000);
      timer.unref();
      for (const closer of [...closers].reverse()) {
        try {
          await closer.close();
        } catch (err) {
          log.warn({ err, closer: closer.name }, 'error while closing');
        }
      }
      clearTimeout(timer);
    })();
    return running;
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void shutdown(signal).then(() => process.exit(0));
    });
  }

  return {
    add(name: string, close: Closer['close']) {
      closers.push({ name, close });
    },
    shutdown,
  };
}
