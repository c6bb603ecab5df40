export * from './types';
export {
  createWebhookNotifier,
  signNotification,
  verifyNotification,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  NOTIFICATION_ID_HEADER,
} from './webhook';

import type { Config } from '../../platform/config';
import { createWebhookNotifier } from './webhook';
import type { Notifier } from './types';

/** The configured notifier: the HTTP webhook when NOTIFY_WEBHOOK_URL is set (its secret is then required). */
export function notifierFromConfig(
  config: Pick<Config, 'NOTIFY_WEBHOOK_URL' | 'NOTIFY_WEBHOOK_SECRET'>,
): Notifier | undefined {
  if (!config.NOTIFY_WEBHOOK_URL) return undefined;
  if (!config.NOTIFY_WEBHOOK_SECRET)
    throw new Error(
      'NOTIFY_WEBHOOK_SECRET is required when NOTIFY_WEBHOOK_URL is set (it signs each notification).',
    );
  return createWebhookNotifier({ url: config.NOTIFY_WEBHOOK_URL, secret: config.NOTIFY_WEBHOOK_SECRET });
}
