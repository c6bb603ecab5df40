import type { Db } from './pool';

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

export function alertRepository(db: Db) {
  return {
    async raise(alert: AlertInput): Promise<void> {
      await db.query(
        `INSERT INTO alerts (dedupe_key, severity, kind, subject, message, workflow_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (dedupe_key) DO UPDATE SET message = EXCLUDED.message, details = EXCLUDED.details, resolved_at = NULL`,
        [
          alert.dedupeKey ?? null,
          alert.severity,
          alert.kind,
          alert.subject,
          alert.message,
          alert.workflowId ?? null,
          alert.details ?? {},
        ],
      );
    },
    async resolve(dedupeKey: string): Promise<void> {
      await db.query('UPDATE alerts SET resolved_at = now() WHERE dedupe_key = $1 AND resolved_at IS NULL', [
        dedupeKey,
      ]);
    },
    async open(limit = 100) {
      const res = await db.query(
        `SELECT id, severity, kind, subject, message, workflow_id, details, created_at
           FROM alerts WHERE resolved_at IS NULL ORDER BY created_at DESC LIMIT $1`,
        [limit],
      );
      return res.rows;
    },
  };
}

export type AlertRepository = ReturnType<typeof alertRepository>;
