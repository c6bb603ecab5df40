import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

export function createLogger(
  name: string,
  config: Pick<Config, 'LOG_LEVEL' | 'LOG_PRETTY'> = { LOG_LEVEL: 'info', LOG_PRETTY: false },
): Logger {
  return pino({
    name,
    level: config.LOG_LEVEL,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-shopify-access-token"]', '*.password', '*.secret'],
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
  });
}
