import { continueAsNew, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync';
import {
  reconcileStatusQuery,
  type ReconcileInput,
  type ReconcileStatus,
} from '../domain/contracts/reconcile';
import { PROFILES } from './activity-profiles';

const { findMissedOrders } = proxyActivities<SyncActivities>(PROFILES.storeScan);

const ROUNDS_PER_RUN = 100;

/**
 * The reconciliation Shopify itself advises: webhooks can be lost or arrive a day late, so every few
 * minutes the storefront's recently changed orders are compared with what Quayside knows, and each
 * order no process has heard of raises an alert an operator can act on.
 */
export async function storefrontReconcile(input: ReconcileInput): Promise<ReconcileStatus> {
  const status: ReconcileStatus = input.totals ?? {
    rounds: 0,
    checked: 0,
    missed: [],
    since: input.since ?? new Date(Date.now() - 24 * 3600_000).toISOString(),
  };
  setHandler(reconcileStatusQuery, () => status);

  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    for (let more = true; more;) {
      const r = await findMissedOrders({
        store: input.store,
        since: status.since,
        graceSeconds: input.graceSeconds,
        first: 250,
        workflowId: workflowInfo().workflowId,
      });
      status.checked += r.checked;
      status.missed = [...status.missed, ...r.missed].slice(-100);
      status.since = r.cursor;
      more = r.more;
    }
    status.rounds += 1;
    if (input.once) return status;
    await sleep(`${input.intervalMinutes} minutes`);
  }
  return continueAsNew<typeof storefrontReconcile>({ ...input, since: status.since, totals: status });
}
