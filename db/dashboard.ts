import { storeOfWorkflowId } from '../domain/contracts';
import { alertRepository } from './alerts';
import type { Db } from './pool';

/**
 * What the operations dashboard shows a principal, read in one go: only the stores it may see
 * (`stores` null = every store). Orders and approvals carry their store; an alert belongs to the
 * store of its workflow; parked webhooks, syncs and alerts of no workflow belong to the store this
 * deployment serves (`homeStore`).
 */
export async function operationsSnapshot(
  db: Db,
  scope: { stores: string[] | null; homeStore: string } = { stores: null, homeStore: '' },
) {
  const sees = (store: string | null) =>
    scope.stores === null || (store !== null && scope.stores.includes(store));
  const home = sees(scope.homeStore);
  const [orders, allAlerts, approvals, syncs, deadLetters] = await Promise.all([
    db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM orders
        WHERE $1::text[] IS NULL OR store = ANY($1) GROUP BY status ORDER BY status`,
      [scope.stores],
    ),
    alertRepository(db).open(scope.stores === null ? 50 : 500),
    db.query<{ kind: string; n: number; escalated: number; oldest: Date | null }>(
      `SELECT kind, count(*)::int AS n, count(*) FILTER (WHERE escalated)::int AS escalated, min(requested_at) AS oldest
         FROM approvals WHERE status = 'pending' AND ($1::text[] IS NULL OR store = ANY($1))
        GROUP BY kind ORDER BY kind`,
      [scope.stores],
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
  const alerts = allAlerts
    .filter((a: { workflow_id: string | null }) =>
      sees(a.workflow_id ? (storeOfWorkflowId(a.workflow_id) ?? scope.homeStore) : scope.homeStore),
    )
    .slice(0, 50);
  return {
    orders: orders.rows,
    alerts,
    approvals: approvals.rows,
    syncs: home ? syncs.rows : [],
    parkedWebhooks: home ? (deadLetters.rows[0]?.n ?? 0) : 0,
  };
}
