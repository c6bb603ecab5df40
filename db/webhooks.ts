import type { Db } from './pool';

export interface DeliveryKey {
  webhookId: string;
  eventId?: string;
  topic: string;
  shopDomain: string;
  triggeredAt?: string;
}

export type DeliveryStatus = 'processing' | 'processed' | 'dead_lettered' | 'ignored' | 'switched_off';

export interface DeadLetter {
  id: number;
  webhookId: string | null;
  eventId: string | null;
  topic: string;
  shopDomain: string | null;
  reason: string;
  payload: string;
  replayPayload: string | null;
  headers: Record<string, string>;
  status: 'parked' | 'replayed';
  attempts: number;
  workflowId: string | null;
  createdAt: string;
  replayedAt: string | null;
}

const deadLetterColumns = `id, webhook_id AS "webhookId", event_id AS "eventId", topic, shop_domain AS "shopDomain", reason, payload, headers,
  replay_payload AS "replayPayload", status, attempts, workflow_id AS "workflowId", created_at AS "createdAt", replayed_at AS "replayedAt"`;

const validTimestamp = (v?: string) => (v && !Number.isNaN(Date.parse(v)) ? v : null);

/** Webhook dedupe ledger and dead letters. */
export function webhookRepository(db: Db) {
  return {
    /**
     * Claims a delivery. Exactly one of any number of concurrent identical deliveries (same webhook id,
     * or same event id and topic) gets `claimed: true`; the others see the row that won.
     */
    async claim(
      key: DeliveryKey,
      source = 'shopify',
    ): Promise<{ claimed: boolean; status?: DeliveryStatus }> {
      const inserted = await db.query(
        `INSERT INTO webhook_deliveries (source, webhook_id, event_id, topic, shop_domain, triggered_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING webhook_id`,
        [
          source,
          key.webhookId,
          key.eventId ?? null,
          key.topic,
          key.shopDomain,
          validTimestamp(key.triggeredAt),
        ],
      );
      if (inserted.rowCount) return { claimed: true };
      const existing = await db.query<{ status: DeliveryStatus }>(
        `SELECT status FROM webhook_deliveries
          WHERE source = $1 AND (webhook_id = $2 OR (event_id = $3 AND topic = $4)) LIMIT 1`,
        [source, key.webhookId, key.eventId ?? null, key.topic],
      );
      return { claimed: false, status: existing.rows[0]?.status };
    },

    async finish(
      webhookId: string,
      status: Exclude<DeliveryStatus, 'processing'>,
      workflowId?: string,
      /** Why the delivery was not handed on (a switched-off flow). */
      note?: string,
      source = 'shopify',
    ): Promise<void> {
      await db.query(
        `UPDATE webhook_deliveries SET status = $3, workflow_id = COALESCE($4, workflow_id), processed_at = now(),
                note = COALESCE($5, note)
          WHERE source = $1 AND webhook_id = $2`,
        [source, webhookId, status, workflowId ?? null, note ?? null],
      );
    },

    /** Gives a claimed delivery back (the hand-off failed), so Shopify's retry is processed again. */
    async release(webhookId: string, source = 'shopify'): Promise<void> {
      await db.query(
        `DELETE FROM webhook_deliveries WHERE source = $1 AND webhook_id = $2 AND status = 'processing'`,
        [source, webhookId],
      );
    },

    async countDeliveries(webhookId: string, source = 'shopify'): Promise<number> {
      const res = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM webhook_deliveries WHERE source = $1 AND webhook_id = $2',
        [source, webhookId],
      );
      return res.rows[0]?.n ?? 0;
    },

    async park(
      letter: {
        webhookId?: string;
        eventId?: string;
        topic: string;
        shopDomain?: string;
        reason: string;
        payload: string;
        headers: Record<string, string>;
      },
      source = 'shopify',
    ): Promise<number> {
      const res = await db.query<{ id: number }>(
        `INSERT INTO dead_letters (source, webhook_id, event_id, topic, shop_domain, reason, payload, headers)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          source,
          letter.webhookId ?? null,
          letter.eventId ?? null,
          letter.topic,
          letter.shopDomain ?? null,
          letter.reason,
          letter.payload,
          letter.headers,
        ],
      );
      return res.rows[0]!.id;
    },

    async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
      const res = await db.query<DeadLetter>(`SELECT ${deadLetterColumns} FROM dead_letters WHERE id = $1`, [
        id,
      ]);
      return res.rows[0];
    },

    async listDeadLetters(
      opts: { status?: 'parked' | 'replayed'; limit?: number } = {},
    ): Promise<DeadLetter[]> {
      const res = await db.query<DeadLetter>(
        `SELECT ${deadLetterColumns} FROM dead_letters WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT $2`,
        [opts.status ?? null, opts.limit ?? 100],
      );
      return res.rows;
    },

    /** Records a replay attempt: either it went through (replayed) or it failed again with a new reason. */
    async recordReplay(
      id: number,
      outcome:
        | { ok: true; workflowId?: string; payload: string | null }
        | { ok: false; reason: string; payload: string | null },
    ): Promise<void> {
      if (outcome.ok) {
        await db.query(
          `UPDATE dead_letters SET status = 'replayed', replayed_at = now(), attempts = attempts + 1, workflow_id = $2, replay_payload = COALESCE($3, replay_payload) WHERE id = $1`,
          [id, outcome.workflowId ?? null, outcome.payload],
        );
      } else {
        await db.query(
          `UPDATE dead_letters SET attempts = attempts + 1, reason = $2, replay_payload = COALESCE($3, replay_payload) WHERE id = $1`,
          [id, outcome.reason, outcome.payload],
        );
      }
    },
  };
}

export type WebhookRepository = ReturnType<typeof webhookRepository>;
