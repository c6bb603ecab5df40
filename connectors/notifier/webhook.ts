import { createHmac, timingSafeEqual } from 'node:crypto';
import { NotificationRejectedError, type DeliveryReceipt, type Notification, type Notifier } from './types';

export interface WebhookNotifierOptions {
  url: string;
  /** Shared secret for the HMAC-SHA256 signature header. */
  secret: string;
  /** Attempts per send (the first included). */
  attempts?: number;
  /** First backoff; doubles per attempt up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export const SIGNATURE_HEADER = 'x-quayside-signature';
export const TIMESTAMP_HEADER = 'x-quayside-timestamp';
export const NOTIFICATION_ID_HEADER = 'x-quayside-notification-id';

/** `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<raw body>`, so a captured request cannot be replayed later with a new time. */
export function signNotification(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers: checks the signature in constant time and that the timestamp is recent. */
export function verifyNotification(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  rawBody: string,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  if (!headers.signature || !headers.timestamp) return false;
  const ts = Number(headers.timestamp);
  if (!Number.isFinite(ts) || Math.abs(now / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signNotification(secret, headers.timestamp, rawBody));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterMs(res: Response): number | null {
  const value = res.headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

/** Posts each notification as JSON to an HTTP endpoint (a mail relay, chat hook or the storefront's flow), signed and retried. */
export function createWebhookNotifier(opts: WebhookNotifierOptions): Notifier {
  const attempts = opts.attempts ?? 4;
  const backoff = opts.backoffMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 5_000;
  const timeout = opts.timeoutMs ?? 10_000;
  const doFetch = opts.fetchImpl ?? fetch;

  return {
    channel: 'webhook',
    async send(notification: Notification): Promise<DeliveryReceipt> {
      const body = JSON.stringify(notification);
      let lastError: unknown;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const timestamp = String(Math.floor(Date.now() / 1000));
        let wait = Math.min(maxBackoff, backoff * 2 ** (attempt - 1));
        try {
          const res = await doFetch(opts.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'quayside-notifier',
              [NOTIFICATION_ID_HEADER]: notification.id,
              [TIMESTAMP_HEADER]: timestamp,
              [SIGNATURE_HEADER]: signNotification(opts.secret, timestamp, body),
            },
            body,
            signal: AbortSignal.timeout(timeout),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return { channel: 'webhook', attempts: attempt, status: res.status };
          if (res.status !== 408 && res.status !== 429 && res.status < 500) {
            throw new NotificationRejectedError(res.status, `notification receiver answered ${res.status}`);
          }
          lastError = new Error(`notification receiver answered ${res.status}`);
          const hinted = retryAfterMs(res);
          if (hinted !== null) wait = Math.min(maxBackoff, hinted);
        } catch (err) {
          if (err instanceof NotificationRejectedError) throw err;
          lastError = err;
        }
        if (attempt < attempts) await sleep(wait);
      }
      throw new Error(
        `notification ${notification.id} not delivered after ${attempts} attempts: ${String((lastError as Error)?.message ?? lastError)}`,
      );
    },
  };
}
