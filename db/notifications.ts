import type { Notification } from '../domain/notifications';
import type { Db } from './pool';

/** The notifications log, keyed by notification id: what was sent, what was refused, and why. */
export function notificationRepository(db: Db) {
  return {
    /** Logs the notification (once) and answers the status it already has, if any. */
    async claim(n: Notification, channel: string | null): Promise<string | undefined> {
      await db.query(
        `INSERT INTO notifications (id, kind, channel, recipient, subject, payload, workflow_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
        [n.id, n.kind, channel, n.recipient, n.subject, n, n.workflowId ?? null],
      );
      const existing = await db.query<{ status: string }>('SELECT status FROM notifications WHERE id = $1', [
        n.id,
      ]);
      return existing.rows[0]?.status;
    },
    async undeliverable(id: string, reason: string): Promise<void> {
      await db.query(`UPDATE notifications SET status = 'undeliverable', last_error = $2 WHERE id = $1`, [
        id,
        reason,
      ]);
    },
    async sent(id: string, attempts: number): Promise<void> {
      await db.query(
        `UPDATE notifications SET status = 'sent', attempts = attempts + $2, sent_at = now(), last_error = NULL WHERE id = $1`,
        [id, attempts],
      );
    },
    async refused(id: string, reason: string): Promise<void> {
      await db.query(
        `UPDATE notifications SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1`,
        [id, reason],
      );
    },
    async attemptFailed(id: string, reason: string): Promise<void> {
      await db.query(`UPDATE notifications SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
        id,
        reason,
      ]);
    },
  };
}
