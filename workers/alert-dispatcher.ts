import { alertDeliveryRepository } from '../db/alert-deliveries';
import { alertRoutingConfig } from '../db/alerts';
import type { Db } from '../db/pool';
import { alertMessage, retryDelayMs, type AlertChannel, type AlertLinks } from '../domain/alerting';
import type { AlertSender } from '../connectors/alerts';
import type { Logger } from '../platform/logger';

export interface DispatcherOptions {
  db: Db;
  senders: Partial<Record<AlertChannel, AlertSender>>;
  links: AlertLinks;
  log?: Logger;
  /** How often the outbox is looked at. */
  intervalMs: number;
  /** First retry delay (doubling after each failure, capped at `retryMaxMs`). */
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  batchSize?: number;
}

/**
 * Drains the alert outbox: each due delivery is sent on its channel once, retried with backoff when
 * the receiver fails, given up after `maxAttempts`. It runs beside the workers, so a slow or broken
 * Slack or mail server never holds up a business process.
 */
export function alertDispatcher(opts: DispatcherOptions) {
  const deliveries = alertDeliveryRepository(opts.db);
  const batch = opts.batchSize ?? 20;
  const leaseMs = 60_000;

  /** Sends what is due now; returns how many deliveries it settled. */
  async function drainOnce(): Promise<number> {
    const due = await deliveries.claim(batch, leaseMs);
    if (due.length === 0) return 0;
    const routing = (await alertRoutingConfig.current(opts.db)).value;
    for (const d of due) {
      const sender = opts.senders[d.channel];
      if (!sender) {
        await deliveries.skipped(d.id, `the ${d.channel} channel is not configured`);
        continue;
      }
      const to = d.channel === 'email' ? routing.channels.email.to : undefined;
      if (to && to.length === 0) {
        await deliveries.skipped(d.id, 'no email recipients in the alert routing');
        continue;
      }
      try {
        await sender.send(alertMessage(d.alert, d.event, opts.links), {
          deliveryKey: `alert-${d.alertId}-${d.channel}-${d.eventKey}`,
          ...(to ? { to } : {}),
        });
        await deliveries.sent(d.id);
      } catch (err) {
        const retry =
          d.attempts >= opts.maxAttempts ? null : retryDelayMs(d.attempts, opts.retryBaseMs, opts.retryMaxMs);
        await deliveries.failed(d.id, err instanceof Error ? err.message : String(err), retry);
        opts.log?.warn(
          { alertId: d.alertId, channel: d.channel, event: d.event, attempts: d.attempts, retryInMs: retry },
          retry === null ? 'alert delivery given up' : 'alert delivery failed; will retry',
        );
      }
    }
    return due.length;
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    running = (async () => {
      try {
        while (!stopped && (await drainOnce()) > 0) {
          /* keep draining while there is work */
        }
      } catch (err) {
        opts.log?.warn({ err }, 'alert dispatcher pass failed');
      }
      if (!stopped) timer = setTimeout(tick, opts.intervalMs);
    })();
  };

  return {
    drainOnce,
    start() {
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      for (const s of Object.values(opts.senders)) s?.close?.();
    },
  };
}
