import type { AlertChannel, AlertEvent, AlertForMessage, AlertSeverity } from '../domain/alerting';
import type { Db } from './pool';

export interface DueDelivery {
  id: number;
  alertId: number;
  channel: AlertChannel;
  event: AlertEvent;
  eventKey: string;
  attempts: number;
  alert: AlertForMessage;
}

/** The alert outbox as the dispatcher sees it: claim what is due (with a lease), then settle each. */
export function alertDeliveryRepository(db: Db) {
  return {
    /**
     * Claims up to `limit` due deliveries for `leaseMs` (a crashed dispatcher's claims come due again).
     * A delivery waits while an earlier one for the same alert and channel is unsent, so a "resolved"
     * never overtakes its "raised".
     */
    async claim(limit: number, leaseMs: number): Promise<DueDelivery[]> {
      const res = await db.query<{
        id: number;
        alert_id: number;
        channel: AlertChannel;
        event: AlertEvent;
        event_key: string;
        attempts: number;
        severity: AlertSeverity;
        kind: string;
        subject: string;
        message: string;
        workflow_id: string | null;
      }>(
        `WITH due AS (
           SELECT d.id FROM alert_deliveries d
            WHERE ((d.status = 'pending' AND d.next_attempt_at <= now()) OR (d.status = 'sending' AND d.lease_until < now()))
              AND NOT EXISTS (SELECT 1 FROM alert_deliveries e
                               WHERE e.alert_id = d.alert_id AND e.channel = d.channel AND e.id < d.id
                                 AND e.status IN ('pending', 'sending'))
            ORDER BY d.id LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE alert_deliveries d SET status = 'sending', attempts = d.attempts + 1,
                lease_until = now() + ($2::bigint * interval '1 millisecond')
           FROM due, alerts a
          WHERE d.id = due.id AND a.id = d.alert_id
         RETURNING d.id, d.alert_id, d.channel, d.event, d.event_key, d.attempts,
                   a.severity, a.kind, a.subject, a.message, a.workflow_id`,
        [limit, leaseMs],
      );
      return res.rows
        .sort((a, b) => a.id - b.id)
        .map((r) => ({
          id: r.id,
          alertId: r.alert_id,
          channel: r.channel,
          event: r.event,
          eventKey: r.event_key,
          attempts: r.attempts,
          alert: {
            id: r.alert_id,
            severity: r.severity,
            kind: r.kind,
            subject: r.subject,
            message: r.message,
            workflowId: r.workflow_id,
          },
        }));
    },
    async sent(id: number): Promise<void> {
      await db.query(
        `UPDATE alert_deliveries SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL WHERE id = $1`,
        [id],
      );
    },
    /** Not sent: retried after `retryInMs`, or given up (`failed`) when there is no retry left. */
    async failed(id: number, error: string, retryInMs: number | null): Promise<void> {
      await db.query(
        `UPDATE alert_deliveries
            SET status = CASE WHEN $3::bigint IS NULL THEN 'failed' ELSE 'pending' END,
                next_attempt_at = now() + (COALESCE($3::bigint, 0) * interval '1 millisecond'),
                lease_until = NULL, last_error = left($2, 500)
          WHERE id = $1`,
        [id, error, retryInMs],
      );
    },
    /** The channel is not set up in this installation (no webhook URL / SMTP server): nothing to send. */
    async skipped(id: number, why: string): Promise<void> {
      await db.query(
        `UPDATE alert_deliveries SET status = 'skipped', lease_until = NULL, last_error = $2 WHERE id = $1`,
        [id, why],
      );
    },
    async forAlert(alertId: number) {
      const res = await db.query(
        `SELECT channel, event, event_key, status, attempts, last_error, created_at, sent_at
           FROM alert_deliveries WHERE alert_id = $1 ORDER BY id`,
        [alertId],
      );
      return res.rows;
    },
  };
}
