/**
 * Failure types (`ApplicationFailure.type`) that cross a layer: thrown by activities or workflow
 * validators and told apart by workflows, the API and tests. Names are stable: they appear in
 * workflow histories. A process's own failure types are part of its contract (domain/contracts/);
 * this module lists them all.
 */
export { APPROVAL_FAILURE } from './contracts/approvals';
export { RETURN_FAILURES } from './contracts/returns';

/** Order activities → the order workflow (non-retryable). */
export const ORDER_FAILURES = {
  /** The ERP refused the sales order for good; the failure's details are its `ErpRejection`s. */
  erpRejected: 'ErpRejectedOrder',
  notFound: 'ErpOrderNotFound',
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

/** The typed rejections among a failure's details (none from a history or an ERP that carried none). */
export function erpRejections(details: readonly unknown[] | null | undefined): ErpRejection[] {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return (details ?? []).flatMap((d) => {
    const r = (d ?? {}) as Record<string, unknown>;
    const code = text(r.code);
    return code ? [{ code, path: text(r.path), field: text(r.field) }] : [];
  });
}

/** The notifier refused a message for good. */
export const NOTIFY_FAILURES = {
  deliveryFailed: 'NotificationDeliveryFailed',
} as const;
