/** Orders go ahead of bulk syncs when both wait for the ERP. */
export type Priority = 'interactive' | 'bulk';

/**
 * A bounded number of requests in flight against one ERP account. The connector takes a slot per
 * request; the process-local budget (connectors/netsuite/budget.ts) and the one shared by every
 * worker through PostgreSQL (db/erp-budget.ts) both implement it.
 */
export interface ErpBudget {
  /** Waits for a slot; call the returned function exactly once to give it back. */
  acquire(priority?: Priority): Promise<() => void>;
  stats(): { size: number; inFlight: number; peak: number; waiting: number };
}
