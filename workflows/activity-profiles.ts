import type { ActivityOptions } from '@temporalio/workflow';

/** Named activity option profiles shared by the order-side workflows. */
export const PROFILES = {
  /** ERP writes and reads: retried with backoff for as long as the ERP is away. */
  erpCall: {
    startToCloseTimeout: '60 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
  /** Short ERP reads on the order's critical path (credit account): run as local activities. */
  erpRead: {
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
  /** Storefront writes (fulfillments, refunds, metafields). */
  storefrontCall: {
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
  /** Quayside's own Postgres: read model, mappings, reservations, alerts. */
  local: {
    startToCloseTimeout: '15 seconds',
    retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
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
  notify: {
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  },
} satisfies Record<string, ActivityOptions>;
