import type { Duration } from '@temporalio/common';
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';

/**
 * Retried with exponential backoff (each wait twice the last) from `first` up to `cap`; for as long
 * as it takes, or `attempts` times when the caller has a way out (compensation, or going on without).
 */
const backoff = (first: Duration, cap: Duration, attempts?: number): RetryPolicy => ({
  initialInterval: first,
  backoffCoefficient: 2,
  maximumInterval: cap,
  ...(attempts ? { maximumAttempts: attempts } : {}),
});

/**
 * Every activity option a workflow uses, by name: no workflow writes its own. A profile says how long
 * one attempt may take and how it is retried; long activities heartbeat.
 */
export const PROFILES = {
  /** ERP writes and reads: retried with backoff for as long as the ERP is away. */
  erpCall: { startToCloseTimeout: '60 seconds', retry: backoff('1 second', '1 minute') },
  /** Short ERP reads on the order's critical path (credit account): run as local activities. */
  erpRead: { startToCloseTimeout: '30 seconds', retry: backoff('1 second', '1 minute') },
  /** A return's ERP and storefront documents: ten tries, then the refund saga compensates. */
  returnDocument: { startToCloseTimeout: '1 minute', retry: backoff('1 second', '1 minute', 10) },
  /** Storefront writes (fulfillments, refunds, metafields). */
  storefrontCall: { startToCloseTimeout: '30 seconds', retry: backoff('1 second', '1 minute') },
  /** Quayside's own Postgres: read model, mappings, reservations, alerts. */
  local: { startToCloseTimeout: '15 seconds', retry: backoff('500 milliseconds', '30 seconds') },
  /** A page of an ERP-to-cache or ERP-to-store sync (inventory, catalog, prices): long, so it heartbeats. */
  syncPage: {
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '1 minute',
    retry: backoff('2 seconds', '1 minute'),
  },
  /**
   * A full inventory resync: the store's quantities read by a bulk operation, then every ERP level
   * compared and what differs written. Long (minutes on a large catalog), so it heartbeats; a retry
   * goes on from the page it reached.
   */
  fullResync: {
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '2 minutes',
    retry: backoff('5 seconds', '2 minutes'),
  },
  /** A round of the store's B2B catalogs or companies: many store writes, so it heartbeats. */
  storeSyncRound: {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '2 minutes',
    retry: backoff('2 seconds', '1 minute'),
  },
  /**
   * Best-effort side channels beside the order (credit headroom to the store): a few quick tries,
   * then given up on, since the next event or the periodic sync repeats them.
   */
  sideChannel: {
    startToCloseTimeout: '20 seconds',
    scheduleToCloseTimeout: '1 minute',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '10 seconds',
      maximumAttempts: 3,
    },
  },
  /** Approver notifications. */
  notify: { startToCloseTimeout: '30 seconds', retry: backoff('2 seconds', '5 minutes') },
  /** Quayside's own Postgres as regular activities: a return's records and policy, a sync's flow switches. */
  localRecord: { startToCloseTimeout: '30 seconds', retry: backoff('1 second', '30 seconds') },
  /** Messages to buyers and applicants: five tries, then the process goes on without them. */
  personNotice: { startToCloseTimeout: '1 minute', retry: backoff('2 seconds', '1 minute', 5) },
  /** The approval gate's records of an approval (opened, reminded, escalated, closed). */
  approvalRecord: { startToCloseTimeout: '30 seconds', retry: backoff('1 second', '1 minute') },
  /** A customer's policy, ERP customer, storefront account and mapping. */
  customerCall: { startToCloseTimeout: '1 minute', retry: backoff('1 second', '1 minute') },
  /** A pass of the SLA checker over the read models: five tries, and the schedule's next pass follows soon. */
  slaPass: { startToCloseTimeout: '2 minutes', retry: backoff('2 seconds', '30 seconds', 5) },
  /**
   * A step of the reconciliation that repairs (orders, stock, the report): long, so it heartbeats; five
   * tries, and the schedule's next pass follows.
   */
  reconcileStep: {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '2 minutes',
    retry: backoff('2 seconds', '1 minute', 5),
  },
  /** The reconciliation's read of the store's recently changed orders. */
  storeScan: { startToCloseTimeout: '2 minutes', retry: backoff('5 seconds', '5 minutes') },
} satisfies Record<string, ActivityOptions>;
