import { alertRepository } from './alerts';
import type { Db } from './pool';

/** What the operations dashboard shows, read in one go. */
export async function operationsSnapshot(db: Db) {
  const [orders, alerts, approvals, syncs, deadLetters] = await Promise.all([
    db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM orders GROUP BY status ORDER BY status`,
    ),
    alertRepository(db).open(50),
    db.query<{ kind: string; n: number; escalated: number; oldest: Date | null }>(
      `SELECT kind, count(*)::int AS n, count(*) FILTER (WHERE escalated)::int AS escalated, min(requested_at) AS oldest
         FROM approvals WHERE status = 'pending' GROUP BY kind ORDER BY kind`,
    ),
    db.query<{
      sync: string;
      last_run: Date | null;
      changed: number;
      pushed: number;
      last_lag_ms: number | null;
    }>(
      `SELECT sync, max(finished_at) AS last_run, sum(changed)::int AS changed, sum(pushed)::int AS pushed,
              (array_agg(lag_ms ORDER BY finished_at DESC) FILTER (WHERE lag_ms IS NOT NULL))[1] AS last_lag_ms
         FROM sync_runs WHERE finished_at > now() - interval '24 hours' GROUP BY sync ORDER BY sync`,
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letters WHERE status = 'parked'`),
  ]);
  return {
    orders: orders.rows,
    alerts,
    approvals: approvals.rows,
    syncs: syncs.rows,
    parkedWebhooks: deadLetters.rows[0]?.n ?? 0,
  };
}
