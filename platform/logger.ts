import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

export function createLogger(
  name: string,
  config: Pick<Config, 'LOG_LEVEL' | 'LOG_PRETTY'> = { LOG_LEVEL: 'info', LOG_PRETTY: false },
  /** Where JSON lines go instead of stdout (tests read them); ignored when pretty-printing. */
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name,
    level: config.LOG_LEVEL,
    redact: {
      // Credentials never reach a log line: API keys, session cookies, CSRF tokens, vendor tokens.
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'req.headers["x-shopify-access-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.secret',
      ],
      remove: true,
    },
    ...(config.LOG_PRETTY
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' },
          },
        }
      : {}),
  };
  return destination && !config.LOG_PRETTY ? pino(options, destination) : pino(options);
}
