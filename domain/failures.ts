/**
 * Failure types (`ApplicationFailure.type`) that cross a layer: thrown by activities or workflow
 * validators and told apart by workflows, the API and tests. Names are stable: they appear in
 * workflow histories. A process's own failure types are part of its contract (domain/contracts/);
 * this module lists them all.
 */
import { APPROVAL_FAILURE } from './contracts/approvals';
import { RETURN_FAILURES } from './contracts/returns';

export { APPROVAL_FAILURE, RETURN_FAILURES };

/** Order activities → the order workflow (non-retryable). */
export const ORDER_FAILURES = {
  /** The ERP refused the sales order for good; the failure's details are its `ErpRejection`s. */
  erpRejected: 'ErpRejectedOrder',
  notFound: 'ErpOrderNotFound',
} as const;

/** The order's `fix` and `cancel` validators → the API (the order contract re-exports them). */
export const ORDER_UPDATE_FAILURES = {
  /** The order is not parked on anything a fix resolves (or it waits for an approver instead). */
  notParked: 'OrderNotParkedForFix',
  /** The fix is for another problem than the one the order is parked on. */
  fixMismatch: 'OrderFixMismatch',
  /** The order has not arrived from the storefront yet. */
  notArrived: 'OrderNotArrived',
  /** The order is already cancelled or completed. */
  finished: 'OrderFinished',
  /** A named line cannot be cancelled: the order is not in the ERP yet, or the line is unknown or has nothing open. */
  lineNotCancellable: 'OrderLineNotCancellable',
} as const;

/**
 * One problem the ERP named when it refused a document, as the connector read it: the details of an
 * `ErpRejectedOrder` failure. The order process decides on `code` and `field`, never on the message.
 */
export interface ErpRejection {
  /** The ERP's error code (NetSuite `o:errorCode`: `USER_ERROR`, `INVALID_KEY_OR_REF` …). */
  code: string;
  /** The field in the ERP's own record (NetSuite `o:errorPath`: `otherRefNum`, `item.items[0].item`), or null. */
  path: string | null;
  /**
   * The same field in the document Quayside sent (`ErpSalesOrderInput`: `poNumber`, `shipTo.zip`,
   * `lines[0].sku`), or null when the ERP named none or one Quayside does not send.
   */
  field: string | null;
}

/** A detail's field as text, or null when it is missing, empty or not text. */
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

/** The details of a failure read as one typed shape: each detail `read` turns into one, or skips (null). */
function typedDetails<T>(
  details: readonly unknown[] | null | undefined,
  read: (r: Record<string, unknown>) => T | null,
): T[] {
  return (details ?? []).flatMap((d) => {
    const typed = read((d ?? {}) as Record<string, unknown>);
    return typed === null ? [] : [typed];
  });
}

/** The typed rejections among a failure's details (none from a history or an ERP that carried none). */
export const erpRejections = (details: readonly unknown[] | null | undefined): ErpRejection[] =>
  typedDetails(details, (r) => {
    const code = text(r.code);
    return code ? { code, path: text(r.path), field: text(r.field) } : null;
  });

/**
 * Activities → workflows: the store refused a write on business grounds (Shopify `userErrors`), so the
 * same write fails again until a person changes something. Not retried; its details are `StoreRefusal`s.
 */
export const STORE_FAILURES = {
  refused: 'StoreRefused',
} as const;

/** One problem the store named when it refused a write (one Shopify `userErrors` entry). */
export interface StoreRefusal {
  /** The store's path to the input field at fault (`['metafields', '0', 'value']` joined: `metafields.0.value`), or null. */
  field: string | null;
  /** The store's own words, for people. */
  message: string;
  /** The store's error code (`TAKEN`, `INVALID` …), when it gave one. */
  code: string | null;
}

/** The typed store refusals among a failure's details. */
export const storeRefusals = (details: readonly unknown[] | null | undefined): StoreRefusal[] =>
  typedDetails(details, (r) => {
    const message = text(r.message);
    return message ? { field: text(r.field), message, code: text(r.code) } : null;
  });

/** The store's refusal in a sentence: its own words, each with the field it named. */
export const storeRefusalWords = (refusals: readonly StoreRefusal[], fallback: string): string =>
  refusals.length === 0
    ? fallback
    : refusals.map((r) => `${r.message.replace(/[.\s]+$/, '')}${r.field ? ` (${r.field})` : ''}`).join('; ');

/** The notifier refused a message for good. */
export const NOTIFY_FAILURES = {
  deliveryFailed: 'NotificationDeliveryFailed',
} as const;

/**
 * Every failure type an update validator refuses an update with, by the contract that declares it.
 * The API answers each with its own status and code from one table (`api/errors.ts`), which must
 * name every one of them.
 */
export const UPDATE_FAILURES = {
  approval: APPROVAL_FAILURE,
  order: ORDER_UPDATE_FAILURES,
  returnInspection: {
    notAwaitingInspection: RETURN_FAILURES.notAwaitingInspection,
    alreadyInspected: RETURN_FAILURES.alreadyInspected,
    inspectionInvalid: RETURN_FAILURES.inspectionInvalid,
  },
} as const;

type Values<T> = T[keyof T];
export type UpdateFailureType = Values<{
  [P in keyof typeof UPDATE_FAILURES]: Values<(typeof UPDATE_FAILURES)[P]>;
}>;
