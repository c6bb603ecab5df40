import { AlertRouting, SlaRules, channelsFor, type AlertChannel, type AlertEvent } from '../domain/alerting';
import { durationMs } from '../domain/duration';
import { versionedConfig } from './config-versions';
import { prepared, withTransaction, type Db, type DbClient } from './pool';

export interface AlertInput {
  severity: 'info' | 'warning' | 'critical';
  kind: string;
  subject: string;
  message: string;
  workflowId?: string;
  /** Raising the same alert again (same key) does not create a second one. */
  dedupeKey?: string;
  details?: Record<string, unknown>;
}

/** Which channel hears which severity, and the quiet period (versioned data). */
export const alertRoutingConfig = versionedConfig('alert-routing', AlertRouting);
/** The SLA thresholds per step (versioned data). */
export const slaRulesConfig = versionedConfig('sla', SlaRules);

async function enqueue(
  client: DbClient,
  alertId: number,
  channels: AlertChannel[],
  event: AlertEvent,
  eventKey: string,
): Promise<void> {
  if (channels.length === 0) return;
  await client.query(
    `INSERT INTO alert_deliveries (alert_id, channel, event, event_key)
     SELECT $1, c, $2, $3 FROM unnest($4::text[]) AS c
     ON CONFLICT (alert_id, channel, event_key) DO NOTHING`,
    [alertId, event, eventKey, channels],
  );
  await client.query('UPDATE alerts SET notified_at = now() WHERE id = $1', [alertId]);
}

const openAlert = prepared(
  'alerts.open-by-key',
  'SELECT 1 FROM alerts WHERE dedupe_key = $1 AND resolved_at IS NULL',
);

/** Closes the alert the UPDATE returns and queues a "resolved" for each channel that heard it was raised. */
async function closeAlert(client: DbClient, update: string, params: unknown[]): Promise<boolean> {
  const res = await client.query<{ id: number; episode: number }>(update, params);
  const row = res.rows[0];
  if (!row) return false;
  await client.query(
    `INSERT INTO alert_deliveries (alert_id, channel, event, event_key)
     SELECT DISTINCT alert_id, channel, 'resolved', 'resolved:' || $2::text
       FROM alert_deliveries
      WHERE alert_id = $1 AND event = 'raised' AND event_key = 'raised:' || $2::text AND status <> 'skipped'
     ON CONFLICT (alert_id, channel, event_key) DO NOTHING`,
    [row.id, row.episode],
  );
  return true;
}

/**
 * Operators' alerts. Raising and resolving write the notifications to send (the `alert_deliveries`
 * outbox) in the same transaction, so a business process never waits on Slack or SMTP, and nothing
 * is sent for an alert that was not stored. One alert per dedupe key: raised again within the quiet
 * period it sends nothing; after it, one reminder; after a resolve, a new episode.
 */
export function alertRepository(db: Db) {
  return {
    async raise(alert: AlertInput): Promise<void> {
      await withTransaction(db, async (client) => {
        const routing = (await alertRoutingConfig.current(client)).value;
        const channels = channelsFor(routing, alert.severity);
        const values = [
          alert.dedupeKey ?? null,
          alert.severity,
          alert.kind,
          alert.subject,
          alert.message,
          alert.workflowId ?? null,
          alert.details ?? {},
        ];
        const inserted = await client.query<{ id: number }>(
          `INSERT INTO alerts (dedupe_key, severity, kind, subject, message, workflow_id, details)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
          values,
        );
        const fresh = inserted.rows[0];
        if (fresh) {
          await enqueue(client, fresh.id, channels, 'raised', 'raised:1');
          return;
        }
        const prev = await client.query<{
          id: number;
          episode: number;
          reminders: number;
          resolved: boolean;
          quiet_over: boolean;
        }>(
          `SELECT id, episode, reminders, resolved_at IS NOT NULL AS resolved,
                  (notified_at IS NULL OR notified_at <= now() - ($2::bigint * interval '1 millisecond')) AS quiet_over
             FROM alerts WHERE dedupe_key = $1 FOR UPDATE`,
          [alert.dedupeKey, durationMs(routing.quietPeriod)],
        );
        const row = prev.rows[0];
        if (!row) throw new Error('alert vanished while being raised');
        const episode = row.resolved ? row.episode + 1 : row.episode;
        const reminders = row.resolved ? 0 : row.quiet_over ? row.reminders + 1 : row.reminders;
        await client.query(
          `UPDATE alerts SET severity = $2, subject = $3, message = $4, workflow_id = COALESCE($5, workflow_id),
                  details = $6, resolved_at = NULL, episode = $7, reminders = $8, last_seen_at = now()
            WHERE id = $1`,
          [
            row.id,
            alert.severity,
            alert.subject,
            alert.message,
            alert.workflowId ?? null,
            alert.details ?? {},
            episode,
            reminders,
          ],
        );
        if (row.resolved) await enqueue(client, row.id, channels, 'raised', `raised:${episode}`);
        else if (row.quiet_over)
          await enqueue(client, row.id, channels, 'reminder', `reminder:${episode}:${reminders}`);
      });
    },

    /** Resolves the open alert, if any, and tells every channel that heard of it that it is resolved. */
    async resolve(dedupeKey: string): Promise<void> {
      // Most calls find nothing open (every headroom publication and every price list written
      // resolves its refusal): one read then, not a transaction of three statements. The UPDATE
      // would have seen the same committed rows.
      if ((await openAlert(db, [dedupeKey])).rowCount === 0) return;
      await withTransaction(db, (client) =>
        closeAlert(
          client,
          'UPDATE alerts SET resolved_at = now() WHERE dedupe_key = $1 AND resolved_at IS NULL RETURNING id, episode',
          [dedupeKey],
        ),
      );
    },

    /**
     * An operator closes an open alert by hand (dealt with outside Quayside), recorded with their
     * name; the channels hear it is resolved. False when it was not open.
     */
    async acknowledge(id: number, by: string): Promise<boolean> {
      return withTransaction(db, (client) =>
        closeAlert(
          client,
          'UPDATE alerts SET resolved_at = now(), resolved_by = $2 WHERE id = $1 AND resolved_at IS NULL RETURNING id, episode',
          [id, by],
        ),
      );
    },

    async open(limit = 100) {
      const res = await db.query(
        `SELECT id, severity, kind, subject, message, workflow_id, details, created_at
           FROM alerts WHERE resolved_at IS NULL ORDER BY created_at DESC LIMIT $1`,
        [limit],
      );
      return res.rows;
    },

    async get(id: number) {
      const res = await db.query(
        `SELECT id, dedupe_key, severity, kind, subject, message, workflow_id, details, created_at, resolved_at,
                episode, reminders, notified_at
           FROM alerts WHERE id = $1`,
        [id],
      );
      return res.rows[0] ?? null;
    },
  };
}

export type AlertRepository = ReturnType<typeof alertRepository>;
